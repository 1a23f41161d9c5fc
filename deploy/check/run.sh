#!/bin/bash
# Runs the offline checks of deploy/: renders every overlay with `kubectl kustomize`, validates
# each object against the Kubernetes, KEDA and prometheus-operator schemas and runs the
# cross-object rules (node --test). Installs its npm packages from package-lock.json first
# (npm ci), once: node_modules is kept until the lockfile changes.
# Usage: deploy/check/run.sh   (PIXFLEET_BIN=path/to/pixfleet also checks `pixfleet scale --check`)
set -euo pipefail
cd "$(dirname "$0")"
for tool in kubectl node npm; do
  command -v "$tool" >/dev/null || { echo "deploy/check: $tool is not installed" >&2; exit 1; }
done
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
  echo "$want" >"$stamp"
fi
exec node --test test/
