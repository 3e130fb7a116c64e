# A throwaway PostgreSQL cluster on loopback, for the test suite's second pass.
#
#   . .ci/postgres.sh && postgres_start    # exports TEST_DATABASE_URL
#   ...                                    # postgres_stop (also run on EXIT by postgres_start)
#
# Installs Debian's `postgresql` package when no server binaries are found. The cluster lives
# in a temporary directory (owned by the `postgres` user when run as root, since initdb
# refuses root), listens on 127.0.0.1 on a free port only, trusts local connections and skips
# fsync: nothing in it outlives the run.

PG_TMP=""
PG_BIN=""

_pg_find_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        PG_BIN="$dir"
        return 0
    fi
    return 1
}

_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

postgres_install() {
    if _pg_find_bin; then
        return 0
    fi
    echo "postgres.sh: installing Debian's postgresql package" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    _pg_find_bin
}

postgres_stop() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        if [ -f "$PG_TMP/data/postmaster.pid" ]; then
            _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null || true
        fi
        rm -rf "$PG_TMP"
    fi
    PG_TMP=""
}

postgres_start() {
    postgres_install
    PG_TMP="$(mktemp -d -t ci-postgres-XXXXXX)"
    trap postgres_stop EXIT
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PG_TMP"
    fi
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    _pg_as_owner "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_TMP/initdb.log"
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    echo "postgres.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}
