#!/usr/bin/env bash
# s3rver 3.7.1 (npm), an S3-protocol server for the integration tests, on 127.0.0.1:54569, with the
# bucket pixfleet-test, in build/services/s3/.
#
#   tools/services/s3.sh start|stop|status|restart
#
# The version is pinned by tools/services/s3rver/package.json and package-lock.json and installed
# with `npm ci` into build/services/s3/npm/ (again only when the lock file changes). Node.js and npm
# come from the machine, or from Debian through tools/install-deps.sh --services. Objects live in
# build/services/s3/data/ and survive a restart. s3rver accepts the access key S3RVER with the
# secret S3RVER but does not verify signatures (any secret works): signing must be tested elsewhere.
#
# HTTPS: one s3rver process serves either http or https (--key/--cert switch the whole listener),
# so a second process serves https on 127.0.0.1:54570 with the test CA's certificate (lib.sh
# test_ca, copied into tls/), over the SAME data folder: both endpoints show the same buckets and
# objects. That is safe because s3rver keeps no state in memory beyond a request (each request
# reads and writes the files; continuation tokens use a fixed key). The https one also answers
# virtual-hosted requests for https://BUCKET.s3.localhost:54570 (--service-endpoint localhost;
# curl resolves *.localhost to loopback).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# s3_paths [existing]: sets the paths; with `existing`, fails if the folder is absent instead of
# installing packages and creating it.
s3_paths() {
  if [ "${1:-}" = existing ]; then
    S3_DIR=$(existing_service_dir s3) || return 1
  else
    ensure_commands node npm curl
    S3_DIR=$(service_dir s3 "$(id -un)")
  fi
  S3_NPM="$S3_DIR/npm"
  S3_BIN="$S3_NPM/node_modules/s3rver/bin/s3rver.js"
  S3_DATA="$S3_DIR/data"
  S3_PID="$S3_DIR/s3rver.pid"
  S3_LOG="$S3_DIR/s3rver.log"
  S3_TLS="$S3_DIR/tls"
  S3_TLS_PID="$S3_DIR/s3rver-tls.pid"
  S3_TLS_LOG="$S3_DIR/s3rver-tls.log"
}

s3_install() {
  local source="$SERVICES_SCRIPTS/s3rver" stamp="$S3_NPM/node_modules/.pixfleet-lock.sha256" want
  want=$(cat "$source/package.json" "$source/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ -x "$S3_BIN" ] || [ -f "$S3_BIN" ]; then
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  fi
  log "s3: npm ci (s3rver, pinned by tools/services/s3rver/package-lock.json)"
  mkdir -p "$S3_NPM"
  cp "$source/package.json" "$source/package-lock.json" "$S3_NPM/"
  (cd "$S3_NPM" && npm ci --no-audit --no-fund --loglevel=error >"$S3_DIR/npm.log" 2>&1) || {
    log_tail "$S3_DIR/npm.log"
    die "s3: npm ci failed"
  }
  echo "$want" >"$stamp"
}

svc_status() {
  s3_paths existing || return 1
  pidfile_alive "$S3_PID" && pidfile_alive "$S3_TLS_PID"
}

s3_ready() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/$S3_BUCKET"
}

s3_tls_ready() {
  curl -fsS -o /dev/null --max-time 2 --cacert "$TEST_CA_FILE" "https://127.0.0.1:$S3_TLS_PORT/$S3_BUCKET"
}

# s3_launch PIDFILE LOG ARGS...: starts s3rver in the background with ARGS.
s3_launch() {
  local pidfile=$1 logfile=$2
  shift 2
  (
    cd "$S3_DIR"
    # s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL
    # refuses unless the legacy provider is on: without it every paginated listing fails.
    NODE_OPTIONS=--openssl-legacy-provider exec_clean setsid node "$S3_BIN" -d "$S3_DATA" \
      -a 127.0.0.1 --configure-bucket "$S3_BUCKET" "$@" </dev/null >>"$logfile" 2>&1 &
    echo $! >"$pidfile"
  )
}

svc_start() {
  s3_paths
  s3_install
  if ! pidfile_alive "$S3_PID"; then
    if port_open "$S3_PORT"; then
      die "s3: port $S3_PORT is taken by another process (ss -ltnp 'sport = :$S3_PORT')"
    fi
    mkdir -p "$S3_DATA"
    log "s3: starting s3rver on 127.0.0.1:$S3_PORT (bucket $S3_BUCKET)"
    s3_launch "$S3_PID" "$S3_LOG" -p "$S3_PORT"
  fi
  # After the first one: both would create the bucket's folder at once otherwise.
  wait_for "$WAIT_S3" "s3rver on 127.0.0.1:$S3_PORT" "$S3_LOG" s3_ready || exit 1
  if ! pidfile_alive "$S3_TLS_PID"; then
    if port_open "$S3_TLS_PORT"; then
      die "s3: port $S3_TLS_PORT is taken by another process (ss -ltnp 'sport = :$S3_TLS_PORT')"
    fi
    install_server_cert "$S3_TLS" "$(id -un)"
    log "s3: starting s3rver with TLS on 127.0.0.1:$S3_TLS_PORT (same data)"
    s3_launch "$S3_TLS_PID" "$S3_TLS_LOG" -p "$S3_TLS_PORT" --key "$S3_TLS/server.key" \
      --cert "$S3_TLS/server.crt" --service-endpoint localhost
  fi
  wait_for "$WAIT_S3" "s3rver (TLS) on 127.0.0.1:$S3_TLS_PORT" "$S3_TLS_LOG" s3_tls_ready || exit 1
  log "s3: ready (http://127.0.0.1:$S3_PORT, https://127.0.0.1:$S3_TLS_PORT, bucket $S3_BUCKET)"
}

svc_stop() {
  s3_paths existing || return 0
  if pidfile_alive "$S3_PID"; then
    log "s3: stopping"
    stop_pid "$(tr -dc '0-9' <"$S3_PID")" s3rver TERM
  fi
  if pidfile_alive "$S3_TLS_PID"; then
    stop_pid "$(tr -dc '0-9' <"$S3_TLS_PID")" "s3rver (TLS)" TERM
  fi
  local pid
  for pid in $(pids_matching "$S3_BIN"); do stop_pid "$pid" s3rver KILL; done
  rm -f "$S3_PID" "$S3_TLS_PID"
}

service_main s3 "$@"
