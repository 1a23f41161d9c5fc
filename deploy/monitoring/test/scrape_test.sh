#!/usr/bin/env bash
# A real Prometheus scrapes a running worker (ctest label `needs-service`): the built pixfleet
# processes a small batch from RabbitMQ into PostgreSQL (through pgbouncer) while Prometheus,
# started here on loopback with its own data folder and a 1 s scrape interval, scrapes the
# worker's /metrics and RabbitMQ's prometheus plugin (/metrics/per-object, when it answers), and
# loads the PrometheusRule's groups. pgbouncer is not scraped: its exporter is not in Debian 12 in
# a form that runs against Debian's pgbouncer (see docs/monitoring.md), so those series are absent. Then every expression of the
# rules and the dashboard is evaluated through the HTTP API (evaluate.py): none may be rejected,
# and the worker-side ones (and the queue ones when RabbitMQ is scraped) must have data, as must
# the expressions of the alerts this batch trips (1 failure in 7 tasks is 14%: PixfleetTasksFailing
# above 5%, PixfleetErrorsHigh above 10%; one dead letter: PixfleetDeadLetters), pending there.
#   scrape_test.sh PIXFLEET_BINARY
# Skips (exit 77) unless build/services/env.sh has been sourced. Cleans up its queues.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
monitoring=$(dirname "$here")
source_dir=$(cd "$monitoring/../.." && pwd)
pixfleet=${1:?usage: scrape_test.sh PIXFLEET_BINARY}
if [ -z "${PIXFLEET_TEST_AMQP_URL:-}" ] || [ -z "${PIXFLEET_TEST_PGBOUNCER_URL:-}" ]; then
  echo "skipped: the test services' addresses are not set (. build/services/env.sh)"
  exit 77
fi
for command in prometheus python3 curl; do
  command -v "$command" >/dev/null || {
    echo "$command is missing: tools/install-deps.sh --services installs it" >&2
    exit 1
  }
done

# PyYAML: Debian's python3-yaml (install-deps --services); a python3 found first on PATH may lack
# it, /usr/bin/python3 has it.
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3
work=$(mktemp -d)
queue="pixfleet-monitor-$$-$RANDOM"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # The work queue, its dead-letter and retry queues.
  local api=$PIXFLEET_TEST_RABBITMQ_API name
  for name in $(curl -fsS "$api/api/queues/%2f?columns=name" 2>/dev/null |
    "$python" -c 'import json,sys; print(" ".join(q["name"] for q in json.load(sys.stdin)))'); do
    case "$name" in "$queue" | "$queue".*) curl -fsS -X DELETE "$api/api/queues/%2f/$name" || true ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT
read -r worker_port prometheus_port < <("$python" -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))')

# Six small PNGs and one file that is no image (a failed task, so a dead letter and an error).
mkdir -p "$work/in" "$work/out"
"$python" - "$work/in" <<'PY'
import struct, sys, zlib
def png(width, height, seed):
    rows = b"".join(b"\0" + bytes((x * 4 + seed) % 256 for x in range(width * 3))
                    for _ in range(height))
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
for i in range(6):
    open(f"{sys.argv[1]}/image-{i}.png", "wb").write(png(320 + 16 * i, 240, i * 37))
open(f"{sys.argv[1]}/broken.png", "wb").write(b"\x89PNG\r\n\x1a\nthis is not an image")
PY
db=$PIXFLEET_TEST_PGBOUNCER_URL
queue_url="$PIXFLEET_TEST_AMQP_URL?queue=$queue"
"$pixfleet" db migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }

