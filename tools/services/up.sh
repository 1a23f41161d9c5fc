#!/usr/bin/env bash
# Starts the integration tests' real services on loopback, each in its own folder under
# build/services/, and writes build/services/env.sh (their URLs). Idempotent and quick: a running
# service is left alone; missing packages are installed through tools/install-deps.sh --services.
#
#   tools/services/up.sh [postgres|pgbouncer|rabbitmq|s3 ...]     (default: all four)
#   . build/services/env.sh
#
# Each service waits until it accepts connections (bounded; on failure: an error and its log tail).
# Stop with tools/services/down.sh; restart one (keeping its data) with tools/services/restart.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t services < <(select_services "$@")
[ $# -eq 0 ] || [ ${#services[@]} -eq $# ] || exit 2
lock_services
reserve_service_ports
bash "$PIXFLEET_ROOT/tools/install-deps.sh" --services >&2
run_parallel start "${services[@]}"
write_env
log "all started: ${services[*]}; addresses in ${SERVICES_DIR#"$PIXFLEET_ROOT"/}/env.sh"
