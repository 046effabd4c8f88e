#!/usr/bin/env bash
# Load benchmark of abm-scim on loopback: see BENCHMARKS.md.
#
#   bench/load.sh [--engine sqlite|postgres|both] [--users N] [--duration 10s]
#                 [--connections 16] [--threads 2] [--reaper-users 100000] [--ready-runs 5]
#                 [--label NAME] [--skip-build] [--write-doc]
#
# Builds the release server and the "limit" program (bench/limit), then for each engine: times
# start-to-ready, seeds N accounts with `abm-scim seed`, measures the "limit of the machine"
# (bench/limit) and each scenario with wrk (16 connections, the same settings for all), samples
# the server's RSS, runs the reaper over --reaper-users expired accounts while GETs go on, and
# captures EXPLAIN plans of the filter queries. Results: target/bench/results.{json,md} (and a
# copy named after N); plot: bench/results/throughput-N.png; --write-doc also writes the section
# for N accounts in BENCHMARKS.md.
#
# Loopback only; every loop is bounded in count and time. PostgreSQL: a fresh database
# abm_bench_* is created on the server of $BENCH_POSTGRES_URL (default
# postgres://abm:abm@127.0.0.1/abm) and dropped at the end; the server itself is never stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

ENGINES=both
USERS=10000
DURATION=10s
CONNECTIONS=16
THREADS=2
REAPER_USERS=100000
READY_RUNS=5
LABEL=""
SKIP_BUILD=0
WRITE_DOC=0
PG_URL=${BENCH_POSTGRES_URL:-postgres://abm:abm@127.0.0.1/abm}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) ENGINES=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --reaper-users) REAPER_USERS=$2; shift 2 ;;
    --ready-runs) READY_RUNS=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --write-doc) WRITE_DOC=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done
case "$ENGINES" in
  both) ENGINES="sqlite postgres" ;;
  sqlite|postgres) ;;
  *) echo "--engine must be sqlite, postgres or both" >&2; exit 2 ;;
esac
[[ "$USERS" =~ ^[0-9]+$ && "$USERS" -ge 1000 ]] || { echo "--users must be a number >= 1000" >&2; exit 2; }
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || { echo "--duration: e.g. 10s" >&2; exit 2; }

OUT=$ROOT/target/bench
WORK=$OUT/work
RAW=$OUT/raw
rm -rf "$WORK" "$RAW"
mkdir -p "$WORK" "$RAW" "$ROOT/bench/results"
BIN=$ROOT/target/release/abm-scim
LIMIT_BIN=$ROOT/target/bench-limit/release/abm-scim-bench-limit
ADMIN_TOKEN=bench-admin-token-0123456789abcdef
RUN_ID=$(date +%s)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- cleanup: only what this script started or created -------------------------------------
PIDS=()
PG_DBS=()
cleanup() {
  local pid db
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for db in "${PG_DBS[@]}"; do
    psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools -----------------------------------------------------------------------------------
need_apt() { # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (apt)"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null; }
  else
    sudo apt-get install -y "$2" >/dev/null
  fi
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing (apt package $2)"
}
need_apt wrk wrk
need_apt curl curl
need_apt python3 python3
need_apt sqlite3 sqlite3
case " $ENGINES " in *" postgres "*) need_apt psql postgresql-client ;; esac

if [ "$SKIP_BUILD" = 0 ]; then
  log "building the release server"
  cargo build --release --quiet
  log "building the limit program (bench/limit)"
  CARGO_TARGET_DIR=$ROOT/target/bench-limit cargo build --release --quiet --manifest-path bench/limit/Cargo.toml
fi
[ -x "$BIN" ] || die "$BIN is missing (run without --skip-build)"
[ -x "$LIMIT_BIN" ] || die "$LIMIT_BIN is missing (run without --skip-build)"

# ---- facts: KEY=VALUE lines, turned into JSON by bench/report.py -----------------------------
fact() { printf '%s=%s\n' "$2" "$3" >>"$RAW/$1.facts"; } # fact FILE KEY VALUE

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "label=$LABEL"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src migrations Cargo.toml 2>/dev/null || echo '+dirty')"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "ram_gib=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "sqlite=$(sqlite3 --version | cut -d' ' -f1) (CLI; the server bundles its own through sqlx)"
  echo "users=$USERS"
  echo "duration=$DURATION"
  echo "connections=$CONNECTIONS"
  echo "threads=$THREADS"
  echo "reaper_users=$REAPER_USERS"
  echo "engines=$ENGINES"
  echo "command=bench/load.sh --engine $(echo "$ENGINES" | sed 's/sqlite postgres/both/') --users $USERS --duration $DURATION --connections $CONNECTIONS --threads $THREADS --reaper-users $REAPER_USERS${LABEL:+ --label '$LABEL'}"
  echo "load_before=$(load_avg)"
} >"$RAW/machine.facts"
case " $ENGINES " in *" postgres "*)
  fact machine postgres "$(psql "$PG_URL" -qAtc 'SHOW server_version' 2>/dev/null || echo unreachable)" ;;
