#!/usr/bin/env bash
# The catch-up benchmark in one command: build the prefetcher (release) and the benchmark, then
# run it. `--quick` is a smoke run of a few minutes (small data, one workload, one run each);
# without it the full matrix runs (see the Catch-up section of benches/README.md for sizes and
# time). Any other options go to the benchmark (`--runs N`, `--workloads a,b`, `--formats ...`,
# `--conditions ...`, `--table-size N`, `--events-scale X`, `--small-pool-mb N`,
# `--big-pool-mb N`).
# Results: a markdown table on stdout; target/bench-catchup/results-*.{md,csv}; prefetcher logs
# and metrics in target/bench-catchup/logs/. The loaded data set is cached in target/bench-catchup/.
# Both binaries are copied before running, so a rebuild during a long run cannot swap them.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v sysbench >/dev/null || { echo "sysbench missing: run scripts/setup.sh" >&2; exit 1; }
out=target/bench-catchup
bin="$out/bin/$$"  # per invocation: never overwrite binaries another run is executing
mkdir -p "$bin"
# One build: `cargo bench` also builds the relay-prefetch binary (release settings) for benches.
json=$(cargo bench --bench catchup --no-run --message-format=json)
exe() { sed -n 's/.*"name":"'"$1"'".*"executable":"\([^"]*\)".*/\1/p' <<<"$json" | tail -1; }
bench=$(exe catchup)
prefetch=$(exe relay-prefetch)
[ -x "$bench" ] && [ -x "$prefetch" ] || { echo "could not build the benchmark" >&2; exit 1; }
cp "$prefetch" "$bin/relay-prefetch"
cp "$bench" "$bin/catchup"
echo "catchup: relay-prefetch at $(git rev-parse --short HEAD)$(git diff --quiet -- src || echo '+uncommitted')" >&2
CATCHUP_RELAY_PREFETCH="$PWD/$bin/relay-prefetch" exec "$bin/catchup" --bench "$@"
