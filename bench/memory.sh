#!/usr/bin/env bash
# Worker memory over thousands of tasks: one worker process runs a few thousand small images, or,
# given a folder of photos, those photos 15 times over (hard links: each is a task of its own);
# its RSS is sampled every second. Flat means the last samples are close to the ones after warm-up.
# Usage: bench/memory.sh [BUILD_DIR [PHOTO_FOLDER]]   (default build/release; another build of
# pixfleet, e.g. one configured with -DPIXFLEET_ALLOCATOR=jemalloc, to compare allocators;
# tools/dev.sh bench passes bench/engine.sh's photographs)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
photos=${2:-}
bin=$build/src/cli/pixfleet
samples=$build/testing/pixfleet-samples
work=build/bench-memory
rm -rf "$work"; mkdir -p "$work"
if [ -n "$photos" ]; then
  for round in $(seq 15); do
    mkdir -p "$work/in/$round"
    find "$photos" -maxdepth 1 -type f -exec ln {} "$work/in/$round/" \;
  done
else
  "$samples" "$work/in" soak >/dev/null
fi
count=$(find "$work/in" -type f | wc -l)
echo "== worker memory: $count images${photos:+ (the photos of $photos, 15 times)}, 1 worker process ($bin)"
"$bin" run "$work/in" --recipe recipes/std3.yaml --out "$work/out" --workers 1 --progress-interval-ms 1000000 >"$work/summary.txt" 2>"$work/log.txt" &
run_pid=$!
samples_file="$work/rss.txt"; : >"$samples_file"
while kill -0 "$run_pid" 2>/dev/null; do
  worker=$(cat "/proc/$run_pid/task/$run_pid/children" 2>/dev/null | awk '{print $1}')
  if [ -n "$worker" ] && [ -r "/proc/$worker/status" ]; then
    done_rows=$(sqlite3 "$work/out/.pixfleet/results.db" "select count(*) from results" 2>/dev/null || echo 0)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$worker/status" 2>/dev/null || echo 0)
    echo "$done_rows $rss" >>"$samples_file"
  fi
  sleep 1
done
wait "$run_pid" || true
awk -v n="$count" '
  $2 > 0 { rows[NR] = $1; rss[NR] = $2; k = NR }
  END {
    if (k < 4) { print "too few samples"; exit }
    q = int(k / 4); if (q < 1) q = 1
    printf "%10s %12s\n", "tasks done", "worker RSS MB"
    for (i = 1; i <= k; i += (k > 12 ? int(k / 12) : 1)) printf "%10d %12.1f\n", rows[i], rss[i] / 1024
    printf "%10d %12.1f\n", rows[k], rss[k] / 1024
    early = rss[q]; late = rss[k]; peak = 0
    for (i = q; i <= k; i++) if (rss[i] > peak) peak = rss[i]
    printf "RSS after warm-up %.1f MB, at the end %.1f MB, peak %.1f MB (end/warm-up %.2f)\n", early / 1024, late / 1024, peak / 1024, late / early
  }' "$samples_file"
