#!/usr/bin/env bash
# Bounded schemathesis run against the admin API (issue 8): starts the debug server on a throwaway
# in-memory SQLite database with a fixed admin token and checks, for every operation of
# /openapi.json, that no request gets a 5xx (not_a_server_error) and that every response is
# documented: its body matches the schema (response_schema_conformance), its status code
# (status_code_conformance) and its content type (content_type_conformance) are listed.
#
# Every operation must also be reached (issue 13): schemathesis_setup.py first makes pools of
# organizations, accounts, domains and tokens through the admin API and writes the run's
# configuration (target/schemathesis/schemathesis.toml), which binds each operation's path
# parameters to its pool; schemathesis_hooks.py pairs each drawn id with its organization. The
# stateful phase follows the document's links (create, then read, change, delete, renew). The
# run fails when schemathesis warns that an operation mostly rejected valid data (the document is
# looser than the handler) or never got past 404, and when an operation never answered 2xx to
# valid data (schemathesis_summary.py, which also prints how much was reached).
#
#   scripts/schemathesis.sh                 # defaults: 30 examples per operation, 600 s at most
#   MAX_EXAMPLES=100 MAX_TIME=1200 scripts/schemathesis.sh
#   STATEFUL_EXAMPLES=50 scripts/schemathesis.sh   # fewer stateful scenarios (default 10 x examples)
#
# schemathesis (PyPI, pinned below) is installed in a venv under $CARGO_TARGET_DIR (default
# target/), and the server is $CARGO_TARGET_DIR/debug/abm-scim. Exit status: 0 when every check
# passed and every operation was reached. Reports and the server log are left in
# $CARGO_TARGET_DIR/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-30}
MAX_TIME=${MAX_TIME:-600}
SEED=${SEED:-8}
# Stateful scenarios (chains of linked calls): ten for each example of the other phases.
STATEFUL_EXAMPLES=${STATEFUL_EXAMPLES:-$((MAX_EXAMPLES * 10))}
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
VENV=$TARGET/schemathesis-venv
OUT=$TARGET/schemathesis
SCRIPTS=$PWD/scripts
ADMIN_TOKEN=schemathesis-admin-token

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --bin abm-scim
rm -rf "$OUT"
mkdir -p "$OUT"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TARGET/debug/abm-scim" --listen "127.0.0.1:$PORT" --database-url sqlite::memory: \
    --admin-token "$ADMIN_TOKEN" --clock manual --log-format json \
    >"$OUT/server.stdout" 2>"$OUT/server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
done

"$VENV/bin/python" "$SCRIPTS/schemathesis_setup.py" "http://127.0.0.1:$PORT" "$ADMIN_TOKEN" "$OUT" \
    "$SCRIPTS/schemathesis_hooks.py" "$STATEFUL_EXAMPLES"
export ABM_SCHEMATHESIS_FIXTURES=$OUT/fixtures.json
curl -fsS "http://127.0.0.1:$PORT/openapi.json" >"$OUT/openapi.json"

start=$(date +%s)
# A hard bound with timeout(1): schemathesis's own --max-time would repeat fuzzing until it is spent.
# Run from $OUT so its .schemathesis/ cache stays there.
set +e
(cd "$OUT" && timeout --kill-after=10 "$MAX_TIME" "$VENV/bin/schemathesis" \
    --config-file "$OUT/schemathesis.toml" run \
    "http://127.0.0.1:$PORT/openapi.json" \
    --header "Authorization: Bearer $ADMIN_TOKEN" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --request-timeout 10 \
    --workers 1 \
    --seed "$SEED" \
    --suppress-health-check too_slow,filter_too_much \
    --report junit,json,ndjson --report-dir . \
    --report-json-path run.json --report-ndjson-path events.ndjson) 2>&1 | tee "$OUT/output.txt"
status=${PIPESTATUS[0]}
set -e
echo "schemathesis: exit $status after $(($(date +%s) - start)) s (reports and server log in $OUT/)"
"$VENV/bin/python" "$SCRIPTS/schemathesis_summary.py" "$OUT" || {
    [ "$status" != 0 ] || status=1
}
exit "$status"
