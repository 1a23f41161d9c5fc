#!/usr/bin/env bash
# The pipeline's own overhead, with no image work: the probe recipe (recipes/checksum.yaml) reads
# only each input's header, so what is measured is fetching a small input, the queue, the
# result database and the worker's bookkeeping. Prints figures and ratios for README; asserts
# nothing. Peers measured in the same run on the same inputs:
#   - the embedded pipeline (`pixfleet run`: SQLite queue and results, 2 worker processes);
#   - RabbitMQ alone: the same number of messages published with confirms by `submit` is the
#     first figure; the consume side of the broker is bounded by the distributed figure itself.
# Distributed mode: `pixfleet submit` publishes N tasks to RabbitMQ (quorum queue, persistent
# messages, publisher confirms), then W `pixfleet worker` processes consume them and record a
# result row each in PostgreSQL through pgbouncer (transaction pooling). The services are the
# project's own (tools/services/up.sh), started if needed and left running.
#
# Usage: bench/pipeline.sh [TASKS] [WORKERS] [CONCURRENCY]   (defaults 50000 8 16; release build)
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=${1:-50000}
workers=${2:-8}
concurrency=${3:-16}
bin=build/release/src/cli/pixfleet
samples=build/release/testing/pixfleet-samples
work=$(pwd)/build/bench-pipeline
[ -x "$bin" ] && [ -x "$samples" ] || {
  echo "bench/pipeline.sh: build first: tools/dev.sh build release" >&2
  exit 2
}

calc() { awk "BEGIN { printf \"%.${2:-0}f\", $1 }"; }
now_ms() { date +%s%3N; }
# CPU seconds (user + system) used so far by the live processes whose command name matches.
cpu_of() {
  local total=0 pid ticks
  for pid in $(pgrep -x "$1" || true); do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  calc "$total / $(getconf CLK_TCK)" 2
}

bash tools/services/up.sh >/dev/null 2>&1
# shellcheck disable=SC1091
. build/services/env.sh
direct=$PIXFLEET_TEST_POSTGRES_URL
pooled=$PIXFLEET_TEST_PGBOUNCER_URL
psql_direct() { psql -X -q -At -d "$direct" -c "$1"; }

# N inputs: one 1x1 JPEG hard-linked N times, 1,000 per folder (a listing like a real bucket's).
rm -rf "$work"
mkdir -p "$work/in"
"$samples" "$work/samples" formats >/dev/null 2>&1
seed=$work/samples/formats/tiny-1x1.jpg
for ((i = 0; i < tasks; i++)); do
  dir=$work/in/d$((i / 1000))
  [ $((i % 1000)) -eq 0 ] && mkdir -p "$dir"
  ln "$seed" "$dir/img$i.jpg"
done
echo "== pipeline overhead: $tasks tasks, checksum recipe (no image work), $(nproc) cores"

# Embedded peer: pixfleet run (2 worker processes, SQLite queue and results).
embedded_rate=0
if [ -z "${PIXFLEET_BENCH_SKIP_EMBEDDED:-}" ]; then
  start=$(now_ms)
  "$bin" run "$work/in" --recipe recipes/checksum.yaml --out "$work/run-out" >/dev/null 2>&1
  embedded_s=$(calc "($(now_ms) - $start) / 1000" 2)
  embedded_rate=$(calc "$tasks / $embedded_s")
fi

# Distributed: submit, then the fleet.
queue="$PIXFLEET_TEST_AMQP_URL?queue=bench-pipeline-$$"
"$bin" db migrate --db "$direct" >/dev/null
start=$(now_ms)
submit_out=$("$bin" submit "$work/in" --recipe recipes/checksum.yaml --queue "$queue" --db "$pooled" \
  --out "file://$work/out-$$" --batch "bench-pipeline-$$" 2>&1)
