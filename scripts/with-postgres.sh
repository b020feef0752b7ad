#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster: its own directory, loopback only,
# stopped and removed afterwards. PostgreSQL refuses to run as root, so as root the cluster
# belongs to the `postgres` system user.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (make system-deps)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/himpun-pg.XXXXXX)
PORT=${HIMPUN_PG_PORT:-$(( 40000 + RANDOM % 20000 ))}
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
stop() {
  as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
export HIMPUN_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/himpun"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
