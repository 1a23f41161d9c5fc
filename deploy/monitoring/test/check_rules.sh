#!/usr/bin/env bash
# The monitoring's offline checks (ctest label `monitoring`, no services): renders the rule groups
# out of the PrometheusRule, runs `promtool check rules` and the unit tests of rules_test.yaml,
# checks that every alert has a test where it fires and one where it stays quiet, that the
# dashboard is valid JSON, and (where kubectl is installed) that the kustomization renders the
# PodMonitor, the PrometheusRule and the dashboard ConfigMap with the sidecar's label.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
monitoring=$(dirname "$here")
command -v promtool >/dev/null || {
  echo "promtool is missing: tools/install-deps.sh --services installs it (Debian's prometheus)" >&2
  exit 1
}
# PyYAML: Debian's python3-yaml (install-deps --services); a python3 found first on PATH may lack
# it, /usr/bin/python3 has it.
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# promtool reads the test's rule_files beside the test file.
"$python" "$here/render_rules.py" "$monitoring/prometheusrule.yaml" "$work/rules.yaml"
cp "$here/rules_test.yaml" "$work/"
promtool check rules "$work/rules.yaml"
promtool test rules "$work/rules_test.yaml"
"$python" "$here/expressions.py" --check-tests "$here/rules_test.yaml"
"$python" -m json.tool "$monitoring/pixfleet-dashboard.json" >/dev/null

if command -v kubectl >/dev/null; then
  kubectl kustomize "$monitoring" >"$work/rendered.yaml"
  "$python" - "$work/rendered.yaml" <<'PY'
import json, sys, yaml
objects = {o["kind"]: o for o in yaml.safe_load_all(open(sys.argv[1])) if o}
assert set(objects) == {"PodMonitor", "PrometheusRule", "ConfigMap"}, sorted(objects)
for o in objects.values():
    assert "namespace" not in o["metadata"], o["metadata"]
selector = objects["PodMonitor"]["spec"]["selector"]["matchLabels"]
assert selector == {"app.kubernetes.io/name": "pixfleet",
                    "app.kubernetes.io/component": "worker"}, selector
assert [e["port"] for e in objects["PodMonitor"]["spec"]["podMetricsEndpoints"]] == ["metrics"]
config_map = objects["ConfigMap"]
assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1", config_map["metadata"]
json.loads(config_map["data"]["pixfleet-dashboard.json"])
PY
  echo "kustomization: PodMonitor, PrometheusRule and the dashboard ConfigMap render"
else
  echo "kubectl is not installed: the kustomization was not rendered"
fi
echo "monitoring rules: checked and unit-tested"
