#!/usr/bin/env bash
# Idempotent set-up for relay-prefetch on Debian/Ubuntu: installs what is missing to build and
# test it (mariadb-server, mariadb-client, sysbench) and checks the Rust toolchain. It never starts
# the system MariaDB service: tests, demo and benchmarks run their own throwaway servers.
# Safe to run repeatedly; does nothing (and touches no network) when everything is present.
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }

have_server() {
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]
}

missing_packages() {
    local pkgs=()
    have_server && command -v mariadb-install-db >/dev/null 2>&1 || pkgs+=(mariadb-server)
    command -v mariadb >/dev/null 2>&1 && command -v mariadb-binlog >/dev/null 2>&1 \
        || pkgs+=(mariadb-client)
    command -v sysbench >/dev/null 2>&1 || pkgs+=(sysbench)
    echo "${pkgs[@]+"${pkgs[@]}"}"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        say "need root (or sudo) to run: $*"
        return 1
    fi
}

apt_lists_present() {
    compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null \
        || compgen -G '/var/lib/apt/lists/*_Packages.*' >/dev/null
}

# Debian starts a service when its package is installed; policy-rc.d (exit 101) forbids that for
# the duration of the install. An existing policy-rc.d is left alone.
install_packages() {
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
        as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
        created=1
    fi
    local rc=0
    (
        export DEBIAN_FRONTEND=noninteractive
        if ! apt_lists_present; then
            say "apt package lists absent: apt-get update"
            as_root apt-get update -qq
        fi
        if ! as_root apt-get install -y -qq --no-install-recommends "$@"; then
            say "install failed; refreshing package lists and retrying once"
            as_root apt-get update -qq
            as_root apt-get install -y -qq --no-install-recommends "$@"
        fi
    ) || rc=$?
    [ "$created" -eq 1 ] && as_root rm -f "$policy"
    return "$rc"
}

main() {
    read -r -a pkgs <<<"$(missing_packages)"
    if [ "${#pkgs[@]}" -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 || {
            say "missing ${pkgs[*]} and this is not a Debian-like system: install them yourself"
            exit 1
        }
        say "installing: ${pkgs[*]}"
        install_packages "${pkgs[@]}"
    fi
    have_server || { say "mariadbd still missing after install"; exit 1; }

    if ! command -v cargo >/dev/null 2>&1; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then
            say "cargo is in \$HOME/.cargo/bin but not on PATH: export PATH=\"\$HOME/.cargo/bin:\$PATH\""
        else
            say "cargo (Rust toolchain) not found: install it from https://rustup.rs"
        fi
        exit 1
    fi
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            say "adding rustfmt and clippy"
            rustup component add rustfmt clippy
        else
            say "cargo fmt / cargo clippy missing and no rustup to add them"
            exit 1
        fi
    fi
    say "ok: $(/usr/sbin/mariadbd --version 2>/dev/null || mariadbd --version), $(cargo --version)"
}

main "$@"
