#!/usr/bin/env bash
# Shared helpers of the test-service scripts (tools/services/*.sh). Sourced, not run.
#
# Every service runs on loopback only, from a folder of its own under build/services/ (relative to
# the repository root, whatever the current directory is). Ports and fixed names live here so
# that up.sh, the per-service scripts and build/services/env.sh agree.

# shellcheck disable=SC2034 # the constants below are used by the scripts that source this file

# Repository root and the services folder.
PIXFLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVICES_DIR="$PIXFLEET_ROOT/build/services"
SERVICES_SCRIPTS="$PIXFLEET_ROOT/tools/services"

# Ports (all on 127.0.0.1).
# PIXFLEET_SERVICES_PORT_OFFSET shifts every port, so that two checkouts (two CI runs, or CI and
# a developer) can run their services side by side on one machine.
#
# The offset the services of this checkout run with is recorded in build/services/port-offset
# (written at every start, removed by down.sh once everything is stopped). A script run without
# the variable (a fault test's restart command, down.sh from another terminal) takes the recorded
# offset; one run with another offset is refused. Otherwise it would stop this folder's services
# and then act on the ports of another checkout's: start on them, or stop that checkout's
# private epmd (seen happen: a restart without the variable killed the offset-0 epmd).
PORT_OFFSET_FILE="$SERVICES_DIR/port-offset"
RECORDED_PORT_OFFSET=$(cat "$PORT_OFFSET_FILE" 2>/dev/null || true)
if [ -z "${PIXFLEET_SERVICES_PORT_OFFSET:-}" ]; then
  PORT_OFFSET=${RECORDED_PORT_OFFSET:-0}
else
  PORT_OFFSET=$PIXFLEET_SERVICES_PORT_OFFSET
  if [ -n "$RECORDED_PORT_OFFSET" ] && [ "$RECORDED_PORT_OFFSET" != "$PORT_OFFSET" ]; then
    echo "services: error: the services in $SERVICES_DIR use PIXFLEET_SERVICES_PORT_OFFSET=$RECORDED_PORT_OFFSET," \
      "not $PORT_OFFSET: stop them with that offset first (tools/services/down.sh)" >&2
    exit 1
  fi
fi
PG_PORT=$((55432 + PORT_OFFSET))
PGBOUNCER_PORT=$((56432 + PORT_OFFSET))
AMQP_PORT=$((55672 + PORT_OFFSET))
RABBITMQ_MGMT_PORT=$((55673 + PORT_OFFSET))
RABBITMQ_DIST_PORT_NUMBER=$((55674 + PORT_OFFSET)) # Erlang distribution (node <-> CLI tools)
RABBITMQ_EPMD_PORT=$((54369 + PORT_OFFSET)) # a private epmd, so no other Erlang node interferes
S3_PORT=$((54569 + PORT_OFFSET))
# TLS listeners, all with certificates of the test CA (test_ca below).
AMQPS_PORT=$((55671 + PORT_OFFSET))
RABBITMQ_MGMT_TLS_PORT=$((55675 + PORT_OFFSET))
S3_TLS_PORT=$((54570 + PORT_OFFSET)) # a second s3rver over the same data (s3.sh)
# RabbitMQ's Prometheus endpoint (rabbitmq_prometheus: /metrics, /metrics/per-object).
RABBITMQ_PROMETHEUS_PORT=$((55676 + PORT_OFFSET))

PG_DATABASE=pixfleet_test
S3_BUCKET=pixfleet-test

# The test CA and the one server certificate it issues (test_ca below).
TLS_DIR="$SERVICES_DIR/tls"
TEST_CA_FILE="$TLS_DIR/ca.crt"
# Names the server certificate is valid for: loopback by address and by name, and the
# virtual-hosted form of the S3 bucket on the https s3rver (bucket.s3.localhost).
TLS_SERVER_SAN="IP:127.0.0.1,DNS:localhost,DNS:s3.localhost,DNS:$S3_BUCKET.s3.localhost"

