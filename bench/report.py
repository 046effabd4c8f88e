#!/usr/bin/env python3
"""Turns the raw output of bench/load.sh into results.json, results.md and a plot.

  report.py RAW_DIR OUT_DIR PLOT.png [--write-doc BENCHMARKS.md]

--write-doc replaces (or adds before `<!-- results:end -->`) the block between
`<!-- results:N:begin -->` and `<!-- results:N:end -->` for the run's number of accounts N.

RAW_DIR holds machine.facts and RUN.facts (KEY=VALUE lines; RUN = MODE-POPULATION, e.g.
file-post, memory-seed), RUN/SCENARIO.json (wrk summaries written by bench/scim.lua; populate.json
for the provisioning by POST) and RUN/explain.txt. results.json has "machine" and "runs" (keyed
by RUN, each with its mode, population, facts and scenarios); results.md an overview table of
all runs, one table per run (with the non-2xx count of every scenario), the other measures and
the targets; the last line printed is a one-line summary. The plot needs matplotlib (bench/load.sh
installs it in target/bench-venv); without it only the JSON and markdown are written.
"""
import json
import os
import statistics
import sys

MODE_NAMES = {"file": "SQLite file", "memory": "SQLite in memory, manual clock", "postgres": "PostgreSQL"}
POP_NAMES = {"post": "users created by POST /Users", "seed": "accounts seeded"}
MODE_ORDER = ["file", "memory", "postgres"]

