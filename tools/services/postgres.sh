#!/usr/bin/env bash
# PostgreSQL 15 for the integration tests, on 127.0.0.1:55432, in build/services/postgres/.
#
#   tools/services/postgres.sh start|stop|status|restart
#
# Layout: data/ (the cluster, owned by the postgres user: PostgreSQL refuses to run as root),
# run/ (its Unix socket), tls/ (a copy of the test CA's server certificate, lib.sh test_ca: so
# sslmode=require works, and so does sslmode=verify-full with sslrootcert=PIXFLEET_TEST_CA_FILE),
# postgres.log. Authentication is `trust` for everyone: tests only. The database pixfleet_test is
# created on first start. A restart keeps the data.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
PG_USER=postgres
[ -x "$PG_BIN/pg_ctl" ] || PG_BIN=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /usr/bin/pg_ctl)")

# pg_paths [existing]: sets the paths; with `existing`, fails if the folder is absent instead of
# installing packages and creating it.
pg_paths() {
  is_root || PG_USER=$(id -un)
  if [ "${1:-}" = existing ]; then
    PG_DIR=$(existing_service_dir postgres) || return 1
  else
    ensure_commands "$PG_BIN/pg_ctl" openssl psql
    [ -x "$PG_BIN/pg_ctl" ] || PG_BIN=/usr/lib/postgresql/15/bin
    PG_DIR=$(service_dir postgres "$PG_USER")
  fi
  PG_DATA="$PG_DIR/data"
  PG_SOCK="$PG_DIR/run"
  PG_TLS="$PG_DIR/tls"
  PG_LOG="$PG_DIR/postgres.log"
}

pg_ctl_() { as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }

# pg_ctl start as the postgres user, with no inherited descriptors (see exec_clean).
pg_ctl_start() {
  as_user_prefix "$PG_USER"
  (exec_clean "${AS_USER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@")
}

pg_init() {
  [ -s "$PG_DATA/PG_VERSION" ] && return 0
  log "postgres: initdb into $PG_DATA"
  rm -rf "$PG_DATA"
  as_user "$PG_USER" mkdir -p "$PG_DATA" "$PG_SOCK" "$PG_TLS"
  as_user "$PG_USER" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-instructions >"$PG_DIR/initdb.log" 2>&1 ||
    {
      log_tail "$PG_DIR/initdb.log"
      die "postgres: initdb failed"
    }
  # Settings of our own, kept apart from initdb's file. Durability shortcuts are fine for tests:
  # they only matter if the machine itself crashes, not if PostgreSQL is killed or restarted.
  as_user "$PG_USER" tee "$PG_DATA/pixfleet-test.conf" >/dev/null <<CONF
# Written by tools/services/postgres.sh (test instance; not for production).
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
ssl = on
ssl_cert_file = '$PG_TLS/server.crt'
ssl_key_file = '$PG_TLS/server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_connections = off
CONF
  echo "include = 'pixfleet-test.conf'" | as_user "$PG_USER" tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# True when the postmaster of our data folder is alive (zombie-aware, unlike `pg_ctl status`).
pg_running() { pidfile_alive "$PG_DATA/postmaster.pid"; }

# After a kill -9 the lock file stays, naming a dead (or zombie) postmaster, which PostgreSQL and
# pg_ctl may take for a live one: remove it. Its orphaned backends exit by themselves shortly.
pg_clear_stale_lock() {
  if [ -f "$PG_DATA/postmaster.pid" ] && ! pg_running; then
    log "postgres: removing the stale postmaster.pid of a dead server"
    rm -f "$PG_DATA/postmaster.pid"
  fi
}

svc_status() {
  pg_paths existing || return 1
  pg_running
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; }

svc_start() {
  pg_paths
  pg_init
  # Every start, so that a cluster made before the test CA existed serves its certificate too.
  install_server_cert "$PG_TLS" "$PG_USER"
  pg_clear_stale_lock
  if ! pg_running; then
    if port_open "$PG_PORT"; then
      die "postgres: port $PG_PORT is taken by another process (ss -ltnp 'sport = :$PG_PORT')"
    fi
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    as_user "$PG_USER" mkdir -p "$PG_SOCK"
    # A few tries: after a kill -9 the old backends may hold the shared memory for a moment.
    local try
    for try in 1 2 3 4 5; do
      if pg_ctl_start -l "$PG_LOG" -w -t "$WAIT_PG" \
        -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
        break
      fi
      if [ "$try" -eq 5 ]; then
        log_tail "$PG_LOG"
        die "postgres: did not start"
      fi
      pg_clear_stale_lock
      sleep 1
    done
  fi
  wait_for "$WAIT_PG" "postgres on 127.0.0.1:$PG_PORT" "$PG_LOG" pg_ready || exit 1
  local exists
  exists=$(psql -X -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")
  if [ "$exists" != 1 ]; then
    psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $PG_DATABASE" ||
      die "postgres: could not create database $PG_DATABASE"
  fi
  log "postgres: ready (postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DATABASE)"
}

svc_stop() {
  pg_paths existing || return 0
  if [ -s "$PG_DATA/PG_VERSION" ] && pg_running; then
    log "postgres: stopping"
    pg_ctl_ -m fast -w -t "$WAIT_STOP" stop >/dev/null 2>&1 || {
      log "postgres: fast stop failed, trying immediate"
      pg_ctl_ -m immediate -w -t "$WAIT_STOP" stop >/dev/null 2>&1 || true
    }
  fi
  # Anything left over from this folder (a crashed postmaster's children).
  local pid
  for pid in $(pids_matching "$PG_DATA"); do stop_pid "$pid" "postgres" KILL; done
  if [ -d "$PG_DATA" ]; then pg_clear_stale_lock; fi
}

service_main postgres "$@"
