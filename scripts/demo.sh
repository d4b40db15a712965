#!/usr/bin/env bash
# THE main-job command: set-up, a release build, then `relay-prefetch demo` (a throwaway primary +
# replica, a replication backlog, catch-up with and without prefetching; it cleans up after itself).
# Arguments are passed to `relay-prefetch demo` (try --help).
# While `demo` is not implemented in this build, it falls back to replicating a small workload
# between two throwaway servers and showing the replica's relay log with `relay-prefetch inspect`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo build --release --quiet
bin=$PWD/target/release/relay-prefetch

err=$(mktemp)
trap 'rm -f "$err"' EXIT
set +o pipefail
"$bin" demo "$@" 2>&1 | tee "$err"
rc=${PIPESTATUS[0]}
set -o pipefail
if [ "$rc" -eq 0 ] || ! grep -q "not implemented" "$err"; then
    exit "$rc"
fi
echo "demo.sh: 'relay-prefetch demo' is not implemented in this build yet;" \
    "showing 'relay-prefetch inspect' on a throwaway replica's relay log instead." >&2
exec bash scripts/lib/inspect-fallback.sh "$bin"
