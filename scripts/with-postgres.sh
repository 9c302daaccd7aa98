#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server:
#   scripts/with-postgres.sh COMMAND [ARGS...]
# Starts Debian's PostgreSQL (initdb, pg_ctl from $CHAINBREAK_PG_BIN, default
# /usr/lib/postgresql/15/bin) in a fresh temporary directory, listening only
# on a Unix socket in that directory (no TCP port, so parallel runs cannot
# collide), creates database chainbreak_test, exports CHAINBREAK_TEST_PG with
# a libpq connection string for it, runs the command, then stops the server
# and removes the directory, also when the command or the setup fails or the
# script is interrupted. Exits with the command's status.
#
# PostgreSQL refuses to run as root: when run as root, the server runs as the
# system user chainbreak-test (created with useradd -r when missing); the
# command itself runs as the caller. Needs no terminal (works under CI=true).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

pg_bin=${CHAINBREAK_PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in initdb pg_ctl createdb; do
  if [ ! -x "$pg_bin/$tool" ]; then
    echo "with-postgres: $pg_bin/$tool not found; install Debian's postgresql package" \
      "(scripts/install-deps.sh --test) or set CHAINBREAK_PG_BIN" >&2
    exit 2
  fi
done

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  server_user=chainbreak-test
  if ! getent passwd "$server_user" >/dev/null; then
    # Another run may create it at the same moment: only its absence is fatal.
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$server_user" 2>/dev/null ||
      getent passwd "$server_user" >/dev/null
  fi
  as_server=(runuser -u "$server_user" --)
fi

# Short path: the socket path must fit in sun_path (107 bytes).
dir=$(mktemp -d /tmp/chainbreak-pg.XXXXXX)
started=0
child=""
# shellcheck disable=SC2317  # called through trap
cleanup() {
  local status=$?
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ "$started" -eq 1 ]; then
    "${as_server[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
      "${as_server[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ ${#as_server[@]} -gt 0 ]; then chown "$server_user" "$dir"; fi
chmod 0755 "$dir"

if ! "${as_server[@]}" "$pg_bin/initdb" -D "$dir/data" -U chainbreak --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi
cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = 5432
max_connections = 20
shared_buffers = 64MB
dynamic_shared_memory_type = mmap
logging_collector = off
EOF

started=1
if ! "${as_server[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
  echo "with-postgres: the server did not start:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi
"$pg_bin/createdb" -h "$dir" -p 5432 -U chainbreak chainbreak_test

export CHAINBREAK_TEST_PG="host=$dir port=5432 user=chainbreak dbname=chainbreak_test"
# In the background, so that a signal to this script is handled at once
# (bash runs traps only between commands) and passed on to the command.
"$@" <&0 &
child=$!
set +e
wait "$child"
status=$?
set -e
child=""
exit "$status"
