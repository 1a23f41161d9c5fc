#!/usr/bin/env bash
# RabbitMQ 3.10 (Debian's rabbitmq-server) for the integration tests, with the management plugin,
# in build/services/rabbitmq/: AMQP on 127.0.0.1:55672, management HTTP API on 127.0.0.1:55673
# (user guest/guest, which RabbitMQ allows on loopback only); the same over TLS with the test CA's
# certificate (lib.sh test_ca, copied into tls/): AMQPS on 127.0.0.1:55671, management HTTPS on
# 127.0.0.1:55675. Clients need no certificate; one they present is verified against the test CA.
# The prometheus plugin serves /metrics and /metrics/per-object on 127.0.0.1:55676 (no TLS).
#
#   tools/services/rabbitmq.sh start|stop|status|restart
#
# A node of its own, isolated from any system-wide RabbitMQ or other Erlang node on the machine:
# node name rabbit@localhost, its own mnesia/, log/, enabled_plugins, rabbitmq.conf, HOME (with its
# own Erlang cookie), a private epmd on 127.0.0.1:54369 and the distribution port 55674 on
# loopback. All of it owned by the `rabbitmq` user, which the node runs as (RabbitMQ started as root
# writes files that the rabbitmq user then cannot read). Debian's package starts a system service
# on install where the init system allows it: tools/install-deps.sh stops and disables it, and this
# script refuses to start while anything else holds our ports. Boot takes several seconds: start
# waits until both AMQP and the management API answer. A restart keeps the data (queues, messages).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RMQ_USER=rabbitmq
RMQ_SBIN=/usr/lib/rabbitmq/bin

# rmq_paths [existing]: sets the paths; with `existing`, fails if the folder is absent instead of
# installing packages and creating it.
rmq_paths() {
  is_root || RMQ_USER=$(id -un)
  if [ "${1:-}" = existing ]; then
    RMQ_DIR=$(existing_service_dir rabbitmq) || return 1
  else
    ensure_commands "$RMQ_SBIN/rabbitmq-server" curl
    RMQ_DIR=$(service_dir rabbitmq "$RMQ_USER")
  fi
  RMQ_LOG_DIR="$RMQ_DIR/log"
  RMQ_PID="$RMQ_DIR/rabbitmq.pid"             # the Erlang VM, written by RabbitMQ
  RMQ_LAUNCHER_PID="$RMQ_DIR/launcher.pid"    # the rabbitmq-server script that forwards signals
  RMQ_STARTUP_LOG="$RMQ_LOG_DIR/startup.log" # its standard output and error
  RMQ_NODE_LOG="$RMQ_LOG_DIR/rabbit@localhost.log"
}

# The command prefix that runs a RabbitMQ program (server or CLI) as the rabbitmq user with this
# node's environment, in the array RMQ_RUN.
rmq_prefix() {
  as_user_prefix "$RMQ_USER"
  RMQ_RUN=("${AS_USER[@]}" env
    HOME="$RMQ_DIR/home"
    RABBITMQ_NODENAME=rabbit@localhost
    RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    RABBITMQ_PID_FILE="$RMQ_PID"
    RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT_NUMBER"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT"
    ERL_EPMD_ADDRESS=127.0.0.1)
}

rmq_env() {
  rmq_prefix
  "${RMQ_RUN[@]}" "$@"
}

rmq_configure() {
  as_user "$RMQ_USER" mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_LOG_DIR"
  install_server_cert "$RMQ_DIR/tls" "$RMQ_USER"
  if [ ! -s "$RMQ_DIR/home/.erlang.cookie" ]; then
    # Our own cookie: the node and the CLI tools (same HOME) share it; nothing else does.
    head -c 32 /dev/urandom | md5sum | cut -c1-20 | tr 'a-f' 'A-F' |
      as_user "$RMQ_USER" tee "$RMQ_DIR/home/.erlang.cookie" >/dev/null
    chmod 400 "$RMQ_DIR/home/.erlang.cookie"
  fi
  as_user "$RMQ_USER" tee "$RMQ_DIR/rabbitmq.conf" >/dev/null <<EOF_CONF
# Written by tools/services/rabbitmq.sh (test instance, loopback only).
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $RMQ_DIR/tls/ca.crt
ssl_options.certfile = $RMQ_DIR/tls/server.crt
ssl_options.keyfile = $RMQ_DIR/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MGMT_PORT
management.ssl.ip = 127.0.0.1
management.ssl.port = $RABBITMQ_MGMT_TLS_PORT
management.ssl.cacertfile = $RMQ_DIR/tls/ca.crt
management.ssl.certfile = $RMQ_DIR/tls/server.crt
management.ssl.keyfile = $RMQ_DIR/tls/server.key
# guest/guest, allowed from loopback only (RabbitMQ's default, kept on purpose).
loopback_users.guest = true
# The Prometheus endpoint (rabbitmq_prometheus), on loopback like the rest.
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $RABBITMQ_PROMETHEUS_PORT
# Queue depth and rates in the management API refresh every second (default 5 s).
collect_statistics_interval = 1000
log.file.level = info
log.console = false
EOF_CONF
  [ -f "$RMQ_DIR/rabbitmq-env.conf" ] || as_user "$RMQ_USER" touch "$RMQ_DIR/rabbitmq-env.conf"
  [ -f "$RMQ_DIR/advanced.config" ] || echo '[].' | as_user "$RMQ_USER" tee "$RMQ_DIR/advanced.config" >/dev/null
  if ! grep -qs rabbitmq_management "$RMQ_DIR/enabled_plugins"; then
    log "rabbitmq: enabling the management plugin (offline)"
    rmq_env "$RMQ_SBIN/rabbitmq-plugins" --offline enable rabbitmq_management >"$RMQ_DIR/plugins.log" 2>&1 ||
      {
        log_tail "$RMQ_DIR/plugins.log"
        die "rabbitmq: rabbitmq-plugins failed"
      }
  fi
  if ! grep -qs rabbitmq_prometheus "$RMQ_DIR/enabled_plugins"; then
    log "rabbitmq: enabling the prometheus plugin (offline)"
    rmq_env "$RMQ_SBIN/rabbitmq-plugins" --offline enable rabbitmq_prometheus >>"$RMQ_DIR/plugins.log" 2>&1 ||
      {
        log_tail "$RMQ_DIR/plugins.log"
        die "rabbitmq: rabbitmq-plugins failed"
      }
  fi
}

