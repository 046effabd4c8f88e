#!/usr/bin/env bash
# Load benchmark of abm-scim on loopback: see BENCHMARKS.md.
#
#   bench/load.sh [--modes file,memory,postgres|all] [--populate post|seed|both] [--users N]
#                 [--duration 10s] [--connections 16] [--threads 2] [--reaper-users 100000]
#                 [--ready-runs 5] [--label NAME] [--skip-build] [--write-doc]
#
#   --modes LIST     comma-separated, default all:
#                      file      SQLite file, --clock system (the README's first command)
#                      memory    sqlite::memory:, --clock manual (what test harnesses run)
#                      postgres  PostgreSQL, --clock system
#   --engine E       old spelling: sqlite = file, postgres = postgres, both = file,postgres
#   --populate P     how the N accounts get there, default post:
#                      post  the server starts on an empty database and N users are created
#                            through POST /Users (Entra ID's body), --connections at once,
#                            stopping after exactly N 201s; the rate and any non-2xx are
#                            recorded and the scenarios follow at once (no seeder, no ANALYZE,
#                            no VACUUM)
#                      seed  `abm-scim seed` with the server stopped (it ends with VACUUM
#                            ANALYZE on PostgreSQL), then a restart; memory mode has no
#                            database outside the server, so there the accounts go through
#                            POST /admin/v1/seed (documents of 2,000)
#                      both  each mode twice, post then seed
#   --users N        accounts to populate (>= 1000), default 10000
#   --duration D     per wrk scenario, default 10s
#   --connections C  wrk connections (scenarios and provisioning), default 16
#   --threads T      wrk threads, default 2
#   --reaper-users R expired accounts for the reaper pass, default 100000; 0 skips it
#   --ready-runs K   start-to-ready runs on an empty database, default 5
#   --label NAME     printed on the results and the plot
#   --skip-build     use the binaries already built
#   --write-doc      also write the section for N accounts in BENCHMARKS.md
#
# Builds the release server and the "limit" program (bench/limit), then for each mode and
# population (a "run"): times start-to-ready on an empty database, measures the "limit of the
# machine" (bench/limit, the same wrk settings), populates N accounts, then runs each wrk
# scenario (non-2xx answers counted for every one), samples the server's RSS, runs the reaper
# over --reaper-users expired accounts while GETs go on, and captures EXPLAIN plans of the filter
# queries (not in memory mode). Results: target/bench/results.{json,md} (and a copy named after
# N), one-line summary last; plot: bench/results/throughput-N.png (runs side by side).
# Binaries: $CARGO_TARGET_DIR (default target/)/release/abm-scim and .../bench-limit/.
#
# Loopback only; every loop is bounded in count and time. PostgreSQL: a fresh database
# abm_bench_* is created per run on the server of $BENCH_POSTGRES_URL (default
# postgres://abm:abm@127.0.0.1/abm) and dropped at the end; the server itself is never stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

MODES=all
POPULATE=post
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
    -h|--help) usage 0 ;;
    --skip-build) SKIP_BUILD=1; shift; continue ;;
    --write-doc) WRITE_DOC=1; shift; continue ;;
  esac
  [ $# -ge 2 ] || { echo "$1 needs a value" >&2; usage 2; }
  case "$1" in
    --modes) MODES=$2; shift 2 ;;
    --populate) POPULATE=$2; shift 2 ;;
    --engine)
      case "$2" in
        sqlite) MODES="file" ;; postgres) MODES="postgres" ;; both) MODES="file,postgres" ;;
        *) echo "--engine must be sqlite, postgres or both" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --reaper-users) REAPER_USERS=$2; shift 2 ;;
    --ready-runs) READY_RUNS=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done
[ "$MODES" = all ] && MODES=file,memory,postgres
MODE_LIST=""
for m in ${MODES//,/ }; do
  case "$m" in
    file|memory|postgres) case " $MODE_LIST " in *" $m "*) ;; *) MODE_LIST="${MODE_LIST:+$MODE_LIST }$m" ;; esac ;;
    *) echo "--modes: $m is not one of file, memory, postgres, all" >&2; exit 2 ;;
  esac
done
[ -n "$MODE_LIST" ] || { echo "--modes is empty" >&2; exit 2; }
case "$POPULATE" in
  post|seed) POP_LIST=$POPULATE ;;
  both) POP_LIST="post seed" ;;
  *) echo "--populate must be post, seed or both" >&2; exit 2 ;;
