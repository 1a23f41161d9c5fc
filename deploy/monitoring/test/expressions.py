#!/usr/bin/env python3
"""The PromQL expressions of pixfleet's monitoring: every rule of the PrometheusRule and every
target of the Grafana dashboard, with the dashboard's variables replaced by values Prometheus
accepts ($namespace by ".*", $__rate_interval by 1m), and a variable's label_values() query by the
PromQL that reads the same series. Prints one per line as NAME<TAB>EXPR (the
expression on one line), or, with --check-tests RULES_TEST.yaml, fails unless every alert has a
promtool test where it fires and one where it does not."""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
RULE_FILE = os.path.join(HERE, "..", "prometheusrule.yaml")
DASHBOARD = os.path.join(HERE, "..", "pixfleet-dashboard.json")
VARIABLES = {"${namespace}": ".*", "$namespace": ".*", "$__rate_interval": "1m"}


def rules():
    with open(RULE_FILE, encoding="utf-8") as f:
        for group in yaml.safe_load(f)["spec"]["groups"]:
            yield from group["rules"]


def dashboard_expressions():
    with open(DASHBOARD, encoding="utf-8") as f:
        dashboard = json.load(f)
    for variable in dashboard["templating"]["list"]:
        definition = variable.get("definition", "")
        if definition.startswith("label_values("):
            # Grafana's label_values(METRIC, LABEL) lists LABEL's values among METRIC's series:
            # the PromQL that reads the same series.
            metric, label = definition[len("label_values("):-1].rsplit(",", 1)
            yield f"variable {variable['name']}", f"count by ({label.strip()}) ({metric.strip()})"
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            yield f"panel {panel['title']!r} {target['refId']}", expr


def all_expressions():
    for rule in rules():
        yield rule.get("alert") or rule["record"], rule["expr"]
    yield from dashboard_expressions()


def check_tests(test_file):
    with open(test_file, encoding="utf-8") as f:
        tests = yaml.safe_load(f)["tests"]
    firing, quiet = set(), set()
    for test in tests:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    alerts = {rule["alert"] for rule in rules() if "alert" in rule}
    missing = sorted(f"{a}: no test where it {kind}"
                     for kind, seen in (("fires", firing), ("stays quiet", quiet))
                     for a in alerts - seen)
    unknown = sorted((firing | quiet) - alerts)
    for line in missing + [f"{a}: tested but not a rule" for a in unknown]:
        print(line, file=sys.stderr)
    return 1 if missing or unknown else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-tests":
        sys.exit(check_tests(sys.argv[2]))
    for name, expr in all_expressions():
        print(f"{name}\t{' '.join(expr.split())}")
