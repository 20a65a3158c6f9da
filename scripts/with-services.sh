#!/usr/bin/env bash
# Run a command with DATABASE_URL and REDIS_URL pointing at real PostgreSQL and Redis servers.
#
# Usage: scripts/with-services.sh CMD [ARGS...]
#
# For each service, in this order:
#   1. the URL given in the environment (DATABASE_URL / REDIS_URL) is used as it is;
#   2. else the standard local server (127.0.0.1:5432 user postgres / 127.0.0.1:6379) if it
#      answers;
#   3. else a throwaway server is started on a spare port in a temporary directory and
#      stopped by its PID when CMD ends.
# ROLLOUT_FRESH_SERVICES=1 skips step 2 (always a throwaway server unless a URL is given),
# which isolates a run from other users of the shared servers.
#
# The exit status is CMD's.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

PG_DBNAME=${PG_DBNAME:-rollout}
fresh=${ROLLOUT_FRESH_SERVICES:-0}
workdir=""
pg_dir=""
redis_pidfile=""

log() { echo "with-services: $*" >&2; }

spare_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return 0
    fi
    return 1
}

# Run a PostgreSQL binary as the postgres user when we are root (the server refuses root).
as_pg_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

tcp_open() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local status=$?
    set +e
    if [[ -n "$redis_pidfile" && -s "$redis_pidfile" ]]; then
        local redis_pid
        redis_pid=$(cat "$redis_pidfile")
        kill "$redis_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
        log "stopped throwaway Redis (PID $redis_pid)"
    fi
    if [[ -n "$pg_dir" && -s "$pg_dir/postmaster.pid" ]]; then
        local pg_pid
        pg_pid=$(head -n 1 "$pg_dir/postmaster.pid")
        # SIGINT = "fast" shutdown: roll back open transactions, then exit.
        kill -INT "$pg_pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
        log "stopped throwaway PostgreSQL (PID $pg_pid)"
    fi
    if [[ -n "$workdir" ]]; then
        rm -rf "$workdir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_workdir() {
    if [[ -z "$workdir" ]]; then
        workdir=$(mktemp -d "${TMPDIR:-/tmp}/rollout-services.XXXXXX")
        chmod 755 "$workdir"
    fi
}

start_postgres() {
    local bindir port
    if ! bindir=$(pg_bindir); then
        log "no PostgreSQL server binaries found (install postgresql-15: scripts/install-system-deps.sh)"
        exit 1
    fi
    ensure_workdir
    pg_dir="$workdir/pg"
    mkdir -p "$pg_dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres:postgres "$pg_dir"
    fi
    port=$(spare_port)
    as_pg_owner "$bindir/initdb" -D "$pg_dir" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 || {
        cat "$workdir/initdb.log" >&2
        exit 1
    }
    as_pg_owner "$bindir/pg_ctl" -D "$pg_dir" -l "$pg_dir/server.log" -w \
        -o "-h 127.0.0.1 -p $port -k $pg_dir -c fsync=off -c full_page_writes=off" start >/dev/null
    as_pg_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$PG_DBNAME"
    log "started throwaway PostgreSQL on 127.0.0.1:$port (PID $(head -n 1 "$pg_dir/postmaster.pid"))"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$PG_DBNAME"
}

start_redis() {
    local port
    if ! command -v redis-server >/dev/null 2>&1; then
        log "redis-server not found (install redis-server: scripts/install-system-deps.sh)"
        exit 1
    fi
    ensure_workdir
    port=$(spare_port)
    redis_pidfile="$workdir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --daemonize yes --pidfile "$redis_pidfile" --dir "$workdir" \
        --logfile "$workdir/redis.log"
    for _ in $(seq 50); do
        [[ -s "$redis_pidfile" ]] && tcp_open 127.0.0.1 "$port" && break
        sleep 0.1
    done
    log "started throwaway Redis on 127.0.0.1:$port (PID $(cat "$redis_pidfile"))"
    export REDIS_URL="redis://127.0.0.1:$port/0"
}

if [[ -n "${DATABASE_URL:-}" ]]; then
    log "PostgreSQL from DATABASE_URL"
elif [[ "$fresh" != "1" ]] && tcp_open 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DBNAME"
    # The database itself may be missing on a fresh machine; pytest creates test_<name>.
    if command -v psql >/dev/null 2>&1 \
        && ! psql -h 127.0.0.1 -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DBNAME'" postgres | grep -q 1; then
        createdb -h 127.0.0.1 -U postgres "$PG_DBNAME" || true
    fi
    log "PostgreSQL at 127.0.0.1:5432"
else
    start_postgres
fi

if [[ -n "${REDIS_URL:-}" ]]; then
    log "Redis from REDIS_URL"
elif [[ "$fresh" != "1" ]] && tcp_open 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
    log "Redis at 127.0.0.1:6379"
else
    start_redis
fi

# Not exec: the trap must run after CMD to stop the servers we started.
set +e
"$@"
status=$?
set -e
exit "$status"
