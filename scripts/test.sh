#!/usr/bin/env bash
# THE test command: set-up, build, format check, lints, and every test (unit, property, grammar
# corpus, real-server integration tests). Runs every stage even after a failure, so one run shows
# everything that is wrong, then exits non-zero if any stage failed (a failed build stops early).
# Uses cargo-nextest when installed (one process per test, better parallelism), else cargo test.
# TEST_THREADS (default 4) sets test parallelism: the server tests mostly wait on I/O.
# TEST_TIMEOUT_MIN (default 60) caps the test stage.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
start=$SECONDS
stage() { printf '\n==> %s\n' "$*" >&2; }
run() { # name command...
    local name=$1
    shift
    stage "$name"
    "$@" || { failed+=("$name"); printf '==> FAILED: %s\n' "$name" >&2; }
}
finish() {
    local took=$((SECONDS - start))
    if [ "${#failed[@]}" -gt 0 ]; then
        printf '\n==> FAILED stages (%s s): %s\n' "$took" "${failed[*]}" >&2
        exit 1
    fi
    printf '\n==> all checks passed in %s s\n' "$took" >&2
}

run "setup" bash scripts/setup.sh
[ "${#failed[@]}" -eq 0 ] || finish
run "cargo build" cargo build --all-targets
[ "${#failed[@]}" -eq 0 ] || finish
run "cargo fmt --check" cargo fmt --check
run "cargo clippy" cargo clippy --all-targets -- -D warnings

threads=${TEST_THREADS:-4}
# The whole test stage is capped (TEST_TIMEOUT_MIN, default 60) so CI always gets an answer;
# under nextest each test is also capped at 10 minutes (scripts/nextest.toml).
cap=(timeout --kill-after=30s "$((${TEST_TIMEOUT_MIN:-60} * 60))s")
# Default targets (lib, bins, tests; not benches, which may use their own harness).
# nextest cannot list the tests of custom harnesses (harness = false): cargo test runs those.
custom_test_harness() {
    awk '/^\[/ { sec = $0 } sec == "[[test]]" && /harness *= *false/ { f = 1 } END { exit !f }' Cargo.toml
}
if cargo nextest --version >/dev/null 2>&1 && ! custom_test_harness; then
    run "cargo nextest run" "${cap[@]}" cargo nextest run --no-fail-fast \
        --tool-config-file "relay-prefetch:$PWD/scripts/nextest.toml" --test-threads "$threads"
    run "cargo test --doc" cargo test --doc
else
    run "cargo test" "${cap[@]}" cargo test --no-fail-fast -- --test-threads "$threads"
fi
finish