"$python" "$here/render_rules.py" "$monitoring/prometheusrule.yaml" "$work/rules.yaml"
rabbitmq_target=""
expect_queue_data=()
# Services started before tools/services enabled the plugin have no endpoint: no queue series.
if [ -n "${PIXFLEET_TEST_RABBITMQ_PROMETHEUS:-}" ]; then
  curl -fsS -o /dev/null --max-time 10 "$PIXFLEET_TEST_RABBITMQ_PROMETHEUS/metrics/per-object" || {
    echo "RabbitMQ's prometheus endpoint $PIXFLEET_TEST_RABBITMQ_PROMETHEUS does not answer" >&2
    exit 1
  }
  rabbitmq_target=${PIXFLEET_TEST_RABBITMQ_PROMETHEUS#http://}
  expect_queue_data=(pixfleet:queue_messages:sum pixfleet:dead_letter_messages:sum PixfleetDeadLetters)
else
  echo "PIXFLEET_TEST_RABBITMQ_PROMETHEUS is not set (services started before the plugin was):" \
    "queue series are not scraped"
fi
# The labels prometheus-operator's PodMonitor would add, which the rules group by.
cat >"$work/prometheus.yml" <<EOF_CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['$work/rules.yaml']
scrape_configs:
  - job_name: pixfleet-worker
    static_configs:
      - targets: ['127.0.0.1:$worker_port']
        labels: {namespace: monitor-test, pod: worker-1, container: worker}
EOF_CONFIG
if [ -n "$rabbitmq_target" ]; then
  cat >>"$work/prometheus.yml" <<EOF_CONFIG
  - job_name: rabbitmq
    metrics_path: /metrics/per-object
    static_configs:
      - targets: ['$rabbitmq_target']
EOF_CONFIG
fi
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
prometheus_url="http://127.0.0.1:$prometheus_port"

# The worker starts on an empty queue and the batch is submitted once Prometheus has scraped it:
# every counter is first seen at 0, so rate() counts the whole batch.
"$pixfleet" worker --queue "$queue_url" --db "$db" --listen "127.0.0.1:$worker_port" \
  --concurrency 2 >"$work/worker.log" 2>&1 &
pids+=($!)

# value QUERY: the first sample's value of an instant query, or empty.
value() {
  curl -fsS --max-time 5 "$prometheus_url/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
    "$python" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}
# wait_for QUERY WHAT: until QUERY returns a sample (at most 120 s).
wait_for() {
  local deadline=$((SECONDS + 120))
  until [ -n "$(value "$1")" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for $2 ($1)" >&2
      tail -n 20 "$work/worker.log" "$work/prometheus.log" >&2
      exit 1
    fi
    sleep 1
  done
}
wait_for 'up{job="pixfleet-worker"} == 1' "the worker to be scraped"
started=$SECONDS
"$pixfleet" submit "$work/in" --recipe "$source_dir/recipes/std3.yaml" --queue "$queue_url" \
  --db "$db" --out "file://$work/out" --batch "$queue" >"$work/submit.log" 2>&1 ||
  { cat "$work/submit.log"; exit 1; }
wait_for 'sum(pixfleet_tasks_total{outcome=~"succeeded|failed"}) >= 7' "all 7 tasks to finish"
if [ -n "$rabbitmq_target" ]; then
  wait_for "rabbitmq_queue_messages{queue=\"$queue.dead\"} >= 1" "the dead letter in RabbitMQ's metrics"
fi
# Recording rules evaluate every second; a few evaluations after the last task.
sleep 3
echo "worker finished 7 tasks, scraped by Prometheus, in $((SECONDS - started)) s:" \
  "succeeded $(value 'sum(pixfleet_tasks_total{outcome="succeeded"})')," \
  "failed $(value 'sum(pixfleet_tasks_total{outcome="failed"})')," \
  "slots $(value 'sum(pixfleet_worker_slots)')"
"$python" "$here/evaluate.py" "$prometheus_url" --expect-data \
  pixfleet:tasks:rate5m pixfleet:stage:rate5m pixfleet:stage_seconds:p95_5m \
  pixfleet:task_seconds:p95_5m pixfleet:errors:rate10m pixfleet:slots_busy:ratio \
  pixfleet:tasks_finished:rate10m \
  PixfleetTasksFailing PixfleetErrorsHigh "${expect_queue_data[@]}"
