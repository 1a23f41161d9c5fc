#!/usr/bin/env bash
# pgbouncer 1.18 for the integration tests, on 127.0.0.1:56432, in front of the test PostgreSQL
# (tools/services/postgres.sh), in build/services/pgbouncer/.
#
#   tools/services/pgbouncer.sh start|stop|status|restart
#
# Transaction pooling (as in production), trust authentication with an auth_file (tests only), the
# admin console (database `pgbouncer`) open to user postgres. Runs as the postgres user, daemonised
# (-d), with its pidfile and logfile in its folder. Stopping is immediate (SIGTERM): the fault tests
# use restart to cut connections mid-batch.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGB_USER=postgres

# pgb_paths [existing]: sets the paths; with `existing`, fails if the folder is absent instead of
# installing packages and creating it.
pgb_paths() {
  is_root || PGB_USER=$(id -un)
  if [ "${1:-}" = existing ]; then
    PGB_DIR=$(existing_service_dir pgbouncer) || return 1
  else
    ensure_commands pgbouncer psql
    PGB_DIR=$(service_dir pgbouncer "$PGB_USER")
  fi
  PGB_INI="$PGB_DIR/pgbouncer.ini"
  PGB_PID="$PGB_DIR/pgbouncer.pid"
  PGB_LOG="$PGB_DIR/pgbouncer.log"
}

pgb_configure() {
  as_user "$PGB_USER" tee "$PGB_DIR/userlist.txt" >/dev/null <<'EOF_USERS'
"postgres" ""
EOF_USERS
  as_user "$PGB_USER" tee "$PGB_INI.new" >/dev/null <<EOF_INI
; Written by tools/services/pgbouncer.sh (test instance; trust authentication, not for production).
[databases]
$PG_DATABASE = host=127.0.0.1 port=$PG_PORT dbname=$PG_DATABASE
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir = $PGB_DIR
pidfile = $PGB_PID
logfile = $PGB_LOG
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
default_pool_size = 10
max_client_conn = 1000
; libpq-based clients and drivers send these at startup; pgbouncer would otherwise refuse them.
ignore_startup_parameters = extra_float_digits,options
server_connect_timeout = 5
server_login_retry = 1
log_connections = 0
log_disconnections = 0
EOF_INI
  as_user "$PGB_USER" mv -f "$PGB_INI.new" "$PGB_INI"
}

svc_status() {
  pgb_paths existing || return 1
  pidfile_alive "$PGB_PID"
}

pgb_ready() {
  psql -X -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -tAc 'SHOW VERSION'
}

svc_start() {
  pgb_paths
  if ! pidfile_alive "$PGB_PID"; then
    if port_open "$PGBOUNCER_PORT"; then
      die "pgbouncer: port $PGBOUNCER_PORT is taken by another process (ss -ltnp 'sport = :$PGBOUNCER_PORT')"
    fi
    pgb_configure
    rm -f "$PGB_PID"
    # The logfile must belong to the user pgbouncer runs as, or the daemon exits silently.
    as_user "$PGB_USER" touch "$PGB_LOG"
    log "pgbouncer: starting on 127.0.0.1:$PGBOUNCER_PORT"
    # max_client_conn = 1000 needs more descriptors than the usual soft limit of 1024.
    as_user_prefix "$PGB_USER"
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    (exec_clean "${AS_USER[@]}" sh -c 'ulimit -n 4096 2>/dev/null || true; exec pgbouncer -d -q "$1"' sh "$PGB_INI") || {
      log_tail "$PGB_LOG"
      die "pgbouncer: did not start"
    }
  fi
  wait_for "$WAIT_PGBOUNCER" "pgbouncer on 127.0.0.1:$PGBOUNCER_PORT" "$PGB_LOG" pgb_ready || exit 1
  log "pgbouncer: ready (postgresql://postgres@127.0.0.1:$PGBOUNCER_PORT/$PG_DATABASE)"
}

svc_stop() {
  pgb_paths existing || return 0
  if pidfile_alive "$PGB_PID"; then
    log "pgbouncer: stopping"
    stop_pid "$(tr -dc '0-9' <"$PGB_PID")" pgbouncer TERM
  fi
  local pid
  for pid in $(pids_matching "$PGB_INI"); do stop_pid "$pid" pgbouncer KILL; done
  rm -f "$PGB_PID"
}

service_main pgbouncer "$@"