submit_s=$(calc "($(now_ms) - $start) / 1000" 3)
batch=$(grep -o 'batch [0-9a-f]\{8,\}' <<<"$submit_out" | head -1 | cut -d' ' -f2)
published=$(grep -o '[0-9]* tasks published' <<<"$submit_out" | head -1 | cut -d' ' -f1)
[ -n "$batch" ] && [ "$published" = "$tasks" ] || {
  echo "bench/pipeline.sh: submit did not publish $tasks tasks:" >&2
  echo "$submit_out" >&2
  exit 1
}
submit_rate=$(calc "$tasks / $submit_s")

pids=()
cpu_before=("$(cpu_of beam.smp)" "$(cpu_of postgres)" "$(cpu_of pgbouncer)")
start=$(now_ms)
for ((w = 0; w < workers; w++)); do
  /usr/bin/time -f "%U %S" -o "$work/worker-$w.time" "$bin" worker --queue "$queue" --db "$pooled" --concurrency "$concurrency" --exit-when-idle \
    >"$work/worker-$w.log" 2>&1 &
  pids+=($!)
done
# The run ends when the last row is in (workers then notice the empty queue and exit).
done_rows=0
while [ "$done_rows" -lt "$tasks" ]; do
  sleep 0.1
  done_rows=$(psql_direct "SELECT count(*) FROM results WHERE batch_id = '$batch'")
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && continue
    [ "$done_rows" -lt "$tasks" ] && wait "$pid" || true
  done
  if [ "$(($(now_ms) - start))" -gt 600000 ]; then
    echo "bench/pipeline.sh: only $done_rows of $tasks rows after 10 minutes" >&2
    kill "${pids[@]}" 2>/dev/null || true
    exit 1
  fi
done
fleet_s=$(calc "($(now_ms) - $start) / 1000" 2)
cpu_after=("$(cpu_of beam.smp)" "$(cpu_of postgres)" "$(cpu_of pgbouncer)")
for pid in "${pids[@]}"; do wait "$pid" || true; done
worker_cpu=$(cat "$work"/worker-*.time | awk '{ n += $1 + $2 } END { print n }')
per_task_ms() { calc "($1) * 1000 / $tasks" 3; }
# Steady state: first to last finished row (excludes the workers' start-up).
read -r first last succeeded <<<"$(psql_direct "SELECT min(finished_ms), max(finished_ms),
  count(*) FILTER (WHERE outcome = 'succeeded') FROM results WHERE batch_id = '$batch'" | tr '|' ' ')"
steady_rate=$(calc "$tasks * 1000 / ($last - $first)")
fleet_rate=$(calc "$tasks / $fleet_s")
writes=$(grep -ho 'recorded in [0-9]* database writes' "$work"/worker-*.log |
  awk '{ n += $3 } END { print n + 0 }')

echo "submit with publisher confirms:      $tasks tasks in ${submit_s}s = $submit_rate tasks/s (target 20000: $(calc "$submit_rate / 20000" 2)x)"
echo "distributed, $workers workers x $concurrency slots: $tasks tasks in ${fleet_s}s = $fleet_rate tasks/s from start-up (target 5000: $(calc "$fleet_rate / 5000" 2)x)"
echo "                                      steady state $steady_rate tasks/s; $succeeded succeeded; $writes database writes ($(calc "$tasks / ($writes > 0 ? $writes : 1)" 1) rows each)"
echo "CPU ms per task: workers $(per_task_ms "$worker_cpu"), RabbitMQ $(per_task_ms "${cpu_after[0]} - ${cpu_before[0]}"), PostgreSQL $(per_task_ms "${cpu_after[1]} - ${cpu_before[1]}"), pgbouncer $(per_task_ms "${cpu_after[2]} - ${cpu_before[2]}")"
[ "$embedded_rate" = 0 ] ||
  echo "embedded peer (pixfleet run, SQLite): $tasks tasks in ${embedded_s}s = $embedded_rate tasks/s; distributed/embedded = $(calc "$fleet_rate / $embedded_rate" 2)x"

# Leave nothing behind but the figures and the rows: delete this run's queues.
for name in $(curl -s "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f?columns=name" |
  grep -o "\"bench-pipeline-$$[^\"]*\"" | tr -d '"'); do
  curl -s -o /dev/null -X DELETE "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$name"
done
rm -rf "$work/in" "$work/samples"
