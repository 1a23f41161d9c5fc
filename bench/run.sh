#!/usr/bin/env bash
# Benchmarks pixfleet against peers measured in the same run on the same images (no timed test
# asserts anything: this prints figures and ratios for README).
#   1. std3 throughput: `pixfleet run` vs the same three outputs made with vipsthumbnail (libvips'
#      own CLI, one process per output) and with ImageMagick `convert`, both run 2 at a time.
#   2. worker memory over thousands of tasks: RSS of one worker process sampled as it goes.
# Usage: bench/run.sh [--quick]   (expects a release build in build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/src/cli/pixfleet
samples=build/release/testing/pixfleet-samples
work=$(pwd)/build/bench  # absolute: vipsthumbnail writes relative names next to its input
jobs=$(nproc)
quick=${1:-}

real_tool() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
real_tool imagemagick && real_tool libvips-tools || {
  echo "bench: installing the peers (imagemagick, libvips-tools)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq imagemagick libvips-tools >/dev/null
}

rm -rf "$work"; mkdir -p "$work"
"$samples" "$work/in" bench >/dev/null
count=$(find "$work/in" -type f | wc -l)
mp=$(vipsheader -f width "$(find "$work/in" -type f | head -1)")x$(vipsheader -f height "$(find "$work/in" -type f | head -1)")
echo "== std3 on $count JPEG photos of $mp, $jobs cores"

calc() { awk "BEGIN { print $1 }"; }

# Runs "$@" and prints "wall_s user_s sys_s peak_rss_kb" (children included).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time.txt"
}
have_time() { [ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
have_time

run_pixfleet() { "$bin" run "$work/in" --recipe recipes/std3.yaml --out "$work/pixfleet" --workers "$jobs"; }
vips_one() {  # the three std3 outputs of one image with vipsthumbnail
  local in=$1 out=$2/$(basename "${1%.*}")
  mkdir -p "$out"
  vipsthumbnail "$in" -s 1600x1600 -o "$out/large.jpg[Q=82,strip]"
  vipsthumbnail "$in" -s 512x512 -o "$out/small.webp[Q=80,strip]"
  vipsthumbnail "$in" -s 256x256 -m attention -o "$out/square.jpg[Q=80,strip]"
}
magick_one() {  # the same with ImageMagick
  local in=$1 out=$2/$(basename "${1%.*}")
  mkdir -p "$out"
  convert "$in" -auto-orient -colorspace sRGB -resize '1600x1600>' -strip -quality 82 "$out/large.jpg"
  convert "$in" -auto-orient -colorspace sRGB -resize '512x512>' -strip -quality 80 "$out/small.webp"
  convert "$in" -auto-orient -colorspace sRGB -resize '256x256^' -gravity center -extent 256x256 -strip -quality 80 "$out/square.jpg"
}
export -f vips_one magick_one
run_vips() { find "$work/in" -type f | xargs -P "$jobs" -I{} bash -c 'vips_one "$1" "$2"' _ {} "$work/vips"; }
run_magick() { find "$work/in" -type f | xargs -P "$jobs" -I{} bash -c 'magick_one "$1" "$2"' _ {} "$work/magick"; }
export -f run_pixfleet run_vips run_magick; export bin work jobs

printf "%-28s %8s %8s %10s %12s %10s\n" "tool" "wall s" "img/s" "CPU s/img" "peak RSS MB" "vs pixfleet"
declare -A wall cpu
for tool in pixfleet vips magick; do
  read -r w u s m <<<"$(measure bash -c "run_$tool")"
  wall[$tool]=$w
  cpu[$tool]=$(calc "$u + $s")
  rate=$(calc "$count / $w")
  cpu_per=$(calc "${cpu[$tool]} / $count")
  ratio=$(calc "$w / ${wall[pixfleet]}")
  name=$tool; [ "$tool" = vips ] && name="vipsthumbnail (3 per image)"; [ "$tool" = magick ] && name="ImageMagick convert"
  printf "%-28s %8.2f %8.2f %10.3f %12d %9.2fx\n" "$name" "$w" "$rate" "$cpu_per" "$((m / 1024))" "$ratio"
done
echo "(peak RSS: the largest single process; 'vs pixfleet' > 1 means pixfleet is that many times faster)"

echo "== resume: the same pixfleet command again"
read -r w _ <<<"$(measure bash -c run_pixfleet)"
printf "second run: %.2f s (first %.2f s, %.1f%%)\n" "$w" "${wall[pixfleet]}" "$(calc "100 * $w / ${wall[pixfleet]}")"

[ "$quick" = --quick ] && exit 0
bash bench/memory.sh
