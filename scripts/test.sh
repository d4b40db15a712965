#!/usr/bin/env bash
# THE test command: set-up, build, format check, lints, and every test (unit, property, grammar
# corpus, real-server integration tests). Exits non-zero on the first failing stage.
# Uses cargo-nextest when installed (one process per test, better parallelism), else cargo test.
# TEST_THREADS (default 4) sets test parallelism: server tests mostly wait on I/O.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*" >&2; }
start=$SECONDS

stage "setup"
bash scripts/setup.sh

stage "cargo build"
cargo build --all-targets

stage "cargo fmt --check"
cargo fmt --check

stage "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

threads=${TEST_THREADS:-4}
# nextest cannot list tests of custom harnesses (harness = false); use cargo test for those crates.
if cargo nextest --version >/dev/null 2>&1 && ! grep -q 'harness *= *false' Cargo.toml; then
    stage "cargo nextest run ($threads threads)"
    cargo nextest run --all-targets --no-fail-fast --test-threads "$threads"
    stage "cargo test --doc"
    cargo test --doc
else
    stage "cargo test ($threads threads per test binary)"
    cargo test --all-targets --no-fail-fast -- --test-threads "$threads"
    cargo test --doc
fi

stage "all checks passed in $((SECONDS - start)) s"