esac

# ---- server control ----------------------------------------------------------------------------
SERVER_PID=""
SERVER_URL=""
# start_server NAME DATABASE_URL [EXTRA ARGS...]: starts abm-scim on a free loopback port and
# waits (30 s at most) until /readyz answers 200.
start_server() {
  local name=$1 db=$2; shift 2
  local out=$WORK/$name.out err=$WORK/$name.err i
  "$BIN" --listen 127.0.0.1:0 --database-url "$db" --admin-token "$ADMIN_TOKEN" --clock system \
    --reaper-interval 24h "$@" >"$out" 2>"$err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL=""
  for i in $(seq 1 3000); do
    SERVER_URL=$(sed -n 's#^SCIM base URL: \(http://[^/]*\).*#\1#p' "$out" | head -1)
    [ -n "$SERVER_URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$err" >&2; die "server $name exited at start"; }
    sleep 0.01
  done
  [ -n "$SERVER_URL" ] || die "server $name printed no base URL in 30 s"
  for i in $(seq 1 3000); do
    curl -fsS -o /dev/null "$SERVER_URL/readyz" 2>/dev/null && return 0
    sleep 0.01
  done
  die "server $name not ready in 30 s"
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# RSS sampler: every 0.2 s while the server lives and $WORK/rss.stop is absent (4 h at most).
RSS_PID=""
start_rss_sampler() {
  local pid=$1 file=$2
  rm -f "$WORK/rss.stop"
  ( for _ in $(seq 1 72000); do
      [ -e "$WORK/rss.stop" ] && break
      kill -0 "$pid" 2>/dev/null || break
      rss_kib "$pid" >>"$file"
      sleep 0.2
    done ) &
  RSS_PID=$!
  PIDS+=("$RSS_PID")
}
stop_rss_sampler() { touch "$WORK/rss.stop"; wait "$RSS_PID" 2>/dev/null || true; }

# ---- load --------------------------------------------------------------------------------------
# run_wrk ENGINE SCENARIO URL MODE [VAR=VALUE...]: one wrk run of $DURATION; summary JSON in
# $RAW/ENGINE/SCENARIO.json. Errors (non-2xx answers, timeouts over 10 s, socket errors) are
# counted there and flagged in the report; the run goes on.
run_wrk() {
  local engine=$1 scenario=$2 url=$3 mode=$4; shift 4
  mkdir -p "$RAW/$engine"
  local json=$RAW/$engine/$scenario.json
  log "$engine: $scenario ($DURATION, $CONNECTIONS connections)"
  env BENCH_MODE="$mode" BENCH_OUT="$json" BENCH_THREADS="$THREADS" BENCH_RUN="$RUN_ID$scenario" "$@" \
    timeout 3600 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/scim.lua" "$url" \
    >"$WORK/$engine-$scenario.wrk.txt" 2>&1 || die "wrk failed: $(cat "$WORK/$engine-$scenario.wrk.txt")"
  check_wrk "$json" "$engine $scenario"
  settle
}
# Requests still queued in the server when wrk stops (slow scenarios) must not leak into the
# next scenario: wait (120 s at most) until /readyz, which takes a pooled database connection,
# answers within 50 ms again.
settle() {
  local i t
  for i in $(seq 1 240); do
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 "$SERVER_URL/readyz" || echo 9)
    if [ "$(echo "$t < 0.05" | bc -l)" = 1 ]; then
      [ "$i" -gt 1 ] && log "  settled after $i readiness probes"
      return 0
    fi
    sleep 0.5
  done
  log "  the server was still busy 120 s after the scenario"
}
check_wrk() {
  [ -s "$1" ] || die "$2: wrk wrote no summary (see target/bench/work/*.wrk.txt)"
  python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
bad = sum(r["errors"].values())
print(f"  {sys.argv[2]}: {r['rps']:.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms"
      + (f"  ERRORS {r['errors']}" if bad else ""), file=sys.stderr)
EOF
}