esac
[[ "$USERS" =~ ^[0-9]+$ && "$USERS" -ge 1000 ]] || { echo "--users must be a number >= 1000" >&2; exit 2; }
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || { echo "--duration: e.g. 10s" >&2; exit 2; }
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -ge 1 ]] || { echo "--connections must be a number >= 1" >&2; exit 2; }
[[ "$THREADS" =~ ^[0-9]+$ && "$THREADS" -ge 1 && "$THREADS" -le "$CONNECTIONS" ]] || { echo "--threads must be 1..connections" >&2; exit 2; }
[[ "$REAPER_USERS" =~ ^[0-9]+$ ]] || { echo "--reaper-users must be a number (0 skips the reaper)" >&2; exit 2; }
[[ "$READY_RUNS" =~ ^[0-9]+$ && "$READY_RUNS" -ge 1 ]] || { echo "--ready-runs must be a number >= 1" >&2; exit 2; }
RUNS=""
for m in $MODE_LIST; do for p in $POP_LIST; do RUNS="${RUNS:+$RUNS }$m-$p"; done; done

OUT=$ROOT/target/bench
WORK=$OUT/work
RAW=$OUT/raw
rm -rf "$WORK" "$RAW"
mkdir -p "$WORK" "$RAW" "$ROOT/bench/results"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
BIN=$TARGET/release/abm-scim
LIMIT_BIN=$TARGET/bench-limit/release/abm-scim-bench-limit
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
need_apt bc bc
case " $MODE_LIST " in *" postgres "*) need_apt psql postgresql-client ;; esac

if [ "$SKIP_BUILD" = 0 ]; then
  log "building the release server ($TARGET)"
  CARGO_TARGET_DIR=$TARGET cargo build --release --quiet
  log "building the limit program (bench/limit)"
  CARGO_TARGET_DIR=$TARGET/bench-limit cargo build --release --quiet --manifest-path bench/limit/Cargo.toml
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
  echo "modes=$MODE_LIST"
  echo "populate=$POP_LIST"
  echo "runs=$RUNS"
  # shellcheck disable=SC2016 # the label is quoted for the reader of the command line
  echo "command=bench/load.sh --modes ${MODE_LIST// /,} --populate $POPULATE --users $USERS --duration $DURATION --connections $CONNECTIONS --threads $THREADS --reaper-users $REAPER_USERS${LABEL:+ --label '$LABEL'}"
  echo "load_before=$(load_avg)"
  echo "started_s=$(date +%s)"
} >"$RAW/machine.facts"
case " $MODE_LIST " in *" postgres "*)
  fact machine postgres "$(psql "$PG_URL" -qAtc 'SHOW server_version' 2>/dev/null || echo unreachable)" ;;
esac