rmq_running() { pidfile_alive "$RMQ_LAUNCHER_PID" || pidfile_alive "$RMQ_PID"; }

svc_status() {
  rmq_paths existing || return 1
  rmq_running
}

rmq_ready() {
  port_open "$AMQP_PORT" && port_open "$AMQPS_PORT" &&
    curl -fsS -o /dev/null --max-time 2 -u guest:guest "http://127.0.0.1:$RABBITMQ_MGMT_PORT/api/overview" &&
    curl -fsS -o /dev/null --max-time 2 --cacert "$TEST_CA_FILE" -u guest:guest \
      "https://127.0.0.1:$RABBITMQ_MGMT_TLS_PORT/api/overview"
}

svc_start() {
  rmq_paths
  if ! rmq_running; then
    local port
    for port in "$AMQP_PORT" "$AMQPS_PORT" "$RABBITMQ_MGMT_PORT" "$RABBITMQ_MGMT_TLS_PORT" \
      "$RABBITMQ_DIST_PORT_NUMBER" "$RABBITMQ_PROMETHEUS_PORT"; do
      if port_open "$port"; then
        die "rabbitmq: port $port is taken by another process (ss -ltnp 'sport = :$port')"
      fi
    done
    rmq_configure
    log "rabbitmq: starting on 127.0.0.1:$AMQP_PORT, TLS $AMQPS_PORT (management $RABBITMQ_MGMT_PORT, TLS $RABBITMQ_MGMT_TLS_PORT)"
    rm -f "$RMQ_PID" "$RMQ_LAUNCHER_PID"
    as_user "$RMQ_USER" touch "$RMQ_STARTUP_LOG"
    # In its own session, so it survives this script and the terminal; stdin from /dev/null.
    rmq_prefix
    (
      cd "$RMQ_DIR"
      exec_clean setsid "${RMQ_RUN[@]}" "$RMQ_SBIN/rabbitmq-server" </dev/null >>"$RMQ_STARTUP_LOG" 2>&1 &
      echo $! >"$RMQ_LAUNCHER_PID"
    )
  fi
  local deadline=$((SECONDS + WAIT_RABBITMQ))
  until rmq_ready >/dev/null 2>&1; do
    if ! rmq_running; then
      log_tail "$RMQ_STARTUP_LOG" 20
      log_tail "$RMQ_NODE_LOG"
      die "rabbitmq: the node exited during boot"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log_tail "$RMQ_STARTUP_LOG" 20
      log_tail "$RMQ_NODE_LOG"
      die "rabbitmq: not ready after ${WAIT_RABBITMQ}s"
    fi
    sleep 0.3
  done
  log "rabbitmq: ready (amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f, amqps://…:$AMQPS_PORT)"
}

svc_stop() {
  rmq_paths existing || return 0
  if rmq_running; then
    log "rabbitmq: stopping"
    # SIGTERM to the Erlang VM: a graceful shutdown (about 5 s). The launcher script would forward
    # SIGTERM too but lingers ~1.5 s after the VM is gone; once the VM is gone it holds nothing.
    if pidfile_alive "$RMQ_PID"; then
      stop_pid "$(tr -dc '0-9' <"$RMQ_PID")" "rabbitmq node" TERM
      if pidfile_alive "$RMQ_LAUNCHER_PID"; then
        stop_pid "$(tr -dc '0-9' <"$RMQ_LAUNCHER_PID")" "rabbitmq launcher" KILL
      fi
    elif pidfile_alive "$RMQ_LAUNCHER_PID"; then
      # Still booting (no pid file yet): the launcher forwards SIGTERM to the VM.
      stop_pid "$(tr -dc '0-9' <"$RMQ_LAUNCHER_PID")" "rabbitmq launcher" TERM
    fi
  fi
  # Leftovers of this node (an Erlang VM whose launcher was killed), then our private epmd.
  local pid
  for pid in $(pids_matching "$RMQ_DIR/mnesia"); do stop_pid "$pid" "rabbitmq node" KILL; done
  if port_open "$RABBITMQ_EPMD_PORT"; then
    ERL_EPMD_PORT=$RABBITMQ_EPMD_PORT epmd -kill >/dev/null 2>&1 || true
  fi
  for pid in $(pids_matching "epmd -port $RABBITMQ_EPMD_PORT") $(pgrep -x epmd 2>/dev/null | while read -r p; do
    if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "ERL_EPMD_PORT=$RABBITMQ_EPMD_PORT"; then echo "$p"; fi
  done); do
    stop_pid "$pid" epmd TERM
  done
  rm -f "$RMQ_PID" "$RMQ_LAUNCHER_PID"
}

service_main rabbitmq "$@"