# ---- SQL helpers -------------------------------------------------------------------------------
# sql ENGINE DB QUERY: tab-separated rows.
sql() {
  case "$1" in
    sqlite) sqlite3 -batch -cmd ".timeout 30000" -separator $'\t' "$2" "$3" ;;
    postgres) psql "$2" -qAt -F $'\t' -v ON_ERROR_STOP=1 -c "$3" ;;
  esac
}

# ---- EXPLAIN: the SQL the server runs for the two filter requests, with its parameters bound ---
explain_queries() { # explain_queries ENGINE DB SERVER_DB_URL TOKEN ORG_ID NAME
  local engine=$1 db=$2 dburl=$3 token=$4 org=$5 name=$6
  local out=$RAW/$engine/explain.txt
  stop_server
  RUST_LOG="warn,sqlx::query=debug" start_server "$engine-explain" "$dburl" --log-format json
  local base=$SERVER_URL/feeds/business/scim
  local eq sw
  eq=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "userName eq \"$name\"")
  sw=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' 'userName sw "grace."')
  local lf=$WORK/$engine-explain.err eq_lines sw_lines off
  off=$(stat -c %s "$lf")
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/Users?filter=$eq" || log "explain: eq request failed"
  sleep 0.3
  eq_lines=$(python3 "$ROOT/bench/tools.py" sql-log "$lf" "$off" | grep -i 'user_name_norm' || true)
  off=$(stat -c %s "$lf")
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/Users?filter=$sw&sortBy=userName&count=100" || log "explain: sw request failed"
  sleep 0.3
  sw_lines=$(python3 "$ROOT/bench/tools.py" sql-log "$lf" "$off" | grep -i 'like' || true)
  stop_server
  local norm
  norm=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')
  {
    explain_group "$engine" "$db" "$org" "userName eq \"$name\"" "$norm" "$eq_lines"
    explain_group "$engine" "$db" "$org" 'userName sw "grace." sortBy=userName count=100' 'grace.%' "$sw_lines"
  } >"$out" 2>&1
}
explain_group() { # ENGINE DB ORG TITLE FILTER_VALUE JSON_LINES
  local engine=$1 db=$2 org=$3 title=$4 value=$5 lines=$6
  local pretty=SQLite; [ "$engine" = postgres ] && pretty=PostgreSQL
  echo
  echo "##### $pretty: \`$title\`"
  if [ -z "$lines" ]; then echo; echo "(no statement captured from the server's sqlx log)"; return 0; fi
  local stmt
  while IFS= read -r stmt; do
    local text
    text=$(python3 -c 'import json,sys;print(json.loads(sys.argv[1]))' "$stmt")
    echo
    echo '```sql'
    echo "$text" | sed '/^[[:space:]]*$/d'
    echo '```'
    echo
    echo '```text'
    explain_one "$engine" "$db" "$org" "$value" "$text" || echo "(EXPLAIN failed)"
    echo '```'
  done <<<"$lines"
}
# Binds $1/?1 = org id, the LIMIT/OFFSET placeholders = 100/0, any other = the filter value.
explain_one() {
  local engine=$1 db=$2 org=$3 value=$4 text=$5
  python3 - "$engine" "$org" "$value" "$text" >"$WORK/explain.sql" <<'EOF'
import re, sys
engine, org, value, text = sys.argv[1:5]
nums = sorted({int(n) for n in re.findall(r"[$?](\d+)", text)})
limit = re.search(r"LIMIT\s+[$?](\d+)", text, re.I)
offset = re.search(r"OFFSET\s+[$?](\d+)", text, re.I)
vals = {}
for n in nums:
    if n == 1: vals[n] = org
    elif limit and n == int(limit.group(1)): vals[n] = 100
    elif offset and n == int(offset.group(1)): vals[n] = 0
    else: vals[n] = value
def lit(v): return str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'"
if engine == "sqlite":
    for n in nums:
        # sqlx binds by position; the SQL names them $N or ?N.
        for prefix in ("$", "?"):
            if f"{prefix}{n}" in text:
                print(f".parameter set {prefix}{n} {lit(vals[n]) if isinstance(vals[n], int) else chr(34) + lit(vals[n]) + chr(34)}")
    print("EXPLAIN QUERY PLAN " + " ".join(text.split()) + ";")
else:
    print("PREPARE q AS " + " ".join(text.split()) + ";")
    print("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE q(" + ", ".join(lit(vals[n]) for n in nums) + ");")
EOF
  case "$engine" in
    sqlite) sqlite3 -batch -cmd ".timeout 30000" "$db" <"$WORK/explain.sql" ;;
    postgres) psql "$db" -qAt -v ON_ERROR_STOP=1 -f "$WORK/explain.sql" ;;
  esac
}

