#!/usr/bin/env bash
# The catch-up benchmark in one command: build the prefetcher (release) and the benchmark, then
# run it. `--quick` is a smoke run of a few minutes (small data, one workload, one run each);
# without it the full matrix runs (see the Catch-up section of benches/README.md for sizes and
# time). Any other options go to the benchmark (`--runs N`, `--workloads a,b`, `--formats ...`,
# `--conditions ...`, `--table-size N`, `--events-scale X`).
# Results: a markdown table on stdout; target/bench-catchup/results-*.{md,csv}; prefetcher logs
# and metrics in target/bench-catchup/logs/. The loaded data set is cached in target/bench-catchup/.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v sysbench >/dev/null || { echo "sysbench missing: run scripts/setup.sh" >&2; exit 1; }
cargo build --release --bin relay-prefetch
exec cargo bench --bench catchup -- "$@"
