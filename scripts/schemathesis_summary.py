#!/usr/bin/env python3
"""How much of the admin API a schemathesis run reached (scripts/schemathesis.sh).

    schemathesis_summary.py OUT_DIR

Reads the run's reports in OUT_DIR (run.json, events.ndjson, output.txt) and prints the
operations tested and reached (answered 2xx to valid data in some phase), how often each was,
and the stateful links covered: all of them, and those of the document. Exits 1 when an
operation was never reached, when schemathesis warned of a schema-validation mismatch or of
missing test data, or when the report is missing (the run was cut short).
"""

import json
import re
import sys

out = sys.argv[1]
try:
    with open(f"{out}/run.json") as f:
        report = json.load(f)
except (OSError, ValueError) as err:
    sys.exit(f"schemathesis summary: no complete report ({err}): the run was cut short")
with open(f"{out}/output.txt", errors="replace") as f:
    output = f.read()

operations = report["operations"]
rates = report.get("valid_rates", {})
reached = {label for label, phases in rates.items() if any(p["accepted"] for p in phases.values())}
cases = report["test_cases"]
print(
    f"schemathesis summary: {operations['tested']} of {operations['selected']} operations tested, "
    f"{len(reached)} reached with valid data (a 2xx answer); {cases['generated']} test cases, "
    f"{cases['with_failures']} failing"
)
for label in sorted(rates):
    counts = ", ".join(
        f"{phase} {p['accepted']}/{p['accepted'] + p['unreachable'] + p['conflicts'] + p['rejected']}"
        for phase, p in rates[label].items()
    )
    print(f"  {label}: valid cases answered 2xx: {counts}")

# Stateful links: schemathesis counts them; which of the document's were followed is in the
# events (each step names the link it took).
links = re.search(r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total", output)
followed = set()
try:
    with open(f"{out}/events.ndjson", errors="replace") as f:
        for line in f:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished or finished.get("phase") != "stateful":
                continue
            for case in finished["recorder"].get("cases", {}).values():
                transition = case.get("transition")
                if transition and not transition.get("is_inferred"):
                    followed.add(transition["id"])
except OSError:
    pass
try:
    with open(f"{out}/openapi.json") as f:
        document = json.load(f)
    declared = {
        f"{method.upper()} {path} -> [{status}] {name}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation.get("responses", {}).items()
        for name in response.get("links", {})
    }
except (OSError, ValueError):
    declared = set()
if links:
    print(f"schemathesis summary: stateful links: {links[1]} covered of {links[2]}", end="")
    if declared:
        taken = {d for d in declared if any(f.startswith(d + " -> ") for f in followed)}
        print(f"; of the document's own: {len(taken)} of {len(declared)}")
        for link in sorted(declared - taken):
            print(f"  not followed: {link}")
    else:
        print()

problems = []
if operations["tested"] < operations["selected"]:
    problems.append(f"{operations['selected'] - operations['tested']} operations not tested")
unreached = sorted(set(rates) - reached)
if unreached:
    problems.append("never reached with valid data: " + ", ".join(unreached))
warnings = report.get("warnings", {})
for kind in ("validation_mismatch", "missing_test_data"):
    if warnings.get(kind):
        problems.append(f"{kind}: " + ", ".join(warnings[kind]))
for problem in problems:
    print(f"schemathesis summary: FAIL: {problem}")
sys.exit(1 if problems else 0)
