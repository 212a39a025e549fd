#!/usr/bin/env bash
# Provisions and controls a private PostgreSQL cluster for development, tests and benchmarks.
#
#   scripts/pg-cluster.sh start NAME   initialise (first time) and start the cluster, print its connection string
#   scripts/pg-cluster.sh stop NAME    stop the cluster
#   scripts/pg-cluster.sh url NAME     print the connection string of a running cluster
#   scripts/pg-cluster.sh replica NAME PRIMARY
#                                      make NAME a streaming replica of the running cluster PRIMARY (first time),
#                                      start it and print its connection string
#   scripts/pg-cluster.sh destroy NAME stop the cluster and delete its folder (a replica also drops its slot)
#
# The cluster lives in .pgdata/NAME under the project folder and listens on a free port on 127.0.0.1 only.
# PostgreSQL binaries come from the machine (postgresql-15 on Debian 12, installed with apt when missing).
# PostgreSQL refuses to run as root, so as root every server command runs as the 'postgres' user.
set -euo pipefail

command=${1:-}
name=${2:-dev}
root=$(cd "$(dirname "$0")/.." && pwd)
cluster="$root/.pgdata/$name"

log() { echo "pg-cluster: $*" >&2; }

find_bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_binaries() {
    if [ -z "$(find_bin_dir)" ]; then
        log "PostgreSQL server binaries not found; installing postgresql with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
    fi
    bin=$(find_bin_dir) || { log "PostgreSQL binaries are still missing after apt-get install"; exit 1; }
}

# Runs a PostgreSQL server command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_is_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

pick_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 20000))
        if port_is_free "$port"; then
            echo "$port"
            return
        fi
    done
    log "no free port found between 20000 and 40000"
    exit 1
}

connection_string() {
    echo "Host=127.0.0.1;Port=$(cat "$cluster/port");Username=postgres;Database=nps"
}

is_running() { [ -f "$cluster/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$cluster/data" status >/dev/null 2>&1; }

start() {
    ensure_binaries
    mkdir -p "$cluster"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$cluster"
        if ! runuser -u postgres -- test -w "$cluster"; then
            log "user postgres cannot write $cluster; make its parent folders world-traversable (chmod o+x)"
            exit 1
        fi
    fi
    if [ ! -f "$cluster/data/PG_VERSION" ]; then
        log "initialising cluster in $cluster/data"
        as_owner "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if is_running; then
        connection_string
        return
    fi
    # Keep the port of the previous start when it is still free, so clients configured with it reconnect.
    local port
    if [ -f "$cluster/port" ] && port_is_free "$(cat "$cluster/port")"; then
        port=$(cat "$cluster/port")
    else
        port=$(pick_port)
    fi
    echo "$port" > "$cluster/port"
    as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/data/server.log" -w -t 60 start \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $cluster/data -c max_connections=200 -c shared_buffers=512MB" >/dev/null
    if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'nps'" | grep -q 1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres nps
    fi
    log "cluster '$name' running on 127.0.0.1:$port"
    connection_string
}

# Copies the running primary with pg_basebackup into a new cluster that starts as a hot standby. A fast checkpoint
# starts the copy at once instead of after a spread checkpoint, which takes minutes. -R writes
# primary_conninfo and standby.signal. -C -S creates a physical replication slot, so the primary keeps the WAL
# the replica has not received yet. PostgreSQL 15's defaults (wal_level=replica, max_wal_senders=10) and the
# 'host replication' lines initdb writes for 127.0.0.1 are all the primary needs.
replica() {
    local primary_name=$1 primary_cluster primary_port slot
    ensure_binaries
    primary_cluster="$root/.pgdata/$primary_name"
    if ! cluster="$primary_cluster" is_running; then
        log "primary cluster '$primary_name' is not running; run: $0 start $primary_name"
        exit 1
    fi
    if [ ! -f "$cluster/data/PG_VERSION" ]; then
        primary_port=$(cat "$primary_cluster/port")
        # Slot names allow lower-case letters, digits and underscores, at most 63 characters.
        slot=$(echo "replica_$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' '_' | cut -c1-63)
        mkdir -p "$cluster"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$cluster"
        log "copying cluster '$primary_name' into $cluster/data with replication slot $slot"
        as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$cluster/data" \
            -R -X stream -C -S "$slot" --checkpoint=fast >&2
        echo "$primary_name" > "$cluster/primary"
        echo "$slot" > "$cluster/slot"
    fi
    start
}

# Deletes a cluster. For a replica, the slot on its primary goes too, or the primary would keep WAL for it until its disk fills.
destroy() {
    stop
    if [ -f "$cluster/slot" ] && [ -f "$cluster/primary" ]; then
        local primary_cluster
        primary_cluster="$root/.pgdata/$(cat "$cluster/primary")"
        if cluster="$primary_cluster" is_running; then
            as_owner "$bin/psql" -h 127.0.0.1 -p "$(cat "$primary_cluster/port")" -U postgres -d postgres -qtAc \
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$(cat "$cluster/slot")'" >/dev/null
        fi
    fi
    rm -rf "$cluster"
    log "cluster '$name' deleted"
}

stop() {
    bin=$(find_bin_dir) || exit 0
    if is_running; then
        as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null
        log "cluster '$name' stopped"
    fi
}

case "$command" in
    start) start ;;
    stop) stop ;;
    url)
        bin=$(find_bin_dir) || { log "PostgreSQL is not installed"; exit 1; }
        is_running || { log "cluster '$name' is not running; run: $0 start $name"; exit 1; }
        connection_string ;;
    replica)
        [ -n "${3:-}" ] || { echo "usage: $0 replica NAME PRIMARY" >&2; exit 2; }
        replica "$3" ;;
    destroy)
        [ -n "${2:-}" ] || { echo "usage: $0 destroy NAME" >&2; exit 2; }
        bin=$(find_bin_dir) || exit 0
        destroy ;;
    *) echo "usage: $0 start|stop|url|destroy NAME, or $0 replica NAME PRIMARY" >&2; exit 2 ;;
esac