# Bounded waits, in seconds.
WAIT_PG=${PIXFLEET_SERVICES_WAIT_PG:-30}
WAIT_PGBOUNCER=${PIXFLEET_SERVICES_WAIT_PGBOUNCER:-15}
WAIT_RABBITMQ=${PIXFLEET_SERVICES_WAIT_RABBITMQ:-90}
WAIT_S3=${PIXFLEET_SERVICES_WAIT_S3:-30}
WAIT_STOP=${PIXFLEET_SERVICES_WAIT_STOP:-30}

log() { echo "services: $*" >&2; }

die() {
  echo "services: error: $*" >&2
  exit 1
}

# The tail of a log file, indented, for error messages.
log_tail() {
  local file=$1 lines=${2:-40}
  if [ -f "$file" ]; then
    echo "---- last $lines lines of $file ----" >&2
    tail -n "$lines" "$file" | sed 's/^/  | /' >&2
    echo "----" >&2
  else
    echo "(no log at $file)" >&2
  fi
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# The command prefix (array AS_USER) that runs a command as USER when we are root, and as ourselves
# otherwise (then we own everything). setpriv, not runuser/su: it execs the command directly (no
# PAM session, no supervising parent that would outlive or SIGKILL a daemon, limits kept as set).
as_user_prefix() {
  local user=$1
  AS_USER=()
  if is_root && [ "$user" != root ]; then
    AS_USER=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --init-groups)
  fi
}

as_user() {
  local user=$1
  shift
  as_user_prefix "$user"
  "${AS_USER[@]}" "$@"
}

# Installs the service packages when a command they provide is missing.
ensure_commands() {
  local missing=0 cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] || missing=1
  done
  if [ "$missing" -eq 1 ]; then
    log "installing missing packages (tools/install-deps.sh --services)"
    bash "$PIXFLEET_ROOT/tools/install-deps.sh" --services >&2
  fi
}

# Creates (if needed) and prints the folder of service NAME, owned by USER. The folder is
# build/services/NAME; should USER be unable to reach build/services (a checkout under a private
# home), the data goes to /var/tmp/pixfleet-services/<hash>/NAME and build/services/NAME is a
# symbolic link to it.
service_dir() {
  local name=$1 owner=$2 dir real
  dir="$SERVICES_DIR/$name"
  mkdir -p "$SERVICES_DIR"
  if [ "$RECORDED_PORT_OFFSET" != "$PORT_OFFSET" ]; then
    echo "$PORT_OFFSET" >"$PORT_OFFSET_FILE.$$"
    mv -f "$PORT_OFFSET_FILE.$$" "$PORT_OFFSET_FILE"
  fi
  if [ -L "$dir" ]; then
    real=$(readlink -f "$dir")
    mkdir -p "$real"
  elif [ -d "$dir" ]; then
    real=$dir
  elif ! is_root || as_user "$owner" test -x "$SERVICES_DIR"; then
    mkdir -p "$dir"
    real=$dir
  else
    real="/var/tmp/pixfleet-services/$(echo "$PIXFLEET_ROOT" | md5sum | cut -c1-12)/$name"
    # build/services/NAME is gone, so this is a fresh start: drop stale data unless still in use.
    if [ -d "$real" ] && ! pgrep -f -- "$real" >/dev/null 2>&1; then rm -rf "$real"; fi
    mkdir -p "$real"
    chmod 755 /var/tmp/pixfleet-services "$(dirname "$real")"
    ln -sfn "$real" "$dir"
  fi
  if is_root; then
    chown "$owner:" "$real"
  fi
  echo "$real"
}

