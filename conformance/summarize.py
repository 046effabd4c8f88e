#!/usr/bin/env python3
"""Read a conformance checker's saved output and decide whether the run passed.

    summarize.py scim2-tester target/conformance/scim2-tester.txt
    summarize.py scim-sanity  target/conformance/scim-sanity.txt

scim2-tester (through `scim test`) prints one `STATUS title` line per check, STATUS being one of
SUCCESS COMPLIANT ACCEPTABLE DEVIATION ERROR CRITICAL SKIPPED; the run fails on any ERROR or
CRITICAL (DEVIATION is a SHOULD-level remark and is reported but tolerated).
scim-sanity prints `[PASS|FAIL|WARN|SKIP|ERR ] name` lines; the run fails on any FAIL or ERR
(ERR is an exception inside the probe, e.g. an unparsable response).
A run that produced no result line at all fails too (the tool did not get to test anything).
Prints the counts and every failing line with its reason; exit status 0 = passed.
"""

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


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in TOOLS:
        print(__doc__, file=sys.stderr)
        return 2
    tool, path = sys.argv[1], sys.argv[2]
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
                detail.append(following.strip())
            shown.append(f"  {status} {m.group(2)}" + "".join(f"\n      {d}" for d in detail))

    total = sum(counts.values())
    figures = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    print(f"{tool}: {total} checks ({figures or 'none'})")
    for line in shown:
        print(line)
    bad = sum(counts[s] for s in failing)
    if total == 0:
        print(f"{tool}: FAILED, no check result found in {path}")
        return 1
    if bad:
        print(f"{tool}: FAILED, {bad} check(s) in {'/'.join(sorted(failing))}")
        return 1
    print(f"{tool}: OK (no {'/'.join(sorted(failing))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
