#!/usr/bin/env sh
# Runs fuzz targets one after another, each for SECONDS (default 600),
# with the limits that make a hang or an unbounded allocation a failure.
#   fuzz/run.sh                    every target, 10 minutes each
#   fuzz/run.sh 60 client_frame    one target, one minute
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain,
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only flags.
# New inputs go to fuzz/work/<target> (ignored by git); the committed seeds
# in fuzz/corpus/<target> are read, never written. A failing input is saved
# under fuzz/artifacts/<target>/; the other targets still run, and the
# script names the failed ones and exits 1 at the end.
set -eu
cd "$(dirname "$0")"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-$(cargo fuzz list)}
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
failed=""
for t in $targets; do
    mkdir -p "work/$t"
    # --debug-assertions: overflow checks on, so a wrapped integer fails.
    cargo fuzz run --debug-assertions "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=5 -rss_limit_mb=512 -malloc_limit_mb=256 \
        -print_final_stats=1 || failed="$failed $t"
done
if [ -n "$failed" ]; then
    echo "failed:$failed (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
