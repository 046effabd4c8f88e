#!/usr/bin/env bash
# Journal cost benchmark (issue 16): GET /Users/{id} under wrk with the request journal off,
# on (the default queue, written every 50 ms or 500 entries), and overflowing (a queue of 8
# written once a second, so nearly every entry is dropped). The target: requests are not slowed
# by an overflowing journal — p99 within 2x of the journal off. See BENCHMARKS.md.
#
#   bench/journal.sh [--engines sqlite,postgres] [--duration 10s] [--connections 16]
#                    [--threads 2] [--skip-build]
#
# Release server ($CARGO_TARGET_DIR or target/)/release/abm-scim, loopback only, a fresh
# database per configuration (SQLite file in a temporary directory; PostgreSQL database
# abm_bench_journal_* on $BENCH_POSTGRES_URL, default postgres://abm:abm@127.0.0.1/abm, dropped
# at the end). Prints one line per run and a Markdown table, then a one-line summary.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ENGINES=sqlite,postgres
DURATION=10s
CONNECTIONS=16
THREADS=2
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) ENGINES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
[ "$BUILD" = 1 ] && cargo build --release --bin abm-scim
BIN=$TARGET/release/abm-scim
PG=${BENCH_POSTGRES_URL:-postgres://abm:abm@127.0.0.1/abm}
ADMIN=bench-journal-admin-token
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  for db in $(cat "$WORK/pg_dbs" 2>/dev/null); do psql "$PG" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start ENGINE NAME ARGS...: a fresh database, the server on a free port; sets URL and TOKEN.
start() {
  local engine=$1 name=$2; shift 2
  local db
  if [ "$engine" = sqlite ]; then
    db="sqlite:$WORK/$name.db"
  else
    local dbname="abm_bench_journal_${name}_$$"
    psql "$PG" -qc "CREATE DATABASE $dbname" >/dev/null
    echo "$dbname" >> "$WORK/pg_dbs"
    db="${PG%/*}/$dbname"
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" --listen "127.0.0.1:$port" --database-url "$db" --admin-token "$ADMIN" "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    grep -q '^SCIM token:' "$WORK/$name.out" 2>/dev/null && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  TOKEN=$(sed -n 's/^SCIM token: //p' "$WORK/$name.out")
  [ -n "$TOKEN" ] || { echo "server $name did not start:"; cat "$WORK/$name.log"; exit 1; }
  local id
  id=$(curl -sf -X POST "http://127.0.0.1:$port/feeds/business/scim/Users" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/scim+json' \
    -d '{"userName":"bench@example.com","name":{"givenName":"B","familyName":"J"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  URL="http://127.0.0.1:$port/feeds/business/scim/Users/$id"
  BASE="http://127.0.0.1:$port"
}

stop() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

# run LABEL: wrk against URL; appends "engine|label|req/s|p50|p99|non2xx|dropped".
run() {
  local engine=$1 label=$2
  local out="$WORK/wrk-$engine-$label.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$URL" > "$out"
  local rps p50 p99 non2xx dropped
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  # No /metrics (404) when the journal is off: "-".
  dropped=$({ curl -sf "$BASE/metrics" -H "Authorization: Bearer bench-journal-metrics-token" 2>/dev/null || true; } \
    | awk '/^abm_scim_journal_entries_dropped_total/ {print $2}'); dropped=${dropped:--}
  echo "$engine $label: $rps req/s, p50 $p50, p99 $p99, non-2xx $non2xx, journal entries dropped $dropped"
  echo "$engine|$label|$rps|$p50|$p99|$non2xx|$dropped" >> "$WORK/rows"
}

for engine in ${ENGINES//,/ }; do
  if [ "$engine" = postgres ] && ! psql "$PG" -qc 'SELECT 1' >/dev/null 2>&1; then
    echo "postgres: $PG not reachable, skipped"; continue
  fi
  start "$engine" off --journal-capacity 0; run "$engine" off; stop
  start "$engine" on --metrics-token bench-journal-metrics-token; run "$engine" on; stop
  start "$engine" overflowing --journal-queue 8 --journal-flush-interval 1s --metrics-token bench-journal-metrics-token
  run "$engine" overflowing; stop
done

echo
echo "| engine | journal | req/s | p50 | p99 | non-2xx | entries dropped |"
echo "|---|---|---|---|---|---|---|"
awk -F'|' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$WORK/rows"
# The target, per engine: p99 overflowing <= 2 x p99 off (wrk prints us/ms/s units).
python3 - "$WORK/rows" <<'PY'
import sys
def ms(v):
    for unit, k in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * k
    return float(v)
rows = [l.strip().split("|") for l in open(sys.argv[1])]
verdicts = []
for engine in dict.fromkeys(r[0] for r in rows):
    by = {r[1]: r for r in rows if r[0] == engine}
    off, over = ms(by["off"][4]), ms(by["overflowing"][4])
    verdicts.append(f"{engine}: p99 overflowing {over:.2f} ms vs off {off:.2f} ms ({over / off:.2f}x, target <= 2x: {'met' if over <= 2 * off else 'MISSED'})")
print("summary: " + "; ".join(verdicts))
PY
