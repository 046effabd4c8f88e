#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each), one after the other.
#
#   fuzz/run.sh            # 60 s per target
#   fuzz/run.sh 600        # 10 minutes per target
#   TARGETS="patch" fuzz/run.sh 30
#
# Works on stable Rust: cargo-fuzz needs nightly-only flags (sanitizer coverage), which
# RUSTC_BOOTSTRAP=1 unlocks on a stable compiler. Installs cargo-fuzz when missing. New inputs
# libFuzzer finds go to fuzz/work/<target>/ (ignored by git); the committed seeds in
# fuzz/corpus/<target>/ are only read. A crash stops the run with a non-zero exit status and
# leaves the input in fuzz/artifacts/<target>/; add it to fuzz/corpus/<target>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET=${1:-60}
TARGETS=${TARGETS:-filter patch body}
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

for target in $TARGETS; do
    mkdir -p "work/$target"
    echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s"
    # -O: optimised; -a: with debug assertions, so integer overflow panics too.
    cargo fuzz run -O -a "$target" "work/$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1
done
echo "fuzzing finished: no crash in $TARGETS"
