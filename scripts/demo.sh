#!/usr/bin/env bash
# THE main-job command: set-up, a release build, then `relay-prefetch demo`: a throwaway primary +
# replica, a replication backlog, catch-up timed with and without prefetching from the same
# snapshot, after a restart and on a small pool; everything is deleted afterwards (unless --keep). Arguments go to `relay-prefetch
# demo` (see `--help`: --tables, --rows, --events, --pool-mb, --workers, --keep).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
exec cargo run --release --quiet -- demo "$@"