# Makes, once, the test certificate authority and a server certificate it signs for
# TLS_SERVER_SAN, in build/services/tls/: ca.crt (what clients trust: PIXFLEET_TEST_CA_FILE),
# ca.key, server.crt, server.key. Every TLS listener serves that one certificate, so one CA file
# verifies them all. Services start in parallel, so the first caller makes the files (under a
# lock, into a temporary folder renamed into place) and the others wait for it. The files stay
# until build/services is deleted.
test_ca() {
  [ -s "$TLS_DIR/server.crt" ] && return 0
  mkdir -p "$SERVICES_DIR"
  (
    exec 8>"$SERVICES_DIR/.tls.lock"
    flock -w 60 8 || die "could not lock $SERVICES_DIR/.tls.lock"
    [ -s "$TLS_DIR/server.crt" ] && exit 0
    local tmp
    tmp=$(mktemp -d "$SERVICES_DIR/.tls.XXXXXX")
    log "making the test CA and server certificate (${TLS_DIR#"$PIXFLEET_ROOT"/})"
    {
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=pixfleet test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$tmp/ca.key" -out "$tmp/ca.crt" &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
          -keyout "$tmp/server.key" -out "$tmp/server.csr" &&
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
          "$TLS_SERVER_SAN" >"$tmp/server.ext" &&
        openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
          -CAcreateserial -days 3650 -extfile "$tmp/server.ext" -out "$tmp/server.crt"
    } >"$tmp/openssl.log" 2>&1 || {
      log_tail "$tmp/openssl.log"
      rm -rf "$tmp"
      die "openssl could not make the test certificates"
    }
    rm -f "$tmp/server.csr" "$tmp/server.ext" "$tmp/ca.srl" "$tmp/openssl.log"
    chmod 644 "$tmp/ca.crt" "$tmp/server.crt"
    chmod 600 "$tmp/ca.key" "$tmp/server.key"
    chmod 755 "$tmp"
    rm -rf "$TLS_DIR"
    mv "$tmp" "$TLS_DIR"
  )
}

# install_server_cert DIR OWNER: copies the server certificate, its key and the CA into DIR
# (created), owned by OWNER, the key readable by OWNER only: each service reads its own copy,
# from a folder its user can reach (build/services itself may not be reachable; see service_dir).
install_server_cert() {
  local dir=$1 owner=$2 file
  test_ca
  as_user "$owner" mkdir -p "$dir"
  for file in ca.crt server.crt server.key; do
    if ! cmp -s "$TLS_DIR/$file" "$dir/$file"; then
      as_user "$owner" tee "$dir/$file" <"$TLS_DIR/$file" >/dev/null
    fi
  done
  chmod 600 "$dir/server.key"
}

# Prints the (real) folder of service NAME if it exists; fails otherwise. Used by stop and status,
# which must neither install packages nor create folders.
existing_service_dir() {
  local dir="$SERVICES_DIR/$1"
  [ -d "$dir" ] || return 1
  readlink -f "$dir"
}

# Replaces the current (sub)shell by a command with every file descriptor above 2 closed: call it
# in a subshell, `( exec_clean CMD... )`, or in the background, `exec_clean CMD... &` (then $! is
# the command's pid). For the daemons: started from a test (say through
# PIXFLEET_TEST_RABBITMQ_RESTART_CMD) they would otherwise inherit the test's sockets and pipes,
# and our lock, and keep them open for as long as they run.
exec_clean() {
  local entry fd
  for entry in "/proc/$BASHPID/fd/"*; do
    fd=${entry##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec "$@"
}

# True when a TCP port on 127.0.0.1 accepts connections.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when process PID is alive. A zombie is dead: here PID 1 reaps orphans late (seen: 30 s and
# more), and `kill -0` succeeds on a zombie, so a service killed with -9 would look alive.
pid_alive() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 1
  ! grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status"
}

# True when the process whose id is on the first line of FILE is alive.
pidfile_alive() {
  local file=$1 pid
  [ -s "$file" ] || return 1
  pid=$(head -n1 "$file" | tr -dc '0-9')
  [ -n "$pid" ] && pid_alive "$pid"
}

