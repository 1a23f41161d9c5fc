#!/usr/bin/env bash
# Does `pixfleet simulate` predict a real run's drain time? Runs one workload for real through
# the test RabbitMQ and PostgreSQL (through pgbouncer), then simulates the same workload with
# the task durations measured from that run's own result rows (`duration: results:`), and prints
# predicted vs measured drain time and their ratio. Asserts nothing; the issue asks for 15 %.
#
# MODE fixed (the default): the real fleet is W `pixfleet worker` processes (--concurrency SLOTS),
# started and warmed up on a small batch before the measured batch is published (then stopped); the simulation gets a
# ScaledObject with minReplicaCount = maxReplicaCount = W, so its W pods are up at t = 0 too.
# Drain time is measured as the simulator defines it: from the first task's start (the earliest
# finished_ms - process_ms) to the last row's finished_ms.
# MODE scale: the batch is published first, then `pixfleet scale` sizes the workers from 0 with
# the ScaledObject below (KEDA's end-to-end settings: pollingInterval 5, cooldownPeriod 10,
# min 0, max W, value 10, protocol http), and the simulation reads that same file. Drain time
# runs from the moment `pixfleet scale` starts (its first poll sees the whole batch, as the
# simulation's does at t = 0) to the last row; the workers' start-up time given to the
# simulation is the one measured in the run (scale start to the first task's start). The scaler
# starts once the management API shows the whole batch, so its first poll sees it.
#
# Usage: bench/simulate_vs_real.sh [COPIES] [WORKERS] [SLOTS] [MODE] [BUILD]
#   COPIES: how many times the 40 12-megapixel JPEGs of the "bench" sample set are queued
#   (default 2: 80 tasks of the std3 recipe); WORKERS default 2; SLOTS default 1;
#   MODE fixed or scale (default fixed); BUILD the build folder (default build/dev).
# Needs the test services running (tools/services/up.sh) and psql; PIXFLEET_SERVICES_ENV names
# their env.sh when it is not this checkout's build/services/env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-2}
workers=${2:-2}
slots=${3:-1}
mode=${4:-fixed}
build=${5:-build/dev}
bin=$build/src/cli/pixfleet
samples=$build/testing/pixfleet-samples
if [ ! -x "$bin" ] || [ ! -x "$samples" ]; then
  echo "bench/simulate_vs_real.sh: build first: cmake --build --preset dev --target pixfleet pixfleet-samples" >&2
  exit 2
fi
# shellcheck disable=SC1090,SC1091
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
  # This run's queues: the task queue, its dead-letter and retry queues.
  for queue_name in $(curl -s "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f?columns=name" |
    grep -o "\"${name}[^\"]*\"" | tr -d '"'); do
    curl -s -o /dev/null -X DELETE "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$queue_name"
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The generated images are kept between runs (making them takes a minute).
cache=$(pwd)/build/bench-samples
[ -d "$cache/bench/camera" ] || "$samples" "$cache" bench >/dev/null
mkdir -p "$work/in"
for ((c = 0; c < copies; c++)); do
  mkdir -p "$work/in/copy$c"
  cp -l "$cache/bench/camera/"*.jpg "$work/in/copy$c/"
done
tasks=$(find "$work/in" -name '*.jpg' | wc -l)
"$bin" db migrate --db "$direct" >/dev/null

# Rows of batch NAME, once COUNT of them are in.
wait_rows() {  # BATCH_NAME COUNT
  local id="" rows=0 i
  for ((i = 0; i < 4800; i++)); do
    [ -n "$id" ] || id=$(psql_direct "SELECT id FROM batches WHERE name = '$1'")
    [ -z "$id" ] || rows=$(psql_direct "SELECT count(*) FROM results WHERE batch_id = '$id'")
    [ "$rows" -lt "$2" ] || return 0
    sleep 0.25
  done
  echo "bench/simulate_vs_real.sh: only $rows of $2 rows of $1 after 20 minutes" >&2
  return 1
}
submit() {  # INPUT_DIR BATCH_NAME
  "$bin" submit "$1" --recipe recipes/std3.yaml --queue "$queue" --db "$pooled" \
    --out "file://$work/out-$2" --batch "$2" >/dev/null
}
worker=("$bin" worker --queue "$queue" --db "$pooled" --concurrency "$slots")