# (key, label, short label for the plot)
SCENARIOS = [
    ("limit", "limit of the machine: fixed User JSON (bench/limit)", "limit"),
    ("populate", "provisioning: `POST /Users` into the empty server, N users (creates/s)", "provision N"),
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


def run_title(run, short=False):
    f = run["facts"]
    mode, pop = f.get("mode", "?"), f.get("population", "?")
    if short:
        return f"{mode} / {'POST' if pop == 'post' else 'seed'}"
    return f"{MODE_NAMES.get(mode, mode)}, {POP_NAMES.get(pop, pop)}"


def collect(raw):
    machine = read_facts(os.path.join(raw, "machine.facts"))
    runs = {}
    for key in machine.get("runs", "").split():
        facts = read_facts(os.path.join(raw, f"{key}.facts"))
        if not facts:
            continue
        scenarios = {}
        folder = os.path.join(raw, key)
        for name, _, _ in SCENARIOS:
            path = os.path.join(folder, f"{name}.json")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    scenarios[name] = json.load(f)
        if "populate" in scenarios:
            # The provisioning rate is creates/s over the wall time to the last 201, not wrk's
            # requests/s (which counts the /healthz fillers of its last milliseconds).
            p = scenarios["populate"]
            p["wrk_rps"] = p["rps"]
            p["rps"] = num(facts.get("populate_rate"), 0.0)
            p["requests"] = int(num(facts.get("populate_created"), 0))
            p["seconds"] = num(facts.get("populate_seconds"), p.get("seconds"))
        limit = scenarios.get("limit", {}).get("rps")
        for name, result in scenarios.items():
            result["ratio_to_limit"] = round(result["rps"] / limit, 4) if limit else None
        explain = ""
        path = os.path.join(folder, "explain.txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                explain = f.read()
        ready = [num(x) for x in facts.get("ready_ms", "").split() if num(x) is not None]
        runs[key] = {
            "mode": facts.get("mode"),
            "population": facts.get("population"),
            "engine": facts.get("engine"),
            "facts": facts,
            "scenarios": scenarios,
            "ready_ms": ready,
            "ready_ms_median": statistics.median(ready) if ready else None,
            "explain": explain,
        }
    return {"machine": machine, "runs": runs}


def non2xx(r):
    return int(r.get("errors", {}).get("status", 0))


def other_errors(r):
    return {k: v for k, v in r.get("errors", {}).items() if k != "status" and v}


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


def ordered(runs):
    return sorted(runs, key=lambda k: (MODE_ORDER.index(runs[k]["mode"]) if runs[k]["mode"] in MODE_ORDER else 9,
                                       0 if runs[k]["population"] == "post" else 1))


def scenario_text(key, label_text, runs, order, users):
    text = label_text
    if key.startswith("deep_"):
        pages = {runs[r]["facts"].get("deep_page") for r in order}
        text = text.replace("page P", f"page {'/'.join(sorted(p for p in pages if p))}")
    if key == "populate":
        text = text.replace("N users", f"{int(users):,} users" if str(users).isdigit() else f"{users} users")
    return text


def cell(r, duration):
    """req/s and × limit, with the non-2xx count and other errors when not zero."""
    flag = ""
    if non2xx(r):
        flag += f" ⚠ {non2xx(r)} non-2xx"
    if other_errors(r):
        flag += " ⚠ " + ", ".join(f"{v} {k}" for k, v in other_errors(r).items())
    if r.get("requests", 0) == 0:
        return f"0: none completed in {duration}{flag}"
    return f"{fmt_rps(r['rps'])} ({fmt_ratio(r.get('ratio_to_limit'))}×){flag}"


def markdown(data):
    m = data["machine"]
    runs = data["runs"]
    order = ordered(runs)
    users = m.get("users")
    lines = []
    label = m.get("label")
    if label:
        lines.append(f"**Run: {label}.**")
        lines.append("")
    started, finished = num(m.get("started_s")), num(m.get("finished_s"))
    took = f" ({(finished - started) / 60:.0f} min in all)" if started and finished else ""
    lines += [
        f"- Date: {m.get('date')}, commit `{m.get('commit')}`{took}",
        f"- Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('ram_gib')} GiB RAM, Linux {m.get('kernel')}",
        f"- Load average (1/5/15 min) before: {m.get('load_before')}, after: {m.get('load_after')}",
        f"- Tools: {m.get('wrk')}; {m.get('sqlite')}; PostgreSQL server {m.get('postgres', 'n/a')}",
        f"- Command: `{m.get('command')}`",
        f"- Load: wrk, {m.get('connections')} connections, {m.get('threads')} threads, {m.get('duration')} per scenario, "
        f"server and wrk on the same {m.get('nproc')} CPUs, loopback; {users} accounts per run",
        "- Runs (mode × population): " + "; ".join(f"`{k}` = {run_title(runs[k])}" for k in order),
        "",
        "Modes: **file** = SQLite file, `--clock system`; **memory** = `--database-url sqlite::memory:`, "
        "`--clock manual` (the test-harness mode); **postgres** = PostgreSQL, `--clock system`. "
        "Populations: **POST** = the server starts on an empty database and the N users are created "
        "through `POST /Users` (Entra ID's body, the wrk connections at once, exactly N 201s), the "
        "scenarios follow at once, with no seeder, `ANALYZE` or `VACUUM`; **seed** = `abm-scim seed` "
        "with the server stopped (ending with `VACUUM (ANALYZE)` on PostgreSQL) and a restart, or, in "
        "memory mode, `POST /admin/v1/seed`.",
        "",
        "Throughput is requests per second (provisioning: creates per second to the last 201); "
        "× limit is the ratio to the limit program measured at the start of the same run; latencies "
        "are wrk's (ms). ⚠ marks non-2xx answers (the target is zero for every scenario), timeouts "
        "over 10 s and socket errors (see `target/bench/work/*.wrk.txt`).",
        "",
    ]
    # Overview: every run side by side.
    lines.append("| scenario |" + "".join(f" `{k}` req/s (× limit) |" for k in order))
    lines.append("|---|" + "---:|" * len(order))
    for key, label_text, _ in SCENARIOS:
        if not any(key in runs[r]["scenarios"] for r in order):
            continue
        row = f"| {scenario_text(key, label_text, runs, order, users)} |"
        for r in order:
            res = runs[r]["scenarios"].get(key)
            row += f" {cell(res, m.get('duration')) if res else '–'} |"
        lines.append(row)
    lines.append("")

    # One table per run, with the error counts of every scenario.
    for r in order:
        run = runs[r]
        lines.append(f"##### `{r}`: {run_title(run)}")
        lines.append("")
        lines.append("| scenario | req/s | × limit | p50 | p99 | non-2xx | other errors |")
        lines.append("|---|---:|---:|---:|---:|---:|---|")
        for key, label_text, _ in SCENARIOS:
            res = run["scenarios"].get(key)
            if not res:
                continue
            bad = non2xx(res)
            other = ", ".join(f"{v} {k}" for k, v in other_errors(res).items()) or "–"
            rps = fmt_rps(res["rps"]) if res.get("requests", 0) else f"0: none completed in {m.get('duration')}"
            lines.append(f"| {scenario_text(key, label_text, runs, [r], users)} | {rps} | "
                         f"{fmt_ratio(res.get('ratio_to_limit'))} | {fmt_ms(res['p50_ms'])} | {fmt_ms(res['p99_ms'])} | "
                         f"{'**⚠ ' + str(bad) + '**' if bad else '0'} | {other} |")
        lines.append("")

    # Other measures.
    lines.append("| measure |" + "".join(f" `{k}` |" for k in order))
    lines.append("|---|" + "---:|" * len(order))

    def row(title, fn):
        values = [fn(runs[k]) for k in order]
        if any(v != "–" for v in values):
            lines.append(f"| {title} |" + "".join(f" {v} |" for v in values))

    def populate(d):
        f = d["facts"]
        if "populate_created" not in f:
            return "–"
        text = (f"{num(f.get('populate_rate'), 0):,.0f} creates/s ({f.get('populate_created')} in "
                f"{num(f.get('populate_seconds'), 0):.1f} s; p50 {fmt_ms(num(f.get('populate_p50_ms')))} / "
                f"p99 {fmt_ms(num(f.get('populate_p99_ms')))} ms)")
        bad = int(num(f.get("populate_non2xx"), 0))
        text += f"; ⚠ {bad} non-2xx ({f.get('populate_statuses')})" if bad else "; 0 non-2xx"
        if f.get("populate_other_errors"):
            text += f"; ⚠ {f['populate_other_errors']}"
        if f.get("populate_incomplete"):
            text += f"; ⚠ incomplete: {f['populate_incomplete']}"
        if f.get("populate_visible") not in (None, f.get("populate_created")):
            text += f"; ⚠ SCIM-visible afterwards: {f.get('populate_visible')}"
        return text

    def seeding(d):
        f = d["facts"]
        if "seed_rate" not in f:
            return "–"
        return (f"{num(f.get('seed_rate'), 0):,.0f} accounts/s ({num(f.get('seed_seconds'), 0):.1f} s wall; "
                f"{f.get('seed_how', 'abm-scim seed')})")

    def seed_1m(d):
        rate = num(d["facts"].get("seed_rate"))
        return f"{1e6 / rate:.0f} s" if rate else "–"

    row(f"provisioning {users} users by `POST /Users` into the empty server", populate)
    row(f"seeding {users} accounts", seeding)
    row("seeding 1M accounts, extrapolated", seed_1m)
    row("start to `/readyz` OK, empty database (median of runs; file: new file, memory: in memory, postgres: new database)",
        lambda d: f"{d['ready_ms_median']:.0f} ms ({', '.join(f'{x:.0f}' for x in d['ready_ms'])})" if d["ready_ms"] else "–")
    row(f"restart to `/readyz` OK with {users} seeded accounts (10 ms polling)",
        lambda d: f"{d['facts']['ready_populated_ms']} ms" if d["facts"].get("ready_populated_ms") else "–")
    row(f"RSS with the {users} accounts, before the scenarios (memory mode: with the database pages it has mapped)",
        lambda d: mib(d["facts"].get("rss_start_kib")))
    row("RSS peak under load (all scenarios)", lambda d: mib(d["facts"].get("rss_peak_kib")))
    row("RSS idle after load", lambda d: mib(d["facts"].get("rss_after_kib")))
    row("PostgreSQL `accounts` statistics after the population (`pg_class.reltuples`, `pg_stat_user_tables`)",
        lambda d: d["facts"].get("pg_stats_after_populate", "–"))
    row("PostgreSQL `accounts` statistics after the scenarios",
        lambda d: d["facts"].get("pg_stats_after_scenarios", "–"))
    row("reaper: expired accounts deleted",
        lambda d: f"{d['facts'].get('reaper_deleted', '–')} of {d['facts'].get('reaper_expired', '–')} expired"
        if "reaper_expired" in d["facts"] else "–")
    row("reaper: pass duration (`POST /admin/v1/reaper/run` until none is left, response included)",
        lambda d: reaper_line(d["facts"]) if "reaper_seconds" in d["facts"] else "–")
    row("GET p99 during the reaper pass / GET p99 idle", lambda d: reaper_p99(d))
    row("cursor walk to page P (setup, `attributes=id`)", lambda d: d["facts"].get("cursor_walk", "–"))
    row("`GET /Users?count=1` after every scenario",
        lambda d: f"⚠ failed after {d['facts']['db_failed_after']}" if d["facts"].get("db_failed_after") else "200 every time")
    row("accounts at the end", lambda d: d["facts"].get("accounts_after", "–"))
    row("reaper skipped", lambda d: f"⚠ {d['facts']['reaper_skipped']}" if d["facts"].get("reaper_skipped") else "–")
    if m.get("reaper_users") == "0":
        lines.append("")
        lines.append("(Reaper skipped: `--reaper-users 0`.)")
    lines.append("")

    # Targets of issue 7.
    lines.append("Targets of issue 7 (defined for 1M accounts where they mention it; judged here on this run's data):")
    lines.append("")
    lines.append("| target |" + "".join(f" `{k}` |" for k in order))
    lines.append("|---|" + "---|" * len(order))
    for title, fn in targets(m):
        lines.append(f"| {title} |" + "".join(f" {fn(runs[k])} |" for k in order))
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
    def get_ratio(d):
        r = d["scenarios"].get("get_id", {}).get("ratio_to_limit")
        t = TARGET_GET_RATIO[d["engine"]]
        return f"{r:.2f} ≥ {t:.2f}: {verdict(r >= t)}" if r is not None else "–"

    def eq_ratio(d):
        eq = d["scenarios"].get("filter_eq")
        get = d["scenarios"].get("get_id")
        if not eq or not get or not get["rps"]:
            return "–"
        r = eq["rps"] / get["rps"]
        ok = r >= 0.8 and eq["p99_ms"] <= 10
        return f"{r:.2f} of GET by id, p99 {fmt_ms(eq['p99_ms'])} ms: {verdict(ok)}"

    def post(d):
        r = d["scenarios"].get("post", {}).get("rps")
        t = TARGET_POST[d["engine"]]
        return f"{fmt_rps(r)} ≥ {t:,}: {verdict(r >= t)}" if r is not None else "–"

    def reaper(d):
        s = num(d["facts"].get("reaper_seconds"))
        n = num(d["facts"].get("reaper_deleted"))
        during = d["scenarios"].get("get_id_during_reaper", {}).get("p99_ms")
        idle = d["scenarios"].get("get_id", {}).get("p99_ms")
        if s is None or not n or during is None or not idle:
            return "–"
        per_100k = s * 100000 / n
        ok = per_100k <= 5 and during <= 2 * idle
        return f"{per_100k:.1f} s per 100k, p99 {during / idle:.1f}× idle: {verdict(ok)}"

    def rss(d):
        idle = num(d["facts"].get("rss_start_kib"))
        peak = num(d["facts"].get("rss_peak_kib"))
        if not idle or not peak:
            return "–"
        ok = idle <= 40 * 1024 and peak <= 120 * 1024
        return f"{idle / 1024:.0f} / {peak / 1024:.0f} MiB: {verdict(ok)}"

    def ready(d):
        v = d["ready_ms_median"]
        if v is None:
            return "–"
        if d["mode"] != "memory":
            return f"{v:.0f} ms (no target)"
        return f"{v:.0f} ms: {verdict(v <= 150)}"

    def seed(d):
        rate = num(d["facts"].get("seed_rate"))
        if not rate:
            return "–"
        if d["facts"].get("seed_how") != "abm-scim seed":
            return f"{1e6 / rate:.0f} s (extrapolated; admin API, no target)"
        s = 1e6 / rate
        return f"{s:.0f} s (extrapolated): {verdict(s <= 60)}"

    return [
        ("`GET /Users/{id}` ≥ 40% (SQLite) / 25% (PostgreSQL) of the limit", get_ratio),
        (f"`userName eq` ≥ 80% of GET by id, p99 ≤ 10 ms (target at 1M; here {m.get('users')})", eq_ratio),
        ("`POST /Users` ≥ 8,000/s (SQLite) / 5,000/s (PostgreSQL)", post),
        ("reaper: 100k in ≤ 5 s, GET p99 ≤ 2× idle", reaper),
        ("RSS ≤ 40 MB idle, ≤ 120 MB under load", rss),
        ("start to ready ≤ 150 ms (in-memory SQLite)", ready),
        ("seeding 1M ≤ 60 s (`abm-scim seed`)", seed),
    ]


def plot(data, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return False
    runs = data["runs"]
    order = ordered(runs)
    if not order:
        return False
    keys = [(k, short) for k, _, short in SCENARIOS
            if any(k in runs[r]["scenarios"] for r in order)]
    colors = {"file": "#4c72b0", "memory": "#55a868", "postgres": "#dd8452"}
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(min(20, max(12, 0.5 * len(keys) * len(order))), 8.5), sharex=True)
    width = 0.84 / max(len(order), 1)
    xs = range(len(keys))
    for i, r in enumerate(order):
        run = runs[r]
        seeded = run["population"] == "seed"
        style = dict(color=colors.get(run["mode"], "#888888"), alpha=0.55 if seeded else 1.0,
                     hatch="//" if seeded else None, edgecolor="white", linewidth=0.5)
        rps = [run["scenarios"].get(k, {}).get("rps", 0) for k, _ in keys]
        p99 = [run["scenarios"].get(k, {}).get("p99_ms", 0) for k, _ in keys]
        pos = [x + (i - (len(order) - 1) / 2) * width for x in xs]
        bars = ax1.bar(pos, rps, width, label=run_title(run, short=True), **style)
        for b, k in zip(bars, [k for k, _ in keys]):
            res = run["scenarios"].get(k, {})
            ratio = res.get("ratio_to_limit")
            if b.get_height() > 0:
                text = f"{b.get_height():,.0f}" + (f"\n{fmt_ratio(ratio)}×" if ratio is not None and k != "limit" else "")
                if non2xx(res):
                    text += f"\n⚠{non2xx(res)}"
                ax1.annotate(text, (b.get_x() + b.get_width() / 2, b.get_height()), ha="center",
                             va="bottom", fontsize=5 if len(order) > 3 else 6.5)
        ax2.bar(pos, p99, width, label=run_title(run, short=True), **style)
    ax1.set_yscale("log")
    ax1.set_ylabel("requests/s (log)  — label: req/s and × limit")
    ax2.set_yscale("log")
    ax2.set_ylabel("p99 latency, ms (log)")
    ax2.set_xticks(list(xs))
    ax2.set_xticklabels([short.replace(" N", f" {data['machine'].get('users')}") for _, short in keys],
                        rotation=30, ha="right")
    m = data["machine"]
    title = (f"abm-scim throughput per scenario, mode (file / memory / postgres) and population — "
             f"{m.get('users')} accounts, {m.get('connections')} connections, {m.get('duration')}/scenario, "
             f"{m.get('nproc')} CPUs")
    if m.get("label"):
        title = f"{m['label']}\n" + title
    ax1.set_title(title, fontsize=10)
    ax1.legend(fontsize=8, ncol=min(len(order), 6))
    ax1.grid(axis="y", alpha=0.3)
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}", file=sys.stderr)
    return True


def summary_line(data):
    """One line: per run the provisioning rate, GET by id and POST with their ratios; non-2xx."""
    m = data["machine"]
    runs = data["runs"]
    parts = []
    total_bad, where = 0, []
    for r in ordered(runs):
        run = runs[r]
        sc = run["scenarios"]
        bits = []
        if "populate" in sc:
            bits.append(f"provision {fmt_rps(sc['populate']['rps'])}/s")
        elif run["facts"].get("seed_rate"):
            bits.append(f"seed {num(run['facts']['seed_rate'], 0):,.0f}/s")
        for key, name in (("get_id", "GET"), ("filter_eq", "eq"), ("post", "POST")):
            if key in sc:
                bits.append(f"{name} {fmt_rps(sc[key]['rps'])} ({fmt_ratio(sc[key].get('ratio_to_limit'))}×)")
        for key, res in sc.items():
            bad = non2xx(res) + sum(other_errors(res).values())
            if bad:
                total_bad += bad
                where.append(f"{r} {key}: {bad}")
        if run["facts"].get("db_failed_after"):
            bits.append(f"DATABASE BROKEN after {run['facts']['db_failed_after'].split(' ')[0]}")
        parts.append(f"{r}: " + ", ".join(bits))
    limit = [runs[r]["scenarios"].get("limit", {}).get("rps") for r in ordered(runs)]
    limit = [x for x in limit if x]
    head = f"SUMMARY {m.get('users')} accounts, {len(runs)} run(s)"
    if limit:
        head += f", limit {min(limit):,.0f}–{max(limit):,.0f} req/s"
    tail = f"errors: {total_bad} ({'; '.join(where)})" if total_bad else "non-2xx and other errors: 0 in every scenario"
    return head + " | " + " | ".join(parts) + " | " + tail


def doc_block(data, md, explains, plot_path, doc):
    users = data["machine"].get("users", "?")
    label = data["machine"].get("label")
    rel = os.path.relpath(plot_path, os.path.dirname(os.path.abspath(doc)))
    title = f"#### {int(users):,} accounts" if users.isdigit() else f"#### {users} accounts"
    if label:
        title += f" ({label})"
    parts = [title, "", f"![throughput per scenario, mode and population, {users} accounts]({rel})", "", md]
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
    explains = "\n".join(data["runs"][k]["explain"] for k in ordered(data["runs"]) if data["runs"][k]["explain"])
    data["summary"] = summary_line(data)
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
    print(data["summary"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
