#!/usr/bin/env python3
"""Evaluates every PromQL expression of the rules and the dashboard (expressions.py) through a
running Prometheus's HTTP API (/api/v1/query) and fails if any is rejected. An empty result is
not an error (a series the setup does not produce, or rabbitmq/pgbouncer ones where those are not
scraped); a parse or evaluation error is. With --expect-data NAME..., those expressions (rule
names) must also return at least one series. Usage: evaluate.py PROMETHEUS_URL [--expect-data ...]"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from expressions import all_expressions


def query(base, expr):
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:  # 400/422: Prometheus names the problem in the body
        body = json.load(error)
    if body.get("status") != "success":
        return None, f"{body.get('errorType')}: {body.get('error')}"
    result = body["data"]["result"]
    return (len(result) if isinstance(result, list) else 1), None


def main(base, expect_data):
    failures = []
    counts = {}
    for name, expr in all_expressions():
        count, error = query(base, expr)
        print(f"{'ERROR' if error else f'{count:5d}'}  {name}")
        if error:
            failures.append(f"{name}: {error}\n    {expr}")
        counts[name] = count or 0
    for name in expect_data:
        if name not in counts:
            failures.append(f"{name}: no such expression")
        elif counts[name] == 0:
            failures.append(f"{name}: returned no series")
    print(f"{len(counts)} expressions evaluated, {len(failures)} problems")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or (len(sys.argv) > 2 and sys.argv[2] != "--expect-data"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[3:]))