# The ScaledObject both the real scaler (scale mode) and the simulation read.
write_scaledobject() {  # MIN COOLDOWN HOST PROTOCOL
  cat >"$work/scaledobject.yaml" <<YAML
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: $name}
spec:
  scaleTargetRef: {name: pixfleet-worker}
  pollingInterval: 5
  cooldownPeriod: $2
  minReplicaCount: $1
  maxReplicaCount: $workers
  triggers:
    - type: rabbitmq
      metadata: {host: "$3", protocol: $4, queueName: $name, mode: QueueLength, value: "10"}
YAML
}

if [ "$mode" = scale ]; then
  write_scaledobject 0 10 "$PIXFLEET_TEST_RABBITMQ_API/%2f" http
  echo "== bench/simulate_vs_real.sh: $tasks tasks (std3 on 12 MP JPEGs), pixfleet scale from 0 to at most $workers workers x $slots slots, $(nproc) cores"
  submit "$work/in" "$name"
  # The management API's counts lag the queue by up to its stats interval (5 s): start the
  # scaler once they show the batch, so that its first poll sees it, as the simulation's does.
  for ((i = 0; i < 120; i++)); do
    shown=$(curl -s "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$name" | grep -o '"messages":[0-9]*' | head -1 | cut -d: -f2 || true)
    [ "${shown:-0}" -lt "$tasks" ] || break
    sleep 0.25
  done
  start=$(date +%s%3N)
  "$bin" scale --scaledobject "$work/scaledobject.yaml" -- "${worker[@]}" >"$work/scale.log" 2>&1 &
  pids+=($!)
else
  write_scaledobject "$workers" 300 "$PIXFLEET_TEST_AMQP_URL" amqp
  # The fleet first, warmed up on one image per slot (first connections, libvips' start-up);
  # those rows are not measured. The batch then starts on W warm workers, as the simulated pods
  # (minReplicaCount of them, up at t = 0) do.
  mkdir -p "$work/warmup"
  for ((w = 0; w < workers * slots; w++)); do cp -l "$work/in/copy0/DSC_$((1000 + w)).jpg" "$work/warmup/"; done
  submit "$work/warmup" "$name-warmup"
  for ((w = 0; w < workers; w++)); do
    "${worker[@]}" >"$work/worker-$w.log" 2>&1 &
    pids+=($!)
  done
  wait_rows "$name-warmup" $((workers * slots))
  echo "== bench/simulate_vs_real.sh: $tasks tasks (std3 on 12 MP JPEGs), $workers warm workers x $slots slots, $(nproc) cores"
  submit "$work/in" "$name"
fi
wait_rows "$name" "$tasks"
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()
batch=$(psql_direct "SELECT id FROM batches WHERE name = '$name'")
read -r first last mean <<<"$(psql_direct "SELECT min(finished_ms - process_ms), max(finished_ms),
  avg(process_ms) FROM results WHERE batch_id = '$batch' AND outcome = 'succeeded'" | tr '|' ' ')"
startup_ms=0
if [ "$mode" = scale ]; then
  startup_ms=$((first - start))
  first=$start
fi
measured_ms=$((last - first))

cat >"$work/workload.yaml" <<YAML
arrivals: [{batch: {tasks: $tasks}}]
duration: {results: {db: "$pooled", batch: $name}}
worker: {startup: ${startup_ms}ms, slots: $slots}
YAML
predicted=$("$bin" simulate --scaledobject "$work/scaledobject.yaml" --workload "$work/workload.yaml" \
  --values 10 | awk '$1 == "as" && $2 == "written" { print $6 }')
predicted_ms=$(calc "$predicted * 1000")
echo "mean task (process_ms):  $(calc "$mean / 1000" 2) s"
[ "$mode" != scale ] || echo "worker start-up:         $(calc "$startup_ms / 1000" 2) s (scale start to first task)"
echo "measured drain time:     $(calc "$measured_ms / 1000" 1) s"
echo "predicted drain time:    $(calc "$predicted_ms / 1000" 1) s"
echo "predicted / measured:    $(calc "$predicted_ms / $measured_ms" 3)"
