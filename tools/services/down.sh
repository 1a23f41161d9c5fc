#!/usr/bin/env bash
# Stops the integration tests' services started by tools/services/up.sh, leaving no process behind
# (their data stays in build/services/; delete that folder for a fresh start).
#
#   tools/services/down.sh [postgres|pgbouncer|rabbitmq|s3 ...]   (default: all four)
#
# Never installs anything; services that never ran are skipped.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t services < <(select_services "$@")
[ $# -eq 0 ] || [ ${#services[@]} -eq $# ] || exit 2
[ -d "$SERVICES_DIR" ] || exit 0
lock_services
run_parallel stop "${services[@]}"
if [ $# -eq 0 ]; then
  # Everything stopped: nothing may still run from build/services.
  leftovers=$(pgrep -af -- "$SERVICES_DIR" || true)
  if [ -n "$leftovers" ]; then
    echo "services: processes still running from $SERVICES_DIR:" >&2
    echo "$leftovers" >&2
    exit 1
  fi
  # Nothing runs any more: the next up.sh may choose another offset (lib.sh).
  rm -f "$PORT_OFFSET_FILE"
fi
log "stopped: ${services[*]}"