# wait_for SECONDS WHAT LOGFILE COMMAND...: polls COMMAND until it succeeds; on timeout prints the
# log tail and fails.
wait_for() {
  local seconds=$1 what=$2 logfile=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "services: error: $what not ready after ${seconds}s" >&2
      log_tail "$logfile"
      return 1
    fi
    sleep 0.2
  done
}

# stop_pid PID WHAT [SIGNAL]: sends SIGNAL (default TERM), waits up to WAIT_STOP seconds for the
# process to go, then kills it.
stop_pid() {
  local pid=$1 what=$2 signal=${3:-TERM}
  pid_alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + WAIT_STOP))
  while pid_alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$what (pid $pid) did not stop after ${WAIT_STOP}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
}

# Live process ids whose command line mentions PATTERN (a fixed string), excluding this shell.
pids_matching() {
  local pid
  for pid in $(pgrep -f -- "$1" 2>/dev/null); do
    if [ "$pid" != "$$" ] && pid_alive "$pid"; then echo "$pid"; fi
  done
}

# Dispatches start|stop|status|restart to the functions svc_start, svc_stop, svc_status.
service_main() {
  local name=$1
  shift
  case "${1:-}" in
    start) svc_start ;;
    stop) svc_stop ;;
    status)
      if svc_status; then
        echo "$name: running"
      else
        echo "$name: stopped"
        return 3
      fi
      ;;
    restart)
      svc_stop
      svc_start
      ;;
    *)
      echo "usage: $0 start|stop|status|restart" >&2
      return 2
      ;;
  esac
}

ALL_SERVICES=(postgres pgbouncer rabbitmq s3)

# Checks service names (default: all) and prints them, one a line.
select_services() {
  if [ $# -eq 0 ]; then
    printf '%s\n' "${ALL_SERVICES[@]}"
    return
  fi
  local name
  for name in "$@"; do
    case "$name" in
      postgres | pgbouncer | rabbitmq | s3) echo "$name" ;;
      postgresql | pg) echo postgres ;;
      rabbit | amqp) echo rabbitmq ;;
      s3rver) echo s3 ;;
      *)
        echo "services: unknown service '$name' (known: ${ALL_SERVICES[*]})" >&2
        return 2
        ;;
    esac
  done
}

# Serialises up/down/restart between concurrent callers (two test runs at once). The lock is file
# descriptor 9, which the service scripts are run without (9>&-): a daemon that inherited it would
# hold the lock for as long as it runs.
lock_services() {
  mkdir -p "$SERVICES_DIR"
  exec 9>"$SERVICES_DIR/.lock"
  if ! flock -n 9; then
    log "waiting for another tools/services script (lock $SERVICES_DIR/.lock)"
    flock -w 300 9 || die "another tools/services script still holds $SERVICES_DIR/.lock after 300s"
  fi
}

# Our ports lie inside Linux's ephemeral range (32768-60999 by default), so a client connection
# made elsewhere on the machine can hold one of them as its local port for a moment, and a
# service restarted then fails with EADDRINUSE (seen with hundreds of worker connections during
# a fault test). As root, add them to net.ipv4.ip_local_reserved_ports, which keeps the kernel
# from handing them out as ephemeral ports (explicit binds still work). Best effort otherwise.
reserve_service_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports current wanted
  [ -w "$file" ] || return 0
  current=$(cat "$file")
  wanted="$PG_PORT,$PGBOUNCER_PORT,$AMQP_PORT,$RABBITMQ_MGMT_PORT,$RABBITMQ_DIST_PORT_NUMBER"
  wanted="$wanted,$RABBITMQ_EPMD_PORT,$S3_PORT,$AMQPS_PORT,$RABBITMQ_MGMT_TLS_PORT,$S3_TLS_PORT"
  wanted="$wanted,$RABBITMQ_PROMETHEUS_PORT"
  echo "${current:+$current,}$wanted" >"$file" 2>/dev/null || true
}

