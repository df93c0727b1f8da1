# Loopback services for tests, benchmarks and the cluster script: PostgreSQL, Redis and nginx started from Debian's
# binaries in a folder of their own, without touching the system's instances. Source it:
#   . Tools/cluster/services.sh
#   pg_up /tmp/pg 55432 csanmt SECRET      # a database "csanmt" owned by user "csanmt" with password SECRET
#   redis_up /tmp/redis-counters 56379 deploy/redis-counters.conf
# Every function is idempotent enough for a rerun after a crash: a stale server in the folder is stopped first.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_up DIR PORT USER PASSWORD: a fresh cluster in DIR listening on 127.0.0.1:PORT, password (scram) logins only
# over TCP, with database USER owned by USER.
pg_up() {
    local dir=$1 port=$2 user=$3 password=$4
    [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
    pg_down "$dir" 2>/dev/null || true
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    local pwfile="$dir/.pw"
    ( umask 077; printf '%s\n' "$password" > "$pwfile" ); [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U "$user" --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=peer \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    rm -f "$pwfile"
    pg_start "$dir" "$port"
    PGPASSWORD=$password "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE $user" >/dev/null
}

# pg_start DIR PORT: starts (again) the cluster in DIR; returns when it accepts connections.
pg_start() {
    local dir=$1 port=$2
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=1000 -c fsync=off -c synchronous_commit=off" start >/dev/null
}

# pg_down DIR: fast shutdown (open connections are closed; what was committed stays).
pg_down() {
    as_pg "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop >/dev/null
}

# redis_up DIR PORT [CONF]: a Redis in DIR (its AOF, if CONF asks for one, lives there).
redis_up() {
    local dir=$1 port=$2 conf=${3:-}
    redis_down "$port" 2>/dev/null || true
    mkdir -p "$dir"
    redis-server ${conf:+"$conf"} --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    local i; for i in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "redis on $port did not start" >&2; return 1
}

redis_down() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true; }

# wait_http URL [SECONDS]: until URL answers 200.
wait_http() {
    local url=$1 n=${2:-120} i
    for i in $(seq $((n * 10))); do curl -fsS -o /dev/null "$url" 2>/dev/null && return 0; sleep 0.1; done
    echo "$url did not answer within $n s" >&2; return 1
}
