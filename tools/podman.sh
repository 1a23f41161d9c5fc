#!/usr/bin/env bash
# podman as this project runs it (tools/image.sh, tests/container/): with
# deploy/image/containers.conf (runc, cgroupfs, no default ulimits), which the sandboxes it is built
# and tested in need. Arguments are podman's own:  tools/podman.sh run --rm pixfleet:0.1.0 --version
# A CONTAINERS_CONF already set wins, so a host with its own configuration keeps it.
set -euo pipefail
conf="$(cd "$(dirname "$0")/.." && pwd)/deploy/image/containers.conf"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$conf}
exec podman "$@"