# run_parallel ACTION SERVICE...: runs tools/services/SERVICE.sh ACTION for each service at once,
# prints each one's output in order, fails if any failed.
run_parallel() {
  local action=$1
  shift
  local tmp name failed=()
  tmp=$(mktemp -d)
  local -A pid_of=()
  for name in "$@"; do
    "$SERVICES_SCRIPTS/$name.sh" "$action" >"$tmp/$name.out" 2>&1 9>&- &
    pid_of[$name]=$!
  done
  for name in "$@"; do
    if ! wait "${pid_of[$name]}"; then failed+=("$name"); fi
    cat "$tmp/$name.out" >&2
  done
  rm -rf "$tmp"
  if [ ${#failed[@]} -ne 0 ]; then
    echo "services: $action failed for: ${failed[*]}" >&2
    return 1
  fi
}

# Writes build/services/env.sh: the URLs the integration tests read.
write_env() {
  mkdir -p "$SERVICES_DIR"
  cat >"$SERVICES_DIR/env.sh.new" <<EOF_ENV
# Written by tools/services/up.sh: the test services' addresses. Source it before the
# integration tests:  . build/services/env.sh
export PIXFLEET_TEST_POSTGRES_URL='postgresql://postgres@127.0.0.1:$PG_PORT/$PG_DATABASE'
export PIXFLEET_TEST_PGBOUNCER_URL='postgresql://postgres@127.0.0.1:$PGBOUNCER_PORT/$PG_DATABASE'
export PIXFLEET_TEST_AMQP_URL='amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f'
export PIXFLEET_TEST_RABBITMQ_API='http://guest:guest@127.0.0.1:$RABBITMQ_MGMT_PORT'
export PIXFLEET_TEST_S3_ENDPOINT='http://127.0.0.1:$S3_PORT'
export PIXFLEET_TEST_S3_BUCKET='$S3_BUCKET'
export AWS_ACCESS_KEY_ID='S3RVER'
export AWS_SECRET_ACCESS_KEY='S3RVER'
export AWS_REGION='us-east-1'
# TLS: every TLS listener serves a certificate of this CA, valid for 127.0.0.1 and localhost.
export PIXFLEET_TEST_CA_FILE=$(printf '%q' "$TEST_CA_FILE")
export PIXFLEET_TEST_AMQPS_URL='amqps://guest:guest@127.0.0.1:$AMQPS_PORT/%2f'
export PIXFLEET_TEST_RABBITMQ_API_HTTPS='https://guest:guest@127.0.0.1:$RABBITMQ_MGMT_TLS_PORT'
export PIXFLEET_TEST_S3_HTTPS_ENDPOINT='https://127.0.0.1:$S3_TLS_PORT'
# RabbitMQ's Prometheus endpoint, without credentials (the monitoring test scrapes it).
export PIXFLEET_TEST_RABBITMQ_PROMETHEUS='http://127.0.0.1:$RABBITMQ_PROMETHEUS_PORT'
# Commands the fault tests run to restart a service mid-test (stop, start, wait; data kept), and
# to stop the S3 server (both its listeners) and start it again later.
export PIXFLEET_TEST_RABBITMQ_RESTART_CMD=$(printf '%q' "$(printf '%q rabbitmq' "$SERVICES_SCRIPTS/restart.sh")")
export PIXFLEET_TEST_POSTGRES_RESTART_CMD=$(printf '%q' "$(printf '%q postgres' "$SERVICES_SCRIPTS/restart.sh")")
export PIXFLEET_TEST_PGBOUNCER_RESTART_CMD=$(printf '%q' "$(printf '%q pgbouncer' "$SERVICES_SCRIPTS/restart.sh")")
export PIXFLEET_TEST_S3_STOP_CMD=$(printf '%q' "$(printf '%q stop' "$SERVICES_SCRIPTS/s3.sh")")
export PIXFLEET_TEST_S3_START_CMD=$(printf '%q' "$(printf '%q start' "$SERVICES_SCRIPTS/s3.sh")")
EOF_ENV
  mv -f "$SERVICES_DIR/env.sh.new" "$SERVICES_DIR/env.sh"
}
