#!/usr/bin/env bash
# Restarts test services (stop, then start, keeping their data), for the fault tests that cut
# RabbitMQ, PostgreSQL or pgbouncer mid-batch. Waits until each accepts connections again.
#
#   tools/services/restart.sh SERVICE [SERVICE ...]    (postgres|pgbouncer|rabbitmq|s3)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -eq 0 ]; then
  echo "usage: $0 postgres|pgbouncer|rabbitmq|s3 ..." >&2
  exit 2
fi
mapfile -t services < <(select_services "$@")
[ ${#services[@]} -eq $# ] || exit 2
lock_services
reserve_service_ports
for name in "${services[@]}"; do
  "$SERVICES_SCRIPTS/$name.sh" stop 9>&-
  "$SERVICES_SCRIPTS/$name.sh" start 9>&-
done
write_env