# ---- the limit of the machine --------------------------------------------------------------------
measure_limit() { # measure_limit ENGINE IDS_FILE
  local engine=$1 ids=$2 url="" i
  "$LIMIT_BIN" 127.0.0.1:0 >"$WORK/limit.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for i in $(seq 1 1000); do
    url=$(sed -n 's#^listening on \(http://.*\)#\1#p' "$WORK/limit.out")
    [ -n "$url" ] && break
    sleep 0.01
  done
  [ -n "$url" ] || die "the limit program did not start"
  run_wrk "$engine" limit "$url" get_id BENCH_IDS="$ids" BENCH_TOKEN= BENCH_BASE=/feeds/business/scim
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# ---- one engine ----------------------------------------------------------------------------------
pg_url_for() { echo "${PG_URL%/*}/$1"; }
pg_create() { psql "$PG_URL" -qAtc "CREATE DATABASE \"$1\"" >/dev/null; PG_DBS+=("$1"); }
pg_drop() { psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 || true; }

bench_engine() {
  local engine=$1 facts=$1
  mkdir -p "$RAW/$engine"
  fact "$facts" load_before "$(load_avg)"

  # Start to ready, from an empty database (migrations and first-start bootstrap included).
  log "$engine: start to /readyz, $READY_RUNS runs"
  local i ms times=()
  for i in $(seq 1 "$READY_RUNS"); do
    if [ "$engine" = sqlite ]; then
      ms=$(python3 bench/tools.py ready "$BIN" --database-url 'sqlite::memory:' --admin-token "$ADMIN_TOKEN" --reaper-interval 24h) || die "ready run failed"
    else
      local rdb=abm_bench_${RUN_ID}_ready$i
      pg_create "$rdb"
      ms=$(python3 bench/tools.py ready "$BIN" --database-url "$(pg_url_for "$rdb")" --admin-token "$ADMIN_TOKEN" --reaper-interval 24h) || die "ready run failed"
      pg_drop "$rdb"
    fi
    times+=("$ms")
  done
  fact "$facts" ready_ms "${times[*]}"

  # The database for the run.
  local db dburl
  if [ "$engine" = sqlite ]; then
    db=$WORK/sqlite/abm.db
    mkdir -p "$WORK/sqlite"
    rm -f "$db" "$db-wal" "$db-shm"
    dburl="sqlite:$db"
  else
    local name=abm_bench_${RUN_ID}_main
    pg_create "$name"
    db=$(pg_url_for "$name")
    dburl=$db
  fi

  # First start: migrations, bootstrap of "Example Org" and its SCIM token.
  start_server "$engine-first" "$dburl"
  local token
  token=$(sed -n 's/^SCIM token: //p' "$WORK/$engine-first.out" | head -1)
  [ -n "$token" ] || die "no SCIM token printed on first start"
  stop_server

  # Seeding (server stopped: the seed command has the database to itself).
  log "$engine: seeding $USERS accounts"
  local t0 t1 seed_out
  t0=$(date +%s.%N)
  seed_out=$("$BIN" seed --users "$USERS" --database-url "$dburl" 2>"$WORK/$engine-seed.err") || { cat "$WORK/$engine-seed.err" >&2; die "seed failed"; }
  t1=$(date +%s.%N)
  log "  $seed_out"
  fact "$facts" seed_line "$seed_out"
  fact "$facts" seed_seconds "$(echo "$t1 - $t0" | bc -l)"
  fact "$facts" seed_rate "$(echo "$seed_out" | sed -n 's/.*(\([0-9.]*\) accounts\/s).*/\1/p')"
  if [ "$engine" = postgres ]; then sql postgres "$db" "ANALYZE accounts" >/dev/null; fi

  # Restart with N accounts: ready time on a populated database, then idle RSS.
  t0=$(date +%s.%N)
  start_server "$engine-main" "$dburl"
  t1=$(date +%s.%N)
  fact "$facts" ready_populated_ms "$(echo "($t1 - $t0) * 1000" | bc -l | xargs printf '%.0f')"
  local pid=$SERVER_PID base=$SERVER_URL/feeds/business/scim
  sleep 1
  fact "$facts" rss_start_kib "$(rss_kib "$pid")"

  # Ids and userNames to request, sampled at random from the seeded accounts.
  local ids=$WORK/$engine-ids.txt names=$WORK/$engine-names.txt org
  sql "$engine" "$db" "SELECT id, user_name FROM accounts WHERE source = 'scim' ORDER BY random() LIMIT 1000" >"$WORK/$engine-sample.tsv"
  cut -f1 "$WORK/$engine-sample.tsv" >"$ids"
  cut -f2 "$WORK/$engine-sample.tsv" >"$names"
  [ "$(wc -l <"$ids")" -ge 100 ] || die "too few accounts sampled"
  org=$(sql "$engine" "$db" "SELECT id FROM orgs LIMIT 1")
  # The requests work (and a real response to compare with the limit program's).
  python3 bench/tools.py get "$base/Users/$(head -1 "$ids")" "$token" >"$WORK/$engine-user.json" || die "GET /Users/{id} failed"
  fact "$facts" user_json_bytes "$(wc -c <"$WORK/$engine-user.json")"

  measure_limit "$engine" "$ids"

  start_rss_sampler "$pid" "$WORK/$engine-rss.txt"
  local common=(BENCH_TOKEN="$token" BENCH_BASE=/feeds/business/scim)
  DURATION=2s run_wrk "$engine" warmup "$SERVER_URL" get_id BENCH_IDS="$ids" "${common[@]}"
  rm -f "$RAW/$engine/warmup.json"
  run_wrk "$engine" get_id "$SERVER_URL" get_id BENCH_IDS="$ids" "${common[@]}"
  run_wrk "$engine" filter_eq "$SERVER_URL" filter_eq BENCH_NAMES="$names" "${common[@]}"
  run_wrk "$engine" page_sw_sorted "$SERVER_URL" page_sw "${common[@]}"

  # Deep pages: page 1 and page P of 100 (P = 9,000, or the last full page of the seeded
  # accounts when there are fewer than 900,100), by startIndex and by cursor.
  local deep=$((USERS / 100)); [ "$deep" -gt 9000 ] && deep=9000
  local cursor
  fact "$facts" deep_page "$deep"
  log "$engine: walking nextCursor to page $deep"
  t0=$(date +%s.%N)
  if cursor=$(python3 bench/tools.py walk-cursor "$base/Users" "$token" $(((deep - 1) * 100)) 2>"$WORK/$engine-walk.err"); then
    t1=$(date +%s.%N)
    fact "$facts" cursor_walk "$(tail -1 "$WORK/$engine-walk.err") in $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s"
  else
    cursor=""
    fact "$facts" cursor_walk "FAILED: $(tail -1 "$WORK/$engine-walk.err")"
    log "  cursor walk failed: $(tail -1 "$WORK/$engine-walk.err"); no deep cursor page"
  fi
  run_wrk "$engine" page1_index "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?startIndex=1&count=100" "${common[@]}"
  run_wrk "$engine" deep_index "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?startIndex=$(((deep - 1) * 100 + 1))&count=100" "${common[@]}"
  run_wrk "$engine" page1_cursor "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?count=100&cursor=" "${common[@]}"
  [ -z "$cursor" ] || run_wrk "$engine" deep_cursor "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?count=100&cursor=$cursor" "${common[@]}"

  # Writes.
  run_wrk "$engine" post "$SERVER_URL" post "${common[@]}"
  run_wrk "$engine" patch_display_name "$SERVER_URL" patch_name BENCH_IDS="$ids" "${common[@]}"
  run_wrk "$engine" patch_active_toggle "$SERVER_URL" patch_active BENCH_IDS="$ids" "${common[@]}"
  stop_rss_sampler
  fact "$facts" rss_peak_kib "$(sort -n "$WORK/$engine-rss.txt" | tail -1)"
  sleep 2
  fact "$facts" rss_after_kib "$(rss_kib "$pid")"

  # Reaper: REAPER_USERS more accounts, deactivated 40 days ago, deleted by one requested pass
  # while GET /Users/{id} runs at full load.
  log "$engine: seeding $REAPER_USERS accounts for the reaper"
  seed_out=$("$BIN" seed --users "$REAPER_USERS" --start "$USERS" --database-url "$dburl" 2>"$WORK/$engine-seed2.err") || { cat "$WORK/$engine-seed2.err" >&2; die "seed for the reaper failed"; }
  local old=$(( ($(date +%s) - 40 * 86400) * 1000000 ))
  local cut=$((USERS))
  local expired
  if [ "$engine" = sqlite ]; then
    expired=$(sql sqlite "$db" "UPDATE accounts SET state = 'inactive', active = FALSE, deactivated_at = $old WHERE external_id LIKE 'ext-1-%' AND CAST(substr(external_id, 7) AS INTEGER) >= $cut; SELECT changes();")
  else
    expired=$(sql postgres "$db" "WITH u AS (UPDATE accounts SET state = 'inactive', active = FALSE, deactivated_at = $old WHERE external_id LIKE 'ext-1-%' AND CAST(substr(external_id, 7) AS BIGINT) >= $cut RETURNING 1) SELECT count(*) FROM u")
    sql postgres "$db" "ANALYZE accounts" >/dev/null
  fi
  fact "$facts" reaper_expired "$expired"
  log "$engine: reaper pass over $expired expired accounts, GET /Users/{id} during it"
  mkdir -p "$RAW/$engine"
  env BENCH_MODE=get_id BENCH_OUT="$RAW/$engine/get_id_during_reaper.json" BENCH_IDS="$ids" "${common[@]}" \
    timeout 900 wrk -t"$THREADS" -c"$CONNECTIONS" -d600s --timeout 10s -s "$ROOT/bench/scim.lua" "$SERVER_URL" \
    >"$WORK/$engine-reaper.wrk.txt" 2>&1 &
  local wrk_pid=$!
  PIDS+=("$wrk_pid")
  sleep 1
  # One requested pass; when the request is cut by the server's request timeout (30 s, answered
  # 503, which cancels the pass between batches) it is requested again, 20 times at most, and the
  # figure is the wall time until no expired account is left.
  local expired_sql="SELECT count(*) FROM accounts WHERE state = 'inactive' AND deactivated_at <= $old"
  local calls=0 failed=0 code left
  t0=$(date +%s.%N)
  while [ "$calls" -lt 20 ]; do
    calls=$((calls + 1))
    code=$(curl -sS -X POST --max-time 900 -H "Authorization: Bearer $ADMIN_TOKEN" \
      -o "$WORK/$engine-reaper.json" -w '%{http_code}' "$SERVER_URL/admin/v1/reaper/run" || echo 000)
    [ "$code" = 200 ] || { failed=$((failed + 1)); log "  reaper request answered $code"; }
    left=$(sql "$engine" "$db" "$expired_sql")
    [ "$left" = 0 ] && break
  done
  t1=$(date +%s.%N)
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  check_wrk "$RAW/$engine/get_id_during_reaper.json" "$engine GET during the reaper"
  fact "$facts" reaper_seconds "$(echo "$t1 - $t0" | bc -l)"
  fact "$facts" reaper_calls "$calls"
  fact "$facts" reaper_failed_calls "$failed"
  fact "$facts" reaper_deleted "$((expired - left))"
  fact "$facts" reaper_response_bytes "$(wc -c <"$WORK/$engine-reaper.json")"
  log "  reaper: $((expired - left)) deleted in $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s, $calls request(s), $failed failed"
  fact "$facts" accounts_after "$(sql "$engine" "$db" "SELECT count(*) FROM accounts")"

  explain_queries "$engine" "$db" "$dburl" "$token" "$org" "$(head -1 "$names")"
  fact "$facts" load_after "$(load_avg)"
  if [ "$engine" = postgres ]; then pg_drop "${db##*/}"; fi
}

for engine in $ENGINES; do
  bench_engine "$engine"
done
fact machine load_after "$(load_avg)"

# ---- report ------------------------------------------------------------------------------------
PY=python3
VENV=$ROOT/target/bench-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  log "setting up matplotlib in $VENV"
  python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet matplotlib || log "matplotlib unavailable: no plot"
fi
[ -x "$VENV/bin/python" ] && PY=$VENV/bin/python
report_args=("$RAW" "$OUT" "$ROOT/bench/results/throughput-$USERS.png")
[ "$WRITE_DOC" = 1 ] && report_args+=(--write-doc "$ROOT/BENCHMARKS.md")
"$PY" bench/report.py "${report_args[@]}"
log "results: $OUT/results.md, $OUT/results.json (and results-$USERS.*), bench/results/throughput-$USERS.png"