# ---- server control ----------------------------------------------------------------------------
SERVER_PID=""
SERVER_URL=""
CLOCK=system # the current run's --clock
# start_server NAME DATABASE_URL [EXTRA ARGS...]: starts abm-scim on a free loopback port and
# waits (30 s at most) until /readyz answers 200.
start_server() {
  local name=$1 db=$2; shift 2
  local out=$WORK/$name.out err=$WORK/$name.err i
  "$BIN" --listen 127.0.0.1:0 --database-url "$db" --admin-token "$ADMIN_TOKEN" --clock "$CLOCK" \
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
# run_wrk KEY SCENARIO URL MODE [VAR=VALUE...]: one wrk run of $DURATION; summary JSON in
# $RAW/KEY/SCENARIO.json. Errors (non-2xx answers, timeouts over 10 s, socket errors) are
# counted there, printed on the progress line and flagged in the report; the run goes on.
run_wrk() {
  local key=$1 scenario=$2 url=$3 mode=$4; shift 4
  mkdir -p "$RAW/$key"
  local json=$RAW/$key/$scenario.json
  log "$key: $scenario ($DURATION, $CONNECTIONS connections)"
  env BENCH_MODE="$mode" BENCH_OUT="$json" BENCH_THREADS="$THREADS" BENCH_RUN="$RUN_ID$scenario" "$@" \
    timeout 3600 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/scim.lua" "$url" \
    >"$WORK/$key-$scenario.wrk.txt" 2>&1 || die "wrk failed: $(cat "$WORK/$key-$scenario.wrk.txt")"
  check_wrk "$json" "$key $scenario"
  settle
  db_check "$key" "$scenario"
}
# db_check KEY SCENARIO: after each scenario of a run (once DB_CHECK_TOKEN is set), one
# GET /Users?count=1 must still answer 200; the first scenario after which it does not is
# recorded (db_failed_after) and said, since every later figure of the run measures errors.
DB_CHECK_TOKEN=""
db_check() {
  [ -n "$DB_CHECK_TOKEN" ] || return 0
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $DB_CHECK_TOKEN" \
    "$SERVER_URL/feeds/business/scim/Users?count=1&attributes=id" || echo 000)
  [ "$code" = 200 ] && return 0
  if ! grep -q '^db_failed_after=' "$RAW/$1.facts" 2>/dev/null; then
    fact "$1" db_failed_after "$2 (then GET /Users?count=1 answered $code)"
    log "  $1: GET /Users?count=1 answers $code after $2: the database is broken, later figures of this run measure errors"
  fi
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
e = r["errors"]
other = {k: v for k, v in e.items() if k != "status" and v}
print(f"  {sys.argv[2]}: {r['rps']:.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms"
      f"  non-2xx {e['status']}" + ("  <- NOT ZERO" if e["status"] else "")
      + (f"  OTHER ERRORS {other}" if other else ""), file=sys.stderr)
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
explain_queries() { # explain_queries KEY ENGINE DB SERVER_DB_URL TOKEN ORG_ID NAME
  local key=$1 engine=$2 db=$3 dburl=$4 token=$5 org=$6 name=$7
  local out=$RAW/$key/explain.txt
  stop_server
  RUST_LOG="warn,sqlx::query=debug" start_server "$key-explain" "$dburl" --log-format json
  local base=$SERVER_URL/feeds/business/scim
  local eq sw
  eq=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "userName eq \"$name\"")
  sw=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' 'userName sw "grace."')
  local lf=$WORK/$key-explain.err eq_lines sw_lines off
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
  local pretty="SQLite file"; [ "$engine" = postgres ] && pretty=PostgreSQL
  pretty="$pretty, $POP_TEXT"
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
# measure_limit KEY: wrk's get_id scenario on bench/limit (fixed JSON; ids are irrelevant to it).
measure_limit() {
  local key=$1 url="" i
  "$LIMIT_BIN" 127.0.0.1:0 >"$WORK/limit.out" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for i in $(seq 1 1000); do
    url=$(sed -n 's#^listening on \(http://.*\)#\1#p' "$WORK/limit.out")
    [ -n "$url" ] && break
    sleep 0.01
  done
  [ -n "$url" ] || die "the limit program did not start"
  printf '%s\n' 00000000-0000-4000-8000-000000000000 >"$WORK/limit-ids.txt"
  # (SERVER_URL for settle(): the limit program answers /readyz with a quick 404.)
  SERVER_URL=$url run_wrk "$key" limit "$url" get_id BENCH_IDS="$WORK/limit-ids.txt" BENCH_TOKEN= BENCH_BASE=/feeds/business/scim
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# ---- databases -----------------------------------------------------------------------------------
pg_url_for() { echo "${PG_URL%/*}/$1"; }
pg_create() { psql "$PG_URL" -qAtc "CREATE DATABASE \"$1\"" >/dev/null; PG_DBS+=("$1"); }
pg_drop() { psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 || true; }
# What autovacuum did to the accounts table so far (PostgreSQL; statistics lag by ~1 s).
# pg_class.reltuples is what the planner assumes (-1: never analyzed nor vacuumed); the
# counters of pg_stat_user_tables say whether autovacuum/autoanalyze ran (they lag by ~1 s).
pg_table_stats() {
  sql postgres "$1" "SELECT 'planner rows ' || c.reltuples::bigint || CASE WHEN c.reltuples < 0 THEN ' (never analyzed)' ELSE '' END || '; ANALYZE ' || s.analyze_count || ', autoanalyze ' || s.autoanalyze_count || ', autovacuum ' || s.autovacuum_count || coalesce(' (last autoanalyze ' || to_char(s.last_autoanalyze, 'HH24:MI:SS') || ')', '') FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'accounts'" 2>/dev/null || echo unknown
}

# ---- populations ---------------------------------------------------------------------------------
# populate_post KEY TOKEN: exactly $USERS users created through POST /Users into the running
# server ($SERVER_URL), $CONNECTIONS at once (bench/scim.lua, mode provision). Writes
# $WORK/KEY-created.tsv ("id<TAB>userName" of every 201) and the populate_* facts; sets
# NEXT_INDEX (first account index the provisioning did not use).
NEXT_INDEX=0
populate_post() {
  local key=$1 token=$2
  local cap=$WORK/$key-provision json=$RAW/$key/populate.json
  # Bound: 50 creates/s at worst, and a minute more.
  local bound=$((USERS / 50 + 60))
  mkdir -p "$RAW/$key"
  rm -f "$cap".*
  log "$key: provisioning $USERS users by POST /Users into the empty server ($CONNECTIONS connections)"
  local t0 wrk_pid i
  t0=$(date +%s.%N)
  env BENCH_MODE=provision BENCH_COUNT="$USERS" BENCH_CAPTURE="$cap" BENCH_OUT="$json" \
    BENCH_THREADS="$THREADS" BENCH_TOKEN="$token" BENCH_BASE=/feeds/business/scim \
    timeout $((bound + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${bound}s" --timeout 10s \
    -s "$ROOT/bench/scim.lua" "$SERVER_URL" >"$WORK/$key-populate.wrk.txt" 2>&1 &
  wrk_pid=$!
  PIDS+=("$wrk_pid")
  # Each wrk thread writes $cap.done-<thread> when its share is created (or it gave up); wrk
  # itself would run until -d, so it is ended with SIGINT once all of them are there.
  local done_files=()
  for i in $(seq 1 $((bound * 20 + 200))); do
    done_files=("$cap".done-*)
    [ -e "${done_files[0]}" ] && [ "${#done_files[@]}" -ge "$THREADS" ] && break
    kill -0 "$wrk_pid" 2>/dev/null || break
    sleep 0.05
  done
  # wrk stops on SIGINT; sent again every 0.1 s (10 s at most) in case one was lost.
  for i in $(seq 1 100); do
    kill -INT "$wrk_pid" 2>/dev/null || break
    sleep 0.1
  done
  wait "$wrk_pid" 2>/dev/null || true
  [ -s "$json" ] || die "$key: provisioning wrote no summary (see $WORK/$key-populate.wrk.txt)"
  cat "$cap".*.tsv >"$WORK/$key-created.tsv" 2>/dev/null || true
  local why=""
  [ -e "${done_files[0]}" ] || why="no thread finished in ${bound} s"
  if [ -z "$why" ] && [ "${#done_files[@]}" -lt "$THREADS" ]; then why="${#done_files[@]} of $THREADS threads finished in ${bound} s"; fi
  for i in "$cap".why-*; do [ -e "$i" ] && why="${why:+$why; }$(cat "$i")"; done
  local visible
  visible=$(python3 bench/tools.py total "$SERVER_URL/feeds/business/scim/Users" "$token" 2>/dev/null || echo "?")
  python3 - "$json" "$t0" "$RAW/$key.facts" "$visible" "$why" "$cap" <<'PYEOF'
import glob, json, sys
path, t0, facts, visible, why, cap = sys.argv[1:7]
r = json.load(open(path))
ends = []
for f in glob.glob(cap + ".done-*"):
    try:
        ends.append(float(open(f).read().strip()))
    except ValueError:
        pass
seconds = (max(ends) - float(t0)) if ends else r["seconds"]
created = r.get("created", 0)
statuses = r.get("statuses", {})
e = r["errors"]
other = {k: v for k, v in e.items() if k != "status" and v}
with open(facts, "a") as f:
    for key, value in [("populate_created", created), ("populate_seconds", f"{seconds:.3f}"),
                       ("populate_rate", f"{created / max(seconds, 1e-9):.3f}"),
                       ("populate_posts", r.get("posted", 0)), ("populate_failed", r.get("failed", 0)),
                       ("populate_non2xx", e["status"]),
                       ("populate_statuses", " ".join(f"{k}x{v}" for k, v in sorted(statuses.items()))),
                       ("populate_other_errors", " ".join(f"{k}={v}" for k, v in other.items())),
                       ("populate_fillers", r.get("fillers", 0)), ("populate_visible", visible),
                       ("populate_p50_ms", r["p50_ms"]), ("populate_p99_ms", r["p99_ms"]),
                       ("populate_incomplete", why), ("next_index", r.get("next_index", 0))]:
        f.write(f"{key}={value}\n")
print(f"  provisioned {created} users in {seconds:.2f} s: {created / max(seconds, 1e-9):.0f} creates/s, "
      f"p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms, non-2xx {e['status']}"
      + (f" {statuses}" if statuses else "") + (f", other errors {other}" if other else "")
      + f"; SCIM-visible afterwards: {visible}" + (f"; INCOMPLETE: {why}" if why else ""), file=sys.stderr)
PYEOF
  NEXT_INDEX=$(sed -n 's/^next_index=//p' "$RAW/$key.facts" | tail -1)
  [ "$NEXT_INDEX" -ge "$USERS" ] 2>/dev/null || NEXT_INDEX=$USERS
  [ "$(wc -l <"$WORK/$key-created.tsv")" -ge 100 ] || die "$key: fewer than 100 users were created"
}

# populate_seed_cli KEY DBURL: `abm-scim seed` with the server stopped (as before --populate).
populate_seed_cli() {
  local key=$1 dburl=$2 t0 t1 seed_out
  log "$key: seeding $USERS accounts (abm-scim seed)"
  t0=$(date +%s.%N)
  seed_out=$("$BIN" seed --users "$USERS" --database-url "$dburl" 2>"$WORK/$key-seed.err") || { cat "$WORK/$key-seed.err" >&2; die "seed failed"; }
  t1=$(date +%s.%N)
  record_seed "$key" "abm-scim seed" "$seed_out" "$t0" "$t1"
}

# populate_seed_admin KEY ORG_ID ORG_NAME DOMAIN: POST /admin/v1/seed (memory mode).
populate_seed_admin() {
  local key=$1 org=$2 org_name=$3 domain=$4 t0 t1 seed_out
  log "$key: seeding $USERS accounts (POST /admin/v1/seed, documents of 2,000)"
  t0=$(date +%s.%N)
  seed_out=$(python3 bench/tools.py admin-seed "$SERVER_URL" "$ADMIN_TOKEN" "$org" "$org_name" "$domain" 0 "$USERS" 2>"$WORK/$key-seed.err") || { cat "$WORK/$key-seed.err" >&2; die "seed through the admin API failed"; }
  t1=$(date +%s.%N)
  record_seed "$key" "POST /admin/v1/seed" "$seed_out" "$t0" "$t1"
}

# record_seed KEY HOW OUTPUT T0 T1: the seeding facts of a run (its summary line, how, time, rate).
record_seed() {
  local key=$1 how=$2 seed_out=$3 t0=$4 t1=$5
  log "  $seed_out"
  fact "$key" seed_line "$seed_out"
  fact "$key" seed_how "$how"
  fact "$key" seed_seconds "$(echo "$t1 - $t0" | bc -l)"
  fact "$key" seed_rate "$(echo "$seed_out" | sed -n 's/.*(\([0-9.]*\) accounts\/s).*/\1/p')"
}

# ---- one run: a mode and a population ------------------------------------------------------------
POP_TEXT=""
bench_run() {
  local mode=$1 pop=$2 key=$1-$2 engine=sqlite
  [ "$mode" = postgres ] && engine=postgres
  CLOCK=system
  [ "$mode" = memory ] && CLOCK=manual
  POP_TEXT="accounts by POST /Users"
  [ "$pop" = seed ] && POP_TEXT="accounts seeded"
  mkdir -p "$RAW/$key"
  fact "$key" mode "$mode"
  fact "$key" population "$pop"
  fact "$key" engine "$engine"
  fact "$key" clock "$CLOCK"
  fact "$key" load_before "$(load_avg)"
  fact "$key" started_s "$(date +%s)"

  # Start to ready, from an empty database (migrations and first-start bootstrap included).
  log "$key: start to /readyz on an empty database, $READY_RUNS runs"
  local i ms times=()
  for i in $(seq 1 "$READY_RUNS"); do
    case "$mode" in
      memory)
        ms=$(python3 bench/tools.py ready "$BIN" --database-url 'sqlite::memory:' --clock manual --admin-token "$ADMIN_TOKEN" --reaper-interval 24h) || die "ready run failed" ;;
      file)
        local rf=$WORK/ready-$i.db
        rm -f "$rf" "$rf-wal" "$rf-shm"
        ms=$(python3 bench/tools.py ready "$BIN" --database-url "sqlite:$rf" --admin-token "$ADMIN_TOKEN" --reaper-interval 24h) || die "ready run failed"
        rm -f "$rf" "$rf-wal" "$rf-shm" ;;
      postgres)
        local rdb=abm_bench_${RUN_ID}_ready$i
        pg_create "$rdb"
        ms=$(python3 bench/tools.py ready "$BIN" --database-url "$(pg_url_for "$rdb")" --admin-token "$ADMIN_TOKEN" --reaper-interval 24h) || die "ready run failed"
        pg_drop "$rdb" ;;
    esac
    times+=("$ms")
  done
  fact "$key" ready_ms "${times[*]}"

  # The limit of the machine, before the population: the scenarios follow it at once.
  measure_limit "$key"

  # The database for the run.
  local db="" dburl
  case "$mode" in
    memory) dburl='sqlite::memory:' ;;
    file)
      db=$WORK/$key/abm.db
      mkdir -p "$WORK/$key"
      rm -f "$db" "$db-wal" "$db-shm"
      dburl="sqlite:$db" ;;
    postgres)
      local name=abm_bench_${RUN_ID}_$pop
      pg_create "$name"
      db=$(pg_url_for "$name")
      dburl=$db ;;
  esac

  # First start: migrations, bootstrap of "Example Org" and its SCIM token.
  local t0 t1 token org org_name domain
  t0=$(date +%s.%N)
  start_server "$key-first" "$dburl"
  token=$(sed -n 's/^SCIM token: //p' "$WORK/$key-first.out" | head -1)
  [ -n "$token" ] || die "no SCIM token printed on first start"
  IFS=$'\t' read -r org org_name domain < <(python3 bench/tools.py org "$SERVER_URL" "$ADMIN_TOKEN") || die "GET /admin/v1/orgs failed"
  [ -n "$org" ] || die "no organization after the first start"

  NEXT_INDEX=$USERS
  if [ "$pop" = post ]; then
    # The freshly started, empty server takes the users one POST at a time.
    populate_post "$key" "$token"
    if [ "$engine" = postgres ]; then fact "$key" pg_stats_after_populate "$(pg_table_stats "$db")"; fi
  elif [ "$mode" = memory ]; then
    populate_seed_admin "$key" "$org" "$org_name" "$domain"
  else
    # Seeding with the server stopped (the seed command has the database to itself), then a
    # restart: ready time on a populated database.
    stop_server
    populate_seed_cli "$key" "$dburl"
    if [ "$engine" = postgres ]; then sql postgres "$db" "ANALYZE accounts" >/dev/null; fi
    t0=$(date +%s.%N)
    start_server "$key-main" "$dburl"
    t1=$(date +%s.%N)
    fact "$key" ready_populated_ms "$(echo "($t1 - $t0) * 1000" | bc -l | xargs printf '%.0f')"
  fi
  local pid=$SERVER_PID base=$SERVER_URL/feeds/business/scim
  if [ "$pop" = seed ]; then sleep 1; fi
  fact "$key" rss_start_kib "$(rss_kib "$pid")"

  # Ids and userNames to request: 1,000 drawn at random from the population.
  local ids=$WORK/$key-ids.txt names=$WORK/$key-names.txt
  if [ "$pop" = post ]; then
    shuf -n 1000 "$WORK/$key-created.tsv" >"$WORK/$key-sample.tsv"
  elif [ "$mode" = memory ]; then
    python3 bench/tools.py lookup "$base/Users" "$token" "$domain" 0 "$USERS" 1000 "$WORK/$key-sample.tsv" || die "looking up the seeded accounts failed"
  else
    sql "$engine" "$db" "SELECT id, user_name FROM accounts WHERE source = 'scim' ORDER BY random() LIMIT 1000" >"$WORK/$key-sample.tsv"
  fi
  cut -f1 "$WORK/$key-sample.tsv" >"$ids"
  cut -f2 "$WORK/$key-sample.tsv" >"$names"
  [ "$(wc -l <"$ids")" -ge 100 ] || die "too few accounts sampled"
  # The requests work (and a real response to compare with the limit program's).
  python3 bench/tools.py get "$base/Users/$(head -1 "$ids")" "$token" >"$WORK/$key-user.json" || die "GET /Users/{id} failed"
  fact "$key" user_json_bytes "$(wc -c <"$WORK/$key-user.json")"

  start_rss_sampler "$pid" "$WORK/$key-rss.txt"
  DB_CHECK_TOKEN=$token
  local common=(BENCH_TOKEN="$token" BENCH_BASE=/feeds/business/scim)
  DURATION=2s run_wrk "$key" warmup "$SERVER_URL" get_id BENCH_IDS="$ids" "${common[@]}"
  rm -f "$RAW/$key/warmup.json"
  run_wrk "$key" get_id "$SERVER_URL" get_id BENCH_IDS="$ids" "${common[@]}"
  run_wrk "$key" filter_eq "$SERVER_URL" filter_eq BENCH_NAMES="$names" "${common[@]}"
  run_wrk "$key" page_sw_sorted "$SERVER_URL" page_sw "${common[@]}"

  # Deep pages: page 1 and page P of 100 (P = 9,000, or the last full page of the populated
  # accounts when there are fewer than 900,100), by startIndex and by cursor.
  local deep=$((USERS / 100)); [ "$deep" -gt 9000 ] && deep=9000
  local cursor
  fact "$key" deep_page "$deep"
  log "$key: walking nextCursor to page $deep"
  t0=$(date +%s.%N)
  if cursor=$(python3 bench/tools.py walk-cursor "$base/Users" "$token" $(((deep - 1) * 100)) 2>"$WORK/$key-walk.err"); then
    t1=$(date +%s.%N)
    fact "$key" cursor_walk "$(tail -1 "$WORK/$key-walk.err") in $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s"
  else
    cursor=""
    fact "$key" cursor_walk "FAILED: $(tail -1 "$WORK/$key-walk.err")"
    log "  cursor walk failed: $(tail -1 "$WORK/$key-walk.err"); no deep cursor page"
  fi
  run_wrk "$key" page1_index "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?startIndex=1&count=100" "${common[@]}"
  run_wrk "$key" deep_index "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?startIndex=$(((deep - 1) * 100 + 1))&count=100" "${common[@]}"
  run_wrk "$key" page1_cursor "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?count=100&cursor=" "${common[@]}"
  [ -z "$cursor" ] || run_wrk "$key" deep_cursor "$SERVER_URL" static BENCH_PATH="/feeds/business/scim/Users?count=100&cursor=$cursor" "${common[@]}"

  # Writes.
  run_wrk "$key" post "$SERVER_URL" post "${common[@]}"
  run_wrk "$key" patch_display_name "$SERVER_URL" patch_name BENCH_IDS="$ids" "${common[@]}"
  run_wrk "$key" patch_active_toggle "$SERVER_URL" patch_active BENCH_IDS="$ids" "${common[@]}"
  stop_rss_sampler
  fact "$key" rss_peak_kib "$(sort -n "$WORK/$key-rss.txt" | tail -1)"
  if [ "$engine" = postgres ]; then fact "$key" pg_stats_after_scenarios "$(pg_table_stats "$db")"; fi
  sleep 2
  fact "$key" rss_after_kib "$(rss_kib "$pid")"

  if [ "$REAPER_USERS" -gt 0 ] && grep -q '^db_failed_after=' "$RAW/$key.facts"; then
    log "$key: reaper skipped: the database stopped answering during the scenarios"
    fact "$key" reaper_skipped "the database stopped answering during the scenarios"
  elif [ "$REAPER_USERS" -gt 0 ]; then
    reaper_pass "$key" "$mode" "$engine" "$db" "$dburl" "$ids" "$org" "$org_name" "$domain" "${common[@]}"
  else
    log "$key: reaper skipped (--reaper-users 0)"
  fi

  DB_CHECK_TOKEN=""
  if [ "$mode" = memory ]; then
    fact "$key" accounts_after "$(python3 bench/tools.py total "$base/Users" "$token" 2>/dev/null || echo '?') (SCIM-visible)"
    printf '\n##### SQLite in memory, %s\n\n(no EXPLAIN: the in-memory database is reachable only inside the server)\n' "$POP_TEXT" >"$RAW/$key/explain.txt"
    stop_server
  else
    fact "$key" accounts_after "$(sql "$engine" "$db" "SELECT count(*) FROM accounts")"
    explain_queries "$key" "$engine" "$db" "$dburl" "$token" "$org" "$(head -1 "$names")"
  fi
  fact "$key" load_after "$(load_avg)"
  fact "$key" finished_s "$(date +%s)"
  if [ "$engine" = postgres ]; then pg_drop "${db##*/}"; fi
  if [ "$mode" = file ]; then rm -f "$db" "$db-wal" "$db-shm"; fi
}

