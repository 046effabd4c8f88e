// abm-scim console: progressive enhancement only; every page works without this file.
// Loaded in <head> (not deferred) so that it hears every CSP violation and error of the page;
// they are kept in window.__consoleErrors (and counted in <html data-console-errors>) for the
// browser tests, which fail on any.
(function () {
  'use strict';
  var errors = [];
  window.__consoleErrors = errors;
  function record(kind, text) {
    errors.push(kind + ': ' + text);
    document.documentElement.setAttribute('data-console-errors', String(errors.length));
  }
  document.addEventListener('securitypolicyviolation', function (e) {
    record('csp', e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || ''));
  });
  window.addEventListener('error', function (e) {
    var what = e.message || (e.target && (e.target.src || e.target.href)) || 'error';
    record('error', what);
  }, true);
  window.addEventListener('unhandledrejection', function (e) { record('rejection', String(e.reason)); });
  var originalError = console.error;
  console.error = function () {
    record('console', Array.prototype.join.call(arguments, ' '));
    return originalError.apply(console, arguments);
  };

  function ready(fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  }

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  // Copy buttons: the clipboard where the browser allows it, else the text is selected.
  function copy(button) {
    var target = document.getElementById(button.getAttribute('data-copy'));
    if (!target) { return; }
    var text = target.textContent;
    var status = button.parentNode.querySelector('.copy-status');
    function done(message) {
      if (status) { status.textContent = ' ' + message; }
      button.setAttribute('data-copied', 'true');
    }
    function select() {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done('Selected: press Ctrl+C to copy');
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done('Copied'); }, select);
    } else {
      select();
    }
  }

  // The live tail: server-sent events, with a visible state and pause/resume.
  function startLive(live) {
    var rows = document.querySelector('[data-live-rows]');
    var indicator = document.getElementById('live-indicator');
    var toggle = document.getElementById('live-toggle');
    var append = live.hasAttribute('data-append');
    var url = live.getAttribute('data-stream');
    var match = /since=(\d+)/.exec(url);
    var since = match ? match[1] : '0';
    var source = null;
    var paused = false;
    function show(kind, text, hint) {
      indicator.textContent = '';
      var badge = document.createElement('span');
      badge.className = 'badge ' + kind;
      badge.textContent = text;
      indicator.appendChild(badge);
      if (hint) { indicator.appendChild(document.createTextNode(' ' + hint)); }
      live.setAttribute('data-live', kind);
    }
    function open() {
      source = new EventSource(url.replace(/since=\d+/, 'since=' + since));
      show('warn', '▲ Connecting…');
      source.onopen = function () { show('ok', '● Live', 'new entries appear as they arrive.'); };
      source.onerror = function () {
        show('bad', '■ Connection lost', 'retrying; Refresh shows the latest.');
      };
      source.addEventListener('item', function (event) {
        var item = JSON.parse(event.data);
        since = String(item.seq);
        if (!item.html) { return; }
        var holder = document.createElement('tbody');
        holder.innerHTML = item.html;
        var row = holder.firstElementChild;
        if (!row) { return; }
        row.classList.add('new');
        if (append) { rows.appendChild(row); } else { rows.insertBefore(row, rows.firstChild); }
      });
    }
    toggle.hidden = false;
    toggle.setAttribute('aria-pressed', 'false');
    toggle.addEventListener('click', function () {
      paused = !paused;
      toggle.setAttribute('aria-pressed', paused ? 'true' : 'false');
      if (paused) {
        source.close();
        toggle.textContent = 'Resume';
        show('off', '○ Paused', 'Resume to catch up.');
      } else {
        toggle.textContent = 'Pause';
        open();
      }
    });
    open();
  }

  ready(function () {
    each('select[data-autosubmit]', function (select) {
      select.addEventListener('change', function () { select.form.submit(); });
    });
    each('[data-copy]', function (button) {
      button.addEventListener('click', function () { copy(button); });
    });
    each('input[type=file][data-load-into]', function (input) {
      input.addEventListener('change', function () {
        var file = input.files && input.files[0];
        if (!file) { return; }
        var reader = new FileReader();
        reader.onload = function () { document.getElementById(input.getAttribute('data-load-into')).value = reader.result; };
        reader.readAsText(file);
      });
    });
    var live = document.getElementById('live');
    if (live) { startLive(live); }
  });
}());
