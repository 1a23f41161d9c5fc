#!/usr/bin/env bash
# The pipeline's own overhead, with no image work: the checksum recipe (recipes/checksum.yaml)
# records each input's sha256 and never looks inside it, so what is measured is fetching a small
# input, the queue, the result database and the worker's bookkeeping. Prints figures and ratios
# for README; asserts nothing.
#
# Distributed mode: `pixfleet submit` publishes N tasks to RabbitMQ (quorum queue, persistent
# messages, publisher confirms), then W `pixfleet worker` processes consume them and record one
# result row each in PostgreSQL through pgbouncer (transaction pooling), once per slot count
# given. The peer measured in the same run on the same inputs is the embedded pipeline
# (`pixfleet run`: SQLite queue and results, one worker process per core). CPU per task is read
# from /proc for this checkout's RabbitMQ, PostgreSQL and pgbouncer (their pid files) and from
# the workers' own accounting. The services are the project's own (tools/services/up.sh),
# started if needed and left running.
#
# Usage: bench/pipeline.sh [TASKS] [WORKERS] [SLOTS...]   (defaults: 30000 8 8 16 32)
#        needs a release build (tools/dev.sh build release)
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=${1:-30000}
workers=${2:-8}
shift $(($# > 2 ? 2 : $#))
slot_counts=("$@")
[ ${#slot_counts[@]} -gt 0 ] || slot_counts=(8 16 32)
bin=build/release/src/cli/pixfleet
samples=build/release/testing/pixfleet-samples
work=$(pwd)/build/bench-pipeline
[ -x "$bin" ] && [ -x "$samples" ] || {
  echo "bench/pipeline.sh: build first: tools/dev.sh build release" >&2
  exit 2
}
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

calc() { awk "BEGIN { printf \"%.${2:-0}f\", $1 }"; }
now_ms() { date +%s%3N; }

bash tools/services/up.sh >/dev/null 2>&1
# shellcheck disable=SC1091
. build/services/env.sh
direct=$PIXFLEET_TEST_POSTGRES_URL
pooled=$PIXFLEET_TEST_PGBOUNCER_URL
psql_direct() { psql -X -q -At -d "$direct" -c "$1"; }
services=$(readlink -f build/services)

# CPU seconds (user + system) used so far by a process and its children that are alive now
# (PostgreSQL's backends, RabbitMQ's helpers), found from the pid file of this checkout's
# service: other checkouts' services on the same machine are not counted.
cpu_of_tree() {
  local root ticks=0 pid
  root=$(head -1 "$1" 2>/dev/null) || { echo 0; return; }
  for pid in $root $(pgrep -P "$root" || true); do
    ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  calc "$ticks / $(getconf CLK_TCK)" 2
}
service_cpu() {
  echo "$(cpu_of_tree "$services/rabbitmq/rabbitmq.pid") $(cpu_of_tree "$services/postgres/data/postmaster.pid")" \
    "$(cpu_of_tree "$services/pgbouncer/pgbouncer.pid")"
}

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
"$bin" db migrate --db "$direct" >/dev/null

# Embedded peer: pixfleet run (SQLite queue and results).
start=$(now_ms)
"$bin" run "$work/in" --recipe recipes/checksum.yaml --out "$work/run-out" >/dev/null 2>&1
embedded_rate=$(calc "$tasks * 1000 / ($(now_ms) - $start)")

# One distributed run: submit a fresh batch (its own output location, hence its own batch id)
# to a queue of its own, then the fleet. Prints one table row.
fleet_run() {
  local slots=$1 name queue submit_out submit_ms batch published start done_rows pids=() pid
  name=bench-pipeline-$$-$slots
  queue="$PIXFLEET_TEST_AMQP_URL?queue=$name"
  start=$(now_ms)
  submit_out=$("$bin" submit "$work/in" --recipe recipes/checksum.yaml --queue "$queue" \
    --db "$pooled" --out "file://$work/out-$name" --batch "$name" 2>&1)
  submit_ms=$(($(now_ms) - start))
  batch=$(grep -o 'batch [0-9a-f]\{8,\}' <<<"$submit_out" | head -1 | cut -d' ' -f2)
  published=$(grep -o '[0-9]* tasks published' <<<"$submit_out" | head -1 | cut -d' ' -f1)
  if [ -z "$batch" ] || [ "$published" != "$tasks" ]; then
    echo "bench/pipeline.sh: submit did not publish $tasks tasks: $submit_out" >&2
    return 1
  fi

  read -r rabbit_before pg_before pgb_before <<<"$(service_cpu)"
  start=$(now_ms)
  for ((w = 0; w < workers; w++)); do
    /usr/bin/time -f "%U %S" -o "$work/$name-$w.time" "$bin" worker --queue "$queue" \
      --db "$pooled" --concurrency "$slots" --exit-when-idle >"$work/$name-$w.log" 2>&1 &
    pids+=($!)
  done
  # The run ends when the last row is in (the workers then notice the empty queue and exit).
  done_rows=0
  while [ "$done_rows" -lt "$tasks" ]; do
    sleep 0.1
    done_rows=$(psql_direct "SELECT count(*) FROM results WHERE batch_id = '$batch'")
    if [ $(($(now_ms) - start)) -gt 600000 ]; then
      echo "bench/pipeline.sh: only $done_rows of $tasks rows after 10 minutes" >&2
      kill "${pids[@]}" 2>/dev/null || true
      return 1
    fi
  done
  local fleet_ms=$(($(now_ms) - start))
  read -r rabbit_after pg_after pgb_after <<<"$(service_cpu)"
  for pid in "${pids[@]}"; do wait "$pid" || true; done

  local first last succeeded worker_cpu writes
  read -r first last succeeded <<<"$(psql_direct "SELECT min(finished_ms), max(finished_ms),
    count(*) FILTER (WHERE outcome = 'succeeded') FROM results WHERE batch_id = '$batch'" | tr '|' ' ')"
  worker_cpu=$(cat "$work/$name"-*.time | awk '{ n += $1 + $2 } END { print n }')
  writes=$(grep -ho 'recorded in [0-9]* database writes' "$work/$name"-*.log |
    awk '{ n += $3 } END { print n + 0 }')
  per_task() { calc "($1) * 1000 / $tasks" 3; }
  local fleet_rate
  fleet_rate=$(calc "$tasks * 1000 / $fleet_ms")
  printf '| %d x %d | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$workers" "$slots" \
    "$(calc "$tasks * 1000 / $submit_ms")" "$fleet_rate" \
    "$(calc "$tasks * 1000 / ($last - $first)")" "$(calc "$tasks / ($writes > 0 ? $writes : 1)" 1)" \
    "$(per_task "$worker_cpu")" "$(per_task "$rabbit_after - $rabbit_before")" \
    "$(per_task "$pg_after - $pg_before")" "$(per_task "$pgb_after - $pgb_before")"
  fleet_rates+=("$fleet_rate")
  [ "$succeeded" = "$tasks" ] || echo "bench/pipeline.sh: only $succeeded of $tasks succeeded" >&2
  # Leave nothing behind but the figures and the rows: delete this run's queues.
  for queue_name in $(curl -s "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f?columns=name" |
    grep -o "\"$name[^\"]*\"" | tr -d '"'); do
    curl -s -o /dev/null -X DELETE "$PIXFLEET_TEST_RABBITMQ_API/api/queues/%2f/$queue_name"
  done
}

echo
echo "| workers x slots | submit tasks/s (confirms) | tasks/s from start-up | steady tasks/s | rows per DB write | CPU ms/task workers | RabbitMQ | PostgreSQL | pgbouncer |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
fleet_rates=()
for slots in "${slot_counts[@]}"; do fleet_run "$slots"; done
best=$(printf '%s\n' "${fleet_rates[@]}" | sort -n | tail -1)
echo
echo "embedded peer (pixfleet run, SQLite, $(nproc) worker processes): $embedded_rate tasks/s"
echo "best distributed run: $best tasks/s = $(calc "$best / $embedded_rate" 2)x the embedded pipeline," \
  "$(calc "$best / 5000" 2)x the 5,000 tasks/s target"
rm -rf "$work/in" "$work/samples"
