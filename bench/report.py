#!/usr/bin/env python3
"""Turns the raw output of bench/load.sh into results.json, results.md and a plot.

  report.py RAW_DIR OUT_DIR PLOT.png [--write-doc BENCHMARKS.md]

--write-doc replaces (or adds before `<!-- results:end -->`) the block between
`<!-- results:N:begin -->` and `<!-- results:N:end -->` for the run's number of accounts N.

RAW_DIR holds machine.facts and ENGINE.facts (KEY=VALUE lines), ENGINE/SCENARIO.json (wrk
summaries written by bench/scim.lua) and ENGINE/explain.txt. The plot needs matplotlib (bench/load.sh
installs it in target/bench-venv); without it only the JSON and markdown are written.
"""
import json
import os
import statistics
import sys

ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

# (key, label, short label for the plot)
SCENARIOS = [
    ("limit", "limit of the machine: fixed User JSON (bench/limit)", "limit"),
    ("get_id", "`GET /Users/{id}`", "GET by id"),
    ("filter_eq", '`GET /Users?filter=userName eq "…"`', "userName eq"),
    ("page_sw_sorted", '`GET /Users?filter=userName sw "…"&sortBy=userName&count=100`', "sw page 100"),
    ("page1_index", "page 1 of 100, `startIndex=1`", "page 1 (index)"),
    ("deep_index", "page P of 100, `startIndex`", "page P (index)"),
    ("page1_cursor", "page 1 of 100, `cursor=`", "page 1 (cursor)"),
    ("deep_cursor", "page P of 100, `cursor` (followed nextCursor)", "page P (cursor)"),
    ("post", "`POST /Users`", "POST"),
    ("patch_display_name", "`PATCH` replace displayName", "PATCH name"),
    ("patch_active_toggle", "`PATCH` active=false, then active=true", "PATCH active"),
    ("get_id_during_reaper", "`GET /Users/{id}` during the reaper pass", "GET in reaper"),
]

TARGET_GET_RATIO = {"sqlite": 0.40, "postgres": 0.25}
TARGET_POST = {"sqlite": 8000, "postgres": 5000}


def read_facts(path):
    facts = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    key, value = line.split("=", 1)
                    facts[key] = value
    return facts


