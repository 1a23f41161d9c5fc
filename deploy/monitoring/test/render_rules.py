#!/usr/bin/env python3
"""Writes the rule groups of a PrometheusRule (spec.groups) as a plain Prometheus rules file, the
form promtool and a bare Prometheus read. Usage: render_rules.py PROMETHEUSRULE.yaml OUT.yaml"""
import sys

import yaml


def main(source, target):
    with open(source, encoding="utf-8") as f:
        rule = yaml.safe_load(f)
    if rule.get("kind") != "PrometheusRule":
        sys.exit(f"{source}: kind is {rule.get('kind')!r}, not PrometheusRule")
    groups = rule.get("spec", {}).get("groups")
    if not groups:
        sys.exit(f"{source}: no spec.groups")
    with open(target, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": groups}, f, sort_keys=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