# reaper_pass KEY MODE ENGINE DB DBURL IDS ORG ORG_NAME DOMAIN VAR=VALUE...: REAPER_USERS more
# accounts, deactivated 40 days ago, deleted by requested passes while GET /Users/{id} runs at
# full load.
reaper_pass() {
  local key=$1 mode=$2 engine=$3 db=$4 dburl=$5 ids=$6 org=$7 org_name=$8 domain=$9; shift 9
  local common=("$@") start=$NEXT_INDEX old expired seed_out
  old=$(( ($(date +%s) - 40 * 86400) * 1000000 ))
  if [ "$mode" = memory ]; then
    # No database outside the server: the admin API seeds them already deactivated 40 days
    # before the manual clock's now, and a dry run of the reaper counts what is left.
    log "$key: seeding $REAPER_USERS deactivated accounts for the reaper (POST /admin/v1/seed)"
    if ! seed_out=$(python3 bench/tools.py admin-seed "$SERVER_URL" "$ADMIN_TOKEN" "$org" "$org_name" "$domain" "$start" "$REAPER_USERS" 40 2>"$WORK/$key-seed2.err"); then
      log "  seeding for the reaper failed ($(tail -1 "$WORK/$key-seed2.err")): reaper skipped"
      fact "$key" reaper_skipped "POST /admin/v1/seed failed: $(tail -1 "$WORK/$key-seed2.err")"
      return 0
    fi
    log "  $seed_out"
    expired=$(reaper_left "$key" "$mode" "$engine" "$db" "$old")
  else
    log "$key: seeding $REAPER_USERS accounts for the reaper (abm-scim seed --start $start)"
    seed_out=$("$BIN" seed --users "$REAPER_USERS" --start "$start" --database-url "$dburl" 2>"$WORK/$key-seed2.err") || { cat "$WORK/$key-seed2.err" >&2; die "seed for the reaper failed"; }
    if [ "$engine" = sqlite ]; then
      expired=$(sql sqlite "$db" "UPDATE accounts SET state = 'inactive', active = FALSE, deactivated_at = $old WHERE external_id LIKE 'ext-1-%' AND CAST(substr(external_id, 7) AS INTEGER) >= $start; SELECT changes();")
    else
      expired=$(sql postgres "$db" "WITH u AS (UPDATE accounts SET state = 'inactive', active = FALSE, deactivated_at = $old WHERE external_id LIKE 'ext-1-%' AND CAST(substr(external_id, 7) AS BIGINT) >= $start RETURNING 1) SELECT count(*) FROM u")
      sql postgres "$db" "ANALYZE accounts" >/dev/null
    fi
  fi
  fact "$key" reaper_expired "$expired"
  log "$key: reaper pass over $expired expired accounts, GET /Users/{id} during it"
  mkdir -p "$RAW/$key"
  env BENCH_MODE=get_id BENCH_OUT="$RAW/$key/get_id_during_reaper.json" BENCH_IDS="$ids" "${common[@]}" \
    timeout 900 wrk -t"$THREADS" -c"$CONNECTIONS" -d600s --timeout 10s -s "$ROOT/bench/scim.lua" "$SERVER_URL" \
    >"$WORK/$key-reaper.wrk.txt" 2>&1 &
  local wrk_pid=$!
  PIDS+=("$wrk_pid")
  sleep 1
  # One requested pass; when the request is cut by the server's request timeout (30 s, answered
  # 503, which cancels the pass between batches) it is requested again, 20 times at most, and the
  # figure is the wall time until no expired account is left.
  local calls=0 failed=0 code left t0 t1
  t0=$(date +%s.%N)
  while [ "$calls" -lt 20 ]; do
    calls=$((calls + 1))
    code=$(curl -sS -X POST --max-time 900 -H "Authorization: Bearer $ADMIN_TOKEN" \
      -o "$WORK/$key-reaper.json" -w '%{http_code}' "$SERVER_URL/admin/v1/reaper/run" || echo 000)
    [ "$code" = 200 ] || { failed=$((failed + 1)); log "  reaper request answered $code"; }
    left=$(reaper_left "$key" "$mode" "$engine" "$db" "$old")
    [ "$left" = 0 ] && break
  done
  t1=$(date +%s.%N)
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  check_wrk "$RAW/$key/get_id_during_reaper.json" "$key GET during the reaper"
  fact "$key" reaper_seconds "$(echo "$t1 - $t0" | bc -l)"
  fact "$key" reaper_calls "$calls"
  fact "$key" reaper_failed_calls "$failed"
  fact "$key" reaper_deleted "$((expired - left))"
  fact "$key" reaper_response_bytes "$(wc -c <"$WORK/$key-reaper.json")"
  log "  reaper: $((expired - left)) deleted in $(echo "$t1 - $t0" | bc -l | xargs printf '%.1f') s, $calls request(s), $failed failed"
}
# reaper_left KEY MODE ENGINE DB OLD_MICROS: expired accounts still there.
reaper_left() {
  if [ "$2" = memory ]; then
    curl -sS -X POST --max-time 300 -H "Authorization: Bearer $ADMIN_TOKEN" \
      "$SERVER_URL/admin/v1/reaper/run?dry_run=true" | python3 -c 'import json,sys;print(json.load(sys.stdin)["deleted"])' || echo "?"
  else
    sql "$3" "$4" "SELECT count(*) FROM accounts WHERE state = 'inactive' AND deactivated_at <= $5"
  fi
}

for run in $RUNS; do
  bench_run "${run%-*}" "${run##*-}"
done
fact machine load_after "$(load_avg)"
fact machine finished_s "$(date +%s)"

# ---- report ------------------------------------------------------------------------------------
PY=python3
VENV=$ROOT/target/bench-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null; then
  log "setting up matplotlib in $VENV"
  if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet matplotlib; }; then
    log "matplotlib unavailable: no plot"
  fi
fi
[ -x "$VENV/bin/python" ] && PY=$VENV/bin/python
report_args=("$RAW" "$OUT" "$ROOT/bench/results/throughput-$USERS.png")
[ "$WRITE_DOC" = 1 ] && report_args+=(--write-doc "$ROOT/BENCHMARKS.md")
"$PY" bench/report.py "${report_args[@]}"
log "results: $OUT/results.md, $OUT/results.json (and results-$USERS.*), bench/results/throughput-$USERS.png"