def num(value, default=None):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def collect(raw):
    machine = read_facts(os.path.join(raw, "machine.facts"))
    engines = {}
    for engine in machine.get("engines", "sqlite postgres").split():
        facts = read_facts(os.path.join(raw, f"{engine}.facts"))
        if not facts:
            continue
        scenarios = {}
        folder = os.path.join(raw, engine)
        for key, _, _ in SCENARIOS:
            path = os.path.join(folder, f"{key}.json")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    scenarios[key] = json.load(f)
        limit = scenarios.get("limit", {}).get("rps")
        for key, result in scenarios.items():
            result["ratio_to_limit"] = round(result["rps"] / limit, 4) if limit else None
        explain = ""
        path = os.path.join(folder, "explain.txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                explain = f.read()
        ready = [num(x) for x in facts.get("ready_ms", "").split() if num(x) is not None]
        engines[engine] = {
            "facts": facts,
            "scenarios": scenarios,
            "ready_ms": ready,
            "ready_ms_median": statistics.median(ready) if ready else None,
            "explain": explain,
        }
    return {"machine": machine, "engines": engines}


def fmt_rps(r):
    return f"{r:,.0f}" if r is not None else "–"


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def fmt_ratio(r):
    if r is None:
        return "–"
    return f"{r:.2f}" if r >= 0.095 else f"{r:.2g}"


def mib(kib):
    v = num(kib)
    return f"{v / 1024:.1f} MiB" if v else "–"


def verdict(ok):
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def markdown(data):
    m = data["machine"]
    engines = data["engines"]
    order = [e for e in ("sqlite", "postgres") if e in engines]
    lines = []
    label = m.get("label")
    if label:
        lines.append(f"**Run: {label}.**")
        lines.append("")
    lines += [
        f"- Date: {m.get('date')}, commit `{m.get('commit')}`",
        f"- Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('ram_gib')} GiB RAM, Linux {m.get('kernel')}",
        f"- Load average (1/5/15 min) before: {m.get('load_before')}, after: {m.get('load_after')}",
        f"- Tools: {m.get('wrk')}; {m.get('sqlite')}; PostgreSQL server {m.get('postgres', 'n/a')}",
        f"- Command: `{m.get('command')}`",
        f"- Load: wrk, {m.get('connections')} connections, {m.get('threads')} threads, {m.get('duration')} per scenario, "
        f"server and wrk on the same {m.get('nproc')} CPUs, loopback; {m.get('users')} seeded accounts",
        "",
        "Throughput is requests per second; × limit is the ratio to the limit program measured just before "
        "the same engine's scenarios; latencies are wrk's (ms). ⚠ marks errors (non-2xx answers, "
        "timeouts over 10 s or socket errors; see `target/bench/work/*.wrk.txt`).",
        "",
    ]
    header = "| scenario |" + "".join(
        f" {ENGINE_NAMES[e]} req/s | × limit | p50 | p99 |" for e in order)
    lines.append(header)
    lines.append("|---|" + "---:|---:|---:|---:|" * len(order))
    for key, label_text, _ in SCENARIOS:
        if not any(key in engines[e]["scenarios"] for e in order):
            continue
        text = label_text
        if key.startswith("deep_"):
            pages = {engines[e]["facts"].get("deep_page") for e in order}
            text = text.replace("page P", f"page {'/'.join(sorted(p for p in pages if p))}")
        row = f"| {text} |"
        for e in order:
            r = engines[e]["scenarios"].get(key)
            if r:
                ratio = fmt_ratio(r.get("ratio_to_limit"))
                bad = sum(r.get("errors", {}).values())
                flag = f" ⚠ {bad} errors" if bad else ""
                if r.get("requests", 0) == 0:
                    row += f" 0: none completed in {m.get('duration')}{flag} | 0 | – | – |"
                else:
                    row += f" {fmt_rps(r['rps'])}{flag} | {ratio} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} |"
            else:
                row += " – | – | – | – |"
        lines.append(row)
    lines.append("")

    # Other measures.
    lines.append("| measure |" + "".join(f" {ENGINE_NAMES[e]} |" for e in order))
    lines.append("|---|" + "---:|" * len(order))

    def row(title, fn):
        lines.append(f"| {title} |" + "".join(f" {fn(engines[e])} |" for e in order))

    row("start to `/readyz` OK, empty database (median of runs; SQLite in memory, PostgreSQL fresh database)",
        lambda d: f"{d['ready_ms_median']:.0f} ms ({', '.join(f'{x:.0f}' for x in d['ready_ms'])})" if d["ready_ms"] else "–")
    row(f"start to `/readyz` OK with {m.get('users')} accounts (file / database; 10 ms polling)",
        lambda d: f"{d['facts'].get('ready_populated_ms', '–')} ms")
    row("RSS idle (after start)", lambda d: mib(d["facts"].get("rss_start_kib")))
    row("RSS peak under load (all scenarios)", lambda d: mib(d["facts"].get("rss_peak_kib")))
    row("RSS idle after load", lambda d: mib(d["facts"].get("rss_after_kib")))
    row(f"seeding {m.get('users')} accounts (`abm-scim seed`)",
        lambda d: f"{num(d['facts'].get('seed_rate'), 0):,.0f} accounts/s ({num(d['facts'].get('seed_seconds'), 0):.1f} s wall)")
    row("seeding 1M accounts, extrapolated", lambda d: f"{1e6 / num(d['facts'].get('seed_rate'), 1e-9):.0f} s")
    row("reaper: expired accounts deleted",
        lambda d: f"{d['facts'].get('reaper_deleted', '–')} of {d['facts'].get('reaper_expired', '–')} expired")
    row("reaper: pass duration (`POST /admin/v1/reaper/run` until none is left, response included)",
        lambda d: reaper_line(d["facts"]))
    row("GET p99 during the reaper pass / GET p99 idle", lambda d: reaper_p99(d))
    row("cursor walk to page P (setup, `attributes=id`)", lambda d: d["facts"].get("cursor_walk", "–"))
    lines.append("")

    # Targets of issue 7.
    lines.append("Targets of issue 7 (defined for 1M accounts where they mention it; judged here on this run's data):")
    lines.append("")
    lines.append("| target |" + "".join(f" {ENGINE_NAMES[e]} |" for e in order))
    lines.append("|---|" + "---|" * len(order))
    for title, fn in targets(m):
        lines.append(f"| {title} |" + "".join(f" {fn(e, engines[e])} |" for e in order))
    lines.append("")
    return "\n".join(lines)


def reaper_line(f):
    seconds = num(f.get("reaper_seconds"), 0)
    deleted = num(f.get("reaper_deleted"), 0)
    calls = f.get("reaper_calls", "1")
    failed = num(f.get("reaper_failed_calls"), 0)
    text = f"{seconds:.2f} s ({deleted / max(seconds, 1e-9):,.0f} accounts/s; {calls} request(s)"
    if failed:
        text += f", ⚠ {failed:.0f} cut by the server's request timeout (503)"
    return text + f"; last response {num(f.get('reaper_response_bytes'), 0) / 1e6:.1f} MB)"


def reaper_p99(d):
    during = d["scenarios"].get("get_id_during_reaper", {}).get("p99_ms")
    idle = d["scenarios"].get("get_id", {}).get("p99_ms")
    if during is None or not idle:
        return "–"
    return f"{fmt_ms(during)} / {fmt_ms(idle)} ms = {during / idle:.1f}×"


def targets(m):
    def get_ratio(e, d):
        r = d["scenarios"].get("get_id", {}).get("ratio_to_limit")
        t = TARGET_GET_RATIO[e]
        return f"{r:.2f} ≥ {t:.2f}: {verdict(r >= t)}" if r is not None else "–"

    def eq_ratio(e, d):
        eq = d["scenarios"].get("filter_eq")
        get = d["scenarios"].get("get_id")
        if not eq or not get:
            return "–"
        r = eq["rps"] / get["rps"]
        ok = r >= 0.8 and eq["p99_ms"] <= 10
        return f"{r:.2f} of GET by id, p99 {fmt_ms(eq['p99_ms'])} ms: {verdict(ok)}"

    def post(e, d):
        r = d["scenarios"].get("post", {}).get("rps")
        t = TARGET_POST[e]
        return f"{fmt_rps(r)} ≥ {t:,}: {verdict(r >= t)}" if r is not None else "–"

    def reaper(e, d):
        s = num(d["facts"].get("reaper_seconds"))
        n = num(d["facts"].get("reaper_deleted"))
        during = d["scenarios"].get("get_id_during_reaper", {}).get("p99_ms")
        idle = d["scenarios"].get("get_id", {}).get("p99_ms")
        if s is None or not n or during is None or not idle:
            return "–"
        per_100k = s * 100000 / n
        ok = per_100k <= 5 and during <= 2 * idle
        return f"{per_100k:.1f} s per 100k, p99 {during / idle:.1f}× idle: {verdict(ok)}"

    def rss(e, d):
        idle = num(d["facts"].get("rss_start_kib"))
        peak = num(d["facts"].get("rss_peak_kib"))
        if not idle or not peak:
            return "–"
        ok = idle <= 40 * 1024 and peak <= 120 * 1024
        return f"{idle / 1024:.0f} / {peak / 1024:.0f} MiB: {verdict(ok)}"

    def ready(e, d):
        if e != "sqlite":
            return f"{d['ready_ms_median']:.0f} ms (no target)" if d["ready_ms_median"] else "–"
        v = d["ready_ms_median"]
        return f"{v:.0f} ms: {verdict(v <= 150)}" if v is not None else "–"

    def seed(e, d):
        rate = num(d["facts"].get("seed_rate"))
        if not rate:
            return "–"
        s = 1e6 / rate
        return f"{s:.0f} s (extrapolated): {verdict(s <= 60)}"

    return [
        ("`GET /Users/{id}` ≥ 40% (SQLite) / 25% (PostgreSQL) of the limit", get_ratio),
        (f"`userName eq` ≥ 80% of GET by id, p99 ≤ 10 ms (target at 1M; here {m.get('users')})", eq_ratio),
        ("`POST /Users` ≥ 8,000/s (SQLite) / 5,000/s (PostgreSQL)", post),
        ("reaper: 100k in ≤ 5 s, GET p99 ≤ 2× idle", reaper),
        ("RSS ≤ 40 MB idle, ≤ 120 MB under load", rss),
        ("start to ready ≤ 150 ms (in-memory SQLite)", ready),
        ("seeding 1M ≤ 60 s", seed),
    ]


def plot(data, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return False
    engines = data["engines"]
    order = [e for e in ("sqlite", "postgres") if e in engines]
    keys = [(k, short) for k, _, short in SCENARIOS
            if any(k in engines[e]["scenarios"] for e in order)]
    colors = {"sqlite": "#4c72b0", "postgres": "#dd8452"}
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(12, 8.5), sharex=True)
    width = 0.8 / max(len(order), 1)
    xs = range(len(keys))
    for i, e in enumerate(order):
        rps = [engines[e]["scenarios"].get(k, {}).get("rps", 0) for k, _ in keys]
        p99 = [engines[e]["scenarios"].get(k, {}).get("p99_ms", 0) for k, _ in keys]
        pos = [x + (i - (len(order) - 1) / 2) * width for x in xs]
        bars = ax1.bar(pos, rps, width, label=ENGINE_NAMES[e], color=colors[e])
        for b, k in zip(bars, [k for k, _ in keys]):
            ratio = engines[e]["scenarios"].get(k, {}).get("ratio_to_limit")
            if b.get_height() > 0:
                text = f"{b.get_height():,.0f}" + (f"\n{fmt_ratio(ratio)}×" if ratio is not None and k != "limit" else "")
                ax1.annotate(text, (b.get_x() + b.get_width() / 2, b.get_height()), ha="center",
                             va="bottom", fontsize=6.5)
        ax2.bar(pos, p99, width, label=ENGINE_NAMES[e], color=colors[e])
    ax1.set_yscale("log")
    ax1.set_ylabel("requests/s (log)  — label: req/s and × limit")
    ax2.set_yscale("log")
    ax2.set_ylabel("p99 latency, ms (log)")
    ax2.set_xticks(list(xs))
    ax2.set_xticklabels([short for _, short in keys], rotation=30, ha="right")
    m = data["machine"]
    title = (f"abm-scim throughput per scenario and engine — {m.get('users')} accounts, "
             f"{m.get('connections')} connections, {m.get('duration')}/scenario, {m.get('nproc')} CPUs")
    if m.get("label"):
        title = f"{m['label']}\n" + title
    ax1.set_title(title, fontsize=10)
    ax1.legend()
    ax1.grid(axis="y", alpha=0.3)
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}", file=sys.stderr)
    return True


