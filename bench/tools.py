#!/usr/bin/env python3
"""Small helpers for bench/load.sh (standard library only).

  tools.py ready BIN ARGS...        start BIN ARGS --listen 127.0.0.1:PORT, time until /readyz
                                    answers 200, stop it; prints the milliseconds
  tools.py walk-cursor URL TOKEN POSITION
                                    follow nextCursor from the first page until POSITION rows
                                    are behind; prints the cursor of the page starting there
  tools.py sql-log LOGFILE [OFFSET] print the SQL statements logged by sqlx (JSON log lines)
                                    after byte OFFSET, one JSON string a line
  tools.py get URL TOKEN            GET a URL with a bearer token, print the body (exit 1 unless 2xx)

Every loop is bounded in count and in time.
"""
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port, path, timeout=1.0):
    """Status of a GET on 127.0.0.1:port, or None if nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
    except OSError:
        return None


def ready(argv):
    """Milliseconds from process start to the first 200 from /readyz (30 s at most)."""
    port = free_port()
    cmd = argv + ["--listen", f"127.0.0.1:{port}"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            if http_status(port, "/readyz") == 200:
                print(f"{(time.perf_counter() - started) * 1000:.1f}")
                return 0
            if proc.poll() is not None:
                print(f"server exited with {proc.returncode} before it was ready", file=sys.stderr)
                return 1
            time.sleep(0.001)
        print("not ready after 30 s", file=sys.stderr)
        return 1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get_json(url, token, timeout=60):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                               "Accept": "application/scim+json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def walk_cursor(url, token, position):
    """Cursor of the page that starts after `position` rows, by following nextCursor: pages of
    1000 (the server's default maximum) while possible, then pages of 100."""
    position = int(position)
    done, cursor, requests = 0, "", 0
    deadline = time.monotonic() + 1800
    while done < position:
        if requests >= 20000 or time.monotonic() > deadline:
            print(f"gave up after {requests} requests at row {done}", file=sys.stderr)
            return 1
        step = 1000 if position - done >= 1000 else 100
        if (position - done) % step:
            step = 100
        query = urllib.parse.urlencode({"count": step, "cursor": cursor, "attributes": "id"})
        page = get_json(f"{url}?{query}", token)
        requests += 1
        got = len(page.get("Resources", []))
        if got != step or not page.get("nextCursor"):
            print(f"short page at row {done}: {got} rows, nextCursor={page.get('nextCursor')!r}",
                  file=sys.stderr)
            return 1
        done += got
        cursor = page["nextCursor"]
    print(cursor)
    print(f"{requests} requests", file=sys.stderr)
    return 0


def sql_log(path, offset=0):
    """Statements from sqlx's `db.statement` (or `summary`) fields in JSON log lines."""
    seen = set()
    with open(path, "rb") as f:
        f.seek(int(offset))
        for raw in f:
            line = raw.decode("utf-8", errors="replace")
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not str(entry.get("target", "")).startswith("sqlx::query"):
                continue
            fields = entry.get("fields", {})
            sql = (fields.get("db.statement") or fields.get("summary") or "").strip()
            if sql and sql not in seen:
                seen.add(sql)
                print(json.dumps(sql))
    return 0


def get(url, token):
    try:
        print(json.dumps(get_json(url, token)))
        return 0
    except urllib.error.HTTPError as e:
        print(f"{e.code} {e.read()[:500]!r}", file=sys.stderr)
        return 1


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ready":
        return ready(args)
    if cmd == "walk-cursor" and len(args) == 3:
        return walk_cursor(*args)
    if cmd == "sql-log" and len(args) in (1, 2):
        return sql_log(*args)
    if cmd == "get" and len(args) == 2:
        return get(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
