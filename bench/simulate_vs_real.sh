#!/usr/bin/env bash
# Does `pixfleet simulate` predict a real run's drain time? Runs one workload for real through
# the test RabbitMQ and PostgreSQL (through pgbouncer), then simulates the same workload with
# the task durations measured from that run's own result rows (`duration: results:`), and prints
# predicted vs measured drain time and their ratio. Asserts nothing; the issue asks for 15 %.
#
# The real fleet is W `pixfleet worker` processes (W fixed, --concurrency SLOTS), all started
# and warmed up on a small batch before the measured batch is published (then stopped); the simulation gets a
# ScaledObject with minReplicaCount = maxReplicaCount = W, so its W pods are up at t = 0 too.
# Drain time is measured as the simulator defines it: from the first task's start (the earliest
# finished_ms - process_ms) to the last row's finished_ms.
#
# Usage: bench/simulate_vs_real.sh [COPIES] [WORKERS] [SLOTS] [BUILD]
#   COPIES: how many times the 40 12-megapixel JPEGs of the "bench" sample set are queued
#   (default 2: 80 tasks of the std3 recipe); WORKERS default 2; SLOTS default 1;
#   BUILD the build folder (default build/dev).
# Needs the test services running (tools/services/up.sh) and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-2}
workers=${2:-2}
slots=${3:-1}
build=${4:-build/dev}
bin=$build/src/cli/pixfleet
samples=$build/testing/pixfleet-samples
[ -x "$bin" ] && [ -x "$samples" ] || {
  echo "bench/simulate_vs_real.sh: build first: cmake --build --preset dev --target pixfleet pixfleet-samples" >&2
  exit 2
}
# shellcheck disable=SC1091
. "${PIXFLEET_SERVICES_ENV:-build/services/env.sh}"
direct=$PIXFLEET_TEST_POSTGRES_URL
pooled=$PIXFLEET_TEST_PGBOUNCER_URL
psql_direct() { psql -X -q -At -d "$direct" -c "$1"; }
calc() { awk "BEGIN { printf \"%.${2:-0}f\", $1 }"; }

name=simulate-vs-real-$$
work=$(pwd)/build/$name
queue="$PIXFLEET_TEST_AMQP_URL?queue=$name"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  curl -s -o /dev/null -X DELETE "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$name" || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/in"
"$samples" "$work/samples" bench >/dev/null
for ((c = 0; c < copies; c++)); do
  mkdir -p "$work/in/copy$c"
  cp -l "$work/samples/bench/camera/"*.jpg "$work/in/copy$c/"
done
tasks=$(find "$work/in" -name '*.jpg' | wc -l)
"$bin" db migrate --db "$direct" >/dev/null

# The fleet first, waiting on an empty queue: the batch then starts on W warm workers, as the
# simulated pods do.
mkdir -p "$work/warmup"
for ((w = 0; w < workers * slots; w++)); do cp -l "$work/in/copy0/DSC_$((1000 + w)).jpg" "$work/warmup/"; done
"$bin" submit "$work/warmup" --recipe recipes/std3.yaml --queue "$queue" --db "$pooled" \
  --out "file://$work/out-warmup" --batch "$name-warmup" >/dev/null
for ((w = 0; w < workers; w++)); do
  "$bin" worker --queue "$queue" --db "$pooled" --concurrency "$slots" \
    >"$work/worker-$w.log" 2>&1 &
  pids+=($!)
done
# The warm-up batch (one image per slot) puts the workers' first connections and libvips' start-up behind us;
# its rows are not measured. Wait until it is drained before the measured batch is published.
for ((i = 0; i < 1200; i++)); do
  ready=$(curl -s "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$name" | grep -o '"messages":[0-9]*' | head -1 | cut -d: -f2)
  [ "${ready:-1}" = 0 ] && break
  sleep 0.25
done
echo "== bench/simulate_vs_real.sh: $tasks tasks (std3 on 12 MP JPEGs), $workers workers x $slots slots, $(nproc) cores"
"$bin" submit "$work/in" --recipe recipes/std3.yaml --queue "$queue" --db "$pooled" \
  --out "file://$work/out-measured" --batch "$name" >/dev/null
batch=$(psql_direct "SELECT id FROM batches WHERE name = '$name'")
done_rows=0
for ((i = 0; done_rows < tasks; i++)); do
  sleep 0.25
  done_rows=$(psql_direct "SELECT count(*) FROM results WHERE batch_id = '$batch'")
  [ "$i" -lt 4800 ] || { echo "only $done_rows of $tasks rows after 20 minutes" >&2; exit 1; }
done
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()
read -r first last mean <<<"$(psql_direct "SELECT min(finished_ms - process_ms), max(finished_ms),
  avg(process_ms) FROM results WHERE batch_id = '$batch' AND outcome = 'succeeded'" | tr '|' ' ')"
measured_ms=$((last - first))

cat >"$work/scaledobject.yaml" <<YAML
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: $name}
spec:
  scaleTargetRef: {name: pixfleet-worker}
  pollingInterval: 5
  minReplicaCount: $workers
  maxReplicaCount: $workers
  triggers:
    - type: rabbitmq
      metadata: {protocol: amqp, queueName: $name, mode: QueueLength, value: "10"}
YAML
cat >"$work/workload.yaml" <<YAML
arrivals: [{batch: {tasks: $tasks}}]
duration: {results: {db: "$pooled", batch: $name}}
worker: {startup: 0s, slots: $slots}
YAML
predicted=$("$bin" simulate --scaledobject "$work/scaledobject.yaml" --workload "$work/workload.yaml" \
  --values 10 | awk '$1 == "as" && $2 == "written" { print $6 }')
predicted_ms=$(calc "$predicted * 1000")
echo "mean task (process_ms):  $(calc "$mean / 1000" 2) s"
echo "measured drain time:     $(calc "$measured_ms / 1000" 1) s"
echo "predicted drain time:    $(calc "$predicted_ms / 1000" 1) s"
echo "predicted / measured:    $(calc "$predicted_ms / $measured_ms" 3)"
