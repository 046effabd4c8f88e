#!/usr/bin/env bash
# Bounded schemathesis run against the admin API (issue 8): starts the debug server on a throwaway
# in-memory SQLite database with a fixed admin token and checks, for every operation of
# /openapi.json, that no request gets a 5xx (not_a_server_error) and that every response is
# documented: its body matches the schema (response_schema_conformance), its status code
# (status_code_conformance) and its content type (content_type_conformance) are listed.
#
#   scripts/schemathesis.sh                 # defaults: 30 examples per operation, 600 s at most
#   MAX_EXAMPLES=100 MAX_TIME=1200 scripts/schemathesis.sh
#
# schemathesis (PyPI, pinned below) is installed in a venv under target/. Exit status is
# schemathesis's: 0 when every check passed. The server log is left in target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-30}
MAX_TIME=${MAX_TIME:-600}
SEED=${SEED:-8}
VENV=target/schemathesis-venv
OUT=target/schemathesis
ADMIN_TOKEN=schemathesis-admin-token

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --bin abm-scim
mkdir -p "$OUT"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/abm-scim --listen "127.0.0.1:$PORT" --database-url sqlite::memory: \
    --admin-token "$ADMIN_TOKEN" --clock manual --log-format json \
    >"$OUT/server.stdout" 2>"$OUT/server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
done

start=$(date +%s)
status=0
# A hard bound with timeout(1): schemathesis's own --max-time would repeat fuzzing until it is spent.
# Run from $OUT so its .schemathesis/ cache stays under target/.
ROOT=$PWD
(cd "$OUT" && timeout --kill-after=10 "$MAX_TIME" "$ROOT/$VENV/bin/schemathesis" run \
    "http://127.0.0.1:$PORT/openapi.json" \
    --header "Authorization: Bearer $ADMIN_TOKEN" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --request-timeout 10 \
    --workers 1 \
    --seed "$SEED" \
    --suppress-health-check too_slow,filter_too_much \
    --report junit --report-dir .) \
    || status=$?
echo "schemathesis: exit $status after $(($(date +%s) - start)) s (report and server log in $OUT/)"
exit "$status"
