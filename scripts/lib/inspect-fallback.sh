#!/usr/bin/env bash
# Fallback for scripts/demo.sh while `relay-prefetch demo` does not exist: start a throwaway
# MariaDB primary and replica (own temp dirs, loopback ports, GTID replication), replicate a small
# workload, run `relay-prefetch inspect` on the replica's relay log, and remove everything.
# Usage: inspect-fallback.sh PATH-TO-relay-prefetch
set -euo pipefail
bin=$1
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/relay-prefetch-demo.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]+"${pids[@]}"}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

start_server() { # name server_id port extra-args...
    local name=$1 id=$2 port=$3
    shift 3
    local d=$dir/$name
    mkdir -p "$d"
    mariadb-install-db --no-defaults --auth-root-authentication-method=normal --skip-test-db \
        --datadir="$d/data" --user="$(id -un)" >"$d/install.log" 2>&1
    "$mariadbd" --no-defaults --user="$(id -un)" --datadir="$d/data" --port="$port" \
        --bind-address=127.0.0.1 --socket="$d/sock" --log-error="$d/error.log" \
        --server-id="$id" --skip-name-resolve --innodb-buffer-pool-size=16M \
        --innodb-flush-log-at-trx-commit=2 --relay-log=relay-bin "$@" 2>>"$d/stderr.log" &
    pids+=($!)
    for _ in $(seq 1 300); do
        mariadb -uroot -h127.0.0.1 -P"$port" -e 'SELECT 1' >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "server $name did not start; $d/error.log:" >&2
    tail -20 "$d/error.log" >&2
    return 1
}

pport=$(free_port)
rport=$(free_port)
start_server primary 1 "$pport" --log-bin=binlog --binlog-format=ROW
start_server replica 2 "$rport"
primary() { mariadb -uroot -h127.0.0.1 -P"$pport" "$@"; }
replica() { mariadb -uroot -h127.0.0.1 -P"$rport" "$@"; }

primary -e "SET sql_log_bin=0; CREATE USER repl@'%' IDENTIFIED BY 'r';
            GRANT REPLICATION SLAVE ON *.* TO repl@'%';"
replica -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$pport, MASTER_USER='repl',
            MASTER_PASSWORD='r', MASTER_USE_GTID=slave_pos; START SLAVE;"
primary -e "CREATE DATABASE shop;
    CREATE TABLE shop.orders (id INT PRIMARY KEY, customer INT, total DECIMAL(10,2),
                              status VARCHAR(10), KEY (customer));
    INSERT INTO shop.orders VALUES (1, 10, 9.99, 'new'), (2, 11, 20.00, 'new'), (3, 10, 5.50, 'new');
    UPDATE shop.orders SET status = 'paid' WHERE customer = 10;
    DELETE FROM shop.orders WHERE id = 2;"
want=$(primary -N -e 'SELECT @@gtid_binlog_pos')
for _ in $(seq 1 300); do
    [ "$(replica -N -e 'SELECT @@gtid_slave_pos')" = "$want" ] && break
    sleep 0.1
done
echo "== relay-prefetch inspect $dir/replica/data/relay-bin.index"
"$bin" inspect "$dir/replica/data/relay-bin.index"
