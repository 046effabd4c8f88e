#!/usr/bin/env python3
"""Read a conformance checker's saved output and decide whether the run passed.

    summarize.py scim2-tester target/conformance/scim2-tester.scim-v2.txt
    summarize.py scim-sanity  target/conformance/scim-sanity.scim-v2.txt [LABEL]
    summarize.py server-log   target/conformance/server.log

scim2-tester (through `scim test`) prints one `STATUS title` line per check, STATUS being one of
SUCCESS COMPLIANT ACCEPTABLE DEVIATION ERROR CRITICAL SKIPPED; the run fails on any ERROR or
CRITICAL (DEVIATION is a SHOULD-level remark and is reported but tolerated).
scim-sanity prints `[PASS|FAIL|WARN|SKIP|ERR ] name` lines; the run fails on any FAIL or ERR
(ERR is an exception inside the probe, e.g. an unparsable response).
A run that produced no result line at all fails too (the tool did not get to test anything).
server-log reads the server's JSON log (`--log-format json`) and fails on any ERROR-level event,
any panic, or any 5xx answer other than 501 (the by-design answer to writes under /Groups and to
/Bulk). Prints the counts and every failing line with its reason; exit status 0 = passed.
"""

import json
import re
import sys
from collections import Counter

TOOLS = {
    "scim2-tester": (
        re.compile(r"^(SUCCESS|COMPLIANT|ACCEPTABLE|DEVIATION|ERROR|CRITICAL|SKIPPED) (.*)$"),
        {"ERROR", "CRITICAL"},
        {"DEVIATION"},
    ),
    "scim-sanity": (
        re.compile(r"^\s*\[(PASS|FAIL|WARN|SKIP|ERR) ?\] (.*)$"),
        {"FAIL", "ERR"},
        {"WARN"},
    ),
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def server_log(path: str) -> int:
    statuses: Counter[int] = Counter()
    bad: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if "panicked" in line:
                bad.append(f"  panic: {line[:300]}")
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the startup banner
            fields = event.get("fields", {})
            if event.get("level") == "ERROR":
                bad.append(f"  ERROR event: {fields.get('message', line[:300])}")
            status = fields.get("status")
            if fields.get("message") == "request finished" and isinstance(status, int):
                statuses[status] += 1
                if status >= 500 and status != 501:
                    route = event.get("span", {}).get("route", "?")
                    method = event.get("span", {}).get("method", "?")
                    bad.append(f"  {status} on {method} {route}")
    figures = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    print(f"server log: {sum(statuses.values())} requests ({figures or 'none'})")
    for line in bad[:30]:
        print(line)
    if bad:
        print(f"server log: FAILED, {len(bad)} error event(s), panic(s) or 5xx answer(s)")
        return 1
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "server-log":
        return server_log(sys.argv[2])
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in TOOLS:
        print(__doc__, file=sys.stderr)
        return 2
    tool, path = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) == 4 else tool
    pattern, failing, noteworthy = TOOLS[tool]
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [ANSI.sub("", line.rstrip("\n")) for line in f]

    counts: Counter[str] = Counter()
    shown: list[str] = []
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if not m:
            continue
        status = m.group(1)
        counts[status] += 1
        if status in failing or status in noteworthy:
            # The reason is on the indented line(s) that follow.
            detail = []
            for following in lines[i + 1 : i + 4]:
                if not following.startswith(" ") or pattern.match(following):
                    break
                detail.append(following.strip()[:400])
            shown.append(f"  {status} {m.group(2)}" + "".join(f"\n      {d}" for d in detail))

    total = sum(counts.values())
    figures = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    print(f"{label}: {total} checks ({figures or 'none'})")
    for line in shown:
        print(line)
    bad = sum(counts[s] for s in failing)
    if total == 0:
        print(f"{label}: FAILED, no check result found in {path}")
        return 1
    if bad:
        print(f"{label}: FAILED, {bad} check(s) in {'/'.join(sorted(failing))}")
        return 1
    print(f"{label}: OK (no {'/'.join(sorted(failing))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
