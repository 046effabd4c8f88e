#!/usr/bin/env bash
# The web console at scale: the server time of each console page with N accounts in one
# organization (default 1,000,000, the target being under 50 ms a page).
#
#   bench/console.sh [--users N] [--requests K] [--modes file,postgres]
#
# For each mode: a fresh database (`file`: a SQLite file; `postgres`: a new database on
# $TEST_POSTGRES_URL or postgres://abm:abm@127.0.0.1:5432/abm), the release server started once
# to create the default organization, `abm-scim seed --users N`, the server started again, 200
# SCIM requests (so the journal and the activity have entries), a console sign-in, then each
# page K times (after one warm-up). The time is curl's time to first byte on loopback, an upper
# bound of the server time. Prints p50 / p95 / max per page and a one-line summary; exits 1 if
# a page's p95 is over 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=1000000
REQUESTS=30
MODES=file
while [ $# -gt 0 ]; do
  case $1 in
    --users) USERS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }
TARGET=${CARGO_TARGET_DIR:-target}
log "building the release binary"
cargo build --release --quiet
BIN=$TARGET/release/abm-scim
WORK=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
ADMIN=bench-console-admin-token-0123456789
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

start() {
  "$BIN" --listen "127.0.0.1:$PORT" --database-url "$1" --admin-token "$ADMIN" --reaper-interval 1h \
    >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do curl -sf "$BASE/readyz" >/dev/null && return; sleep 0.1; done
  cat "$WORK/server.err" >&2; echo "the server did not start" >&2; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

FAILED=0
SUMMARY=()
for MODE in ${MODES//,/ }; do
  case $MODE in
    file) DB=sqlite:$WORK/console.db ;;
    postgres)
      PG=${TEST_POSTGRES_URL:-postgres://abm:abm@127.0.0.1:5432/abm}
      NAME=abm_console_bench_$$
      psql "$PG" -qc "DROP DATABASE IF EXISTS $NAME" -qc "CREATE DATABASE $NAME" >/dev/null
      DB=${PG%/*}/$NAME ;;
    *) echo "--modes takes file and postgres" >&2; exit 2 ;;
  esac
  log "$MODE: first start (default organization)"
  start "$DB"
  TOKEN=$(sed -n 's/^SCIM token: //p' "$WORK/server.out")
  stop
  log "$MODE: seeding $USERS accounts"
  t0=$(date +%s)
  "$BIN" seed --users "$USERS" --database-url "$DB" >/dev/null 2>"$WORK/seed.err" || { cat "$WORK/seed.err" >&2; exit 1; }
  log "$MODE: seeded in $(( $(date +%s) - t0 )) s"
  start "$DB"
  log "$MODE: 200 SCIM requests for the journal and the activity"
  for i in $(seq 1 100); do
    curl -s -o /dev/null "$BASE/feeds/business/scim/Users?count=10&startIndex=$i" -H "Authorization: Bearer $TOKEN"
    curl -s -o /dev/null -X POST "$BASE/feeds/business/scim/Users" -H "Authorization: Bearer $TOKEN" \
      -H 'content-type: application/scim+json' -d "{\"userName\": \"bench-$i@example.com\", \"externalId\": \"b$i\"}"
  done
  JAR=$WORK/jar
  curl -s -o /dev/null -c "$JAR" -H 'Sec-Fetch-Site: same-origin' -d "token=$ADMIN" "$BASE/console/sign-in"
  ORG=$(curl -s "$BASE/admin/v1/orgs" -H "Authorization: Bearer $ADMIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["orgs"][0]["id"])')
  O=/console/orgs/$ORG
  FIRST=$(curl -s -b "$JAR" "$BASE$O/accounts")
  NEXT=$(printf '%s' "$FIRST" | python3 -c 'import html,re,sys; m=re.search(r"id=\"next-page\" rel=\"next\" href=\"([^\"]+)\"", sys.stdin.read()); print(html.unescape(m.group(1)) if m else "")')
  ACCOUNT=$(printf '%s' "$FIRST" | python3 -c 'import re,sys; m=re.search(r"data-account-id=\"([^\"]+)\"", sys.stdin.read()); print(m.group(1))')
  PAGES=(
    "$O/directory-sync"
    "$O/accounts"
    "$NEXT"
    "$O/accounts?state=inactive"
    "$O/accounts?source=manual"
    "$O/accounts?role=Administrator"
    "$O/accounts?q=bench-5"
    "$O/accounts/$ACCOUNT"
    "$O/activity"
    "$O/requests"
    "$O/requests?method=POST&status=201"
    "$O/harness"
    "/console/orgs"
  )
  printf '\n%-44s %8s %8s %8s\n' "page ($MODE, $USERS accounts)" p50 p95 max
  WORST=0
  for PAGE in "${PAGES[@]}"; do
    curl -s -o /dev/null -b "$JAR" "$BASE$PAGE"
    TIMES=$(for _ in $(seq 1 "$REQUESTS"); do
      curl -s -o /dev/null -b "$JAR" -w '%{http_code} %{time_starttransfer}\n' "$BASE$PAGE"
    done)
    if printf '%s\n' "$TIMES" | grep -qv '^200 '; then echo "$PAGE did not answer 200" >&2; FAILED=1; fi
    read -r P50 P95 MAX < <(printf '%s\n' "$TIMES" | awk '{print $2 * 1000}' | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f\n", a[int((NR+1)/2)], a[int(NR*0.95+0.5)], a[NR]}')
    LABEL=${PAGE/$O/\{org\}}
    LABEL=${LABEL/$ACCOUNT/\{id\}}
    [ "$PAGE" = "$NEXT" ] && LABEL="{org}/accounts?cursor=... (page 2)"
    printf '%-44s %6s ms %6s ms %6s ms\n' "${LABEL:0:44}" "$P50" "$P95" "$MAX"
    if awk -v p="$P95" 'BEGIN {exit !(p > 50)}'; then FAILED=1; fi
    WORST=$(awk -v a="$WORST" -v b="$P95" 'BEGIN {print (b > a) ? b : a}')
  done
  SUMMARY+=("$MODE: worst p95 $WORST ms")
  stop
  [ "$MODE" = postgres ] && psql "$PG" -qc "DROP DATABASE IF EXISTS $NAME" >/dev/null
done
echo
echo "console pages with $USERS accounts: ${SUMMARY[*]}; target p95 < 50 ms: $([ $FAILED = 0 ] && echo met || echo MISSED)"
exit $FAILED