def doc_block(data, md, explains, plot_path, doc):
    users = data["machine"].get("users", "?")
    label = data["machine"].get("label")
    rel = os.path.relpath(plot_path, os.path.dirname(os.path.abspath(doc)))
    title = f"#### {int(users):,} accounts" if users.isdigit() else f"#### {users} accounts"
    if label:
        title += f" ({label})"
    parts = [title, "", f"![throughput per scenario and engine, {users} accounts]({rel})", "", md]
    if explains:
        parts += ["<details><summary>EXPLAIN plans of the filter queries</summary>", "", explains,
                  "", "</details>", ""]
    return "\n".join(parts)


def write_doc(doc, users, block):
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    begin, end = f"<!-- results:{users}:begin -->", f"<!-- results:{users}:end -->"
    if begin in text and end in text:
        text = text[: text.index(begin) + len(begin)] + "\n" + block + "\n" + text[text.index(end):]
    elif "<!-- results:end -->" in text:
        i = text.index("<!-- results:end -->")
        text = text[:i] + begin + "\n" + block + "\n" + end + "\n" + text[i:]
    else:
        text += "\n" + begin + "\n" + block + "\n" + end + "\n"
    with open(doc, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"updated {doc}", file=sys.stderr)


def main():
    args = sys.argv[1:]
    doc = None
    if "--write-doc" in args:
        i = args.index("--write-doc")
        doc = args[i + 1]
        del args[i:i + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    raw, out, plot_path = args
    data = collect(raw)
    users = data["machine"].get("users", "run")
    os.makedirs(out, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(plot_path)), exist_ok=True)
    md = markdown(data)
    explains = "\n".join(d["explain"] for d in data["engines"].values() if d["explain"])
    for name in ("results", f"results-{users}"):
        with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        with open(os.path.join(out, f"{name}.md"), "w", encoding="utf-8") as f:
            f.write(md)
            if explains:
                f.write("\n## EXPLAIN\n\n" + explains)
    plot(data, plot_path)
    if doc:
        write_doc(doc, users, doc_block(data, md, explains, plot_path, doc))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
