#!/usr/bin/env bash
# The image engine against its bounds and peers, on real photographs (issue 10's measurements).
# No timed test asserts anything: this prints figures and ratios for README.
#   1. std3 CPU on camera-sized photos, median user+sys CPU seconds of 3 rounds, side by side:
#      the decode-only bound (libvips shrink-on-load to what a 1600-px output needs, every pixel
#      read), `pixfleet run --workers 1`, `pixfleet process` one call per image (the engine and a
#      process start), the engine alone in one process (with pixfleet's malloc, then with
#      jemalloc: the allocator's cost in CPU and peak RSS), and Pillow (draft mode, LANCZOS, the
#      same outputs and dHash). Quality: SSIM of `large` against a full-quality reference (full
#      decode, Lanczos-3, no lossy encode).
#      Then the engine's CPU by stage on the same photos (pixfleet-bench-stages), and decode-only,
#      `run` and Pillow once more on the photos re-encoded as cameras write them (baseline JPEG,
#      quality 92, 4:2:0: the wallpapers are mostly progressive and 4:4:4, dear to decode), with
#      a floor under the work after the decode (the encoders alone at std3's settings:
#      bench/encoders_alone.py); the work after the decode once more on the goal's photos (the
#      copies of 12-24 MP, each 6 times, so that a run's start-up weighs as in a batch); and `run`
#      on the copies converted to Display P3 with the profile embedded, as phones write them
#      (every std3 output converts to sRGB).
#   2. Peak RSS on a 1-gigapixel JPEG and a tiled TIFF: `pixfleet process` vs vipsthumbnail.
#   3. `pixfleet run` on 24 mixed-size photos with 1 and 2 workers, alternated in pairs: the
#      wall-time ratio.
# CPU, not wall, is the measure in 1 because another job may hold the other core; 3 is wall time
# by nature: read it on an otherwise idle machine.
# The photographs come from Debian's wallpaper packages (installed here, bench-only); a few are
# copied with an EXIF Orientation tag (exiftool) so that rotation is part of the work.
# Usage: bench/engine.sh [--quick]   (--quick: 1 round, no gigapixel; needs build/release with
# the targets pixfleet, pixfleet-bench-image, pixfleet-bench-stages and pixfleet-bench-stages-jemalloc)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(pwd)/build/release/src/cli/pixfleet
tool=$(pwd)/build/release/bench/pixfleet-bench-image
stages=$(pwd)/build/release/bench/pixfleet-bench-stages
stages_jemalloc=$(pwd)/build/release/bench/pixfleet-bench-stages-jemalloc
work=$(pwd)/build/bench-engine
quick=${1:-}
rounds=3; [ "$quick" = --quick ] && rounds=1

photo_packages=(lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 ukui-wallpapers mate-backgrounds)
tools=(libvips-tools python3-pil libimage-exiftool-perl time)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${photo_packages[@]}" "${tools[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for f in "$bin" "$tool" "$stages" "$stages_jemalloc"; do
  [ -x "$f" ] || { echo "bench: $f missing: cmake --build --preset release --target pixfleet pixfleet-bench-image pixfleet-bench-stages pixfleet-bench-stages-jemalloc" >&2; exit 2; }
done

calc() { awk "BEGIN { print $1 }"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Runs "$@" and prints "cpu_s wall_s peak_rss_kb" (user+sys, children included).
measure() {
  /usr/bin/time -f "%U %S %e %M" -o "$work/time.txt" "$@" >"$work/last.log" 2>&1 ||
    { echo "bench: failed: $*" >&2; tail -5 "$work/last.log" >&2; exit 1; }
  awk '{ printf "%.3f %s %s\n", $1 + $2, $3, $4 }' "$work/time.txt"
}
pixels() { echo $(($(vipsheader -f width "$1") * $(vipsheader -f height "$1"))); }

rm -rf "$work"; mkdir -p "$work/pool" "$work/set" "$work/mixed"
# The pool: every JPEG photo of at least 2 MP the packages ship (their listing, not a guess).
for p in "${photo_packages[@]}"; do
  dpkg -L "$p" | grep -iE '\.jpe?g$' | while read -r f; do
    [ "$(pixels "$f")" -ge 2000000 ] && ln -sf "$f" "$work/pool/$(basename "$f")"
  done
done
# Set 1: the camera-sized ones (>= 8 MP); two more copies turned by an EXIF tag (6: 90° clockwise,
# 8: 90° anticlockwise) so that auto-rotate does real work, as with phone photos.
for f in "$work"/pool/*; do [ "$(pixels "$f")" -ge 8000000 ] && cp "$(readlink -f "$f")" "$work/set/"; done
i=0
for f in $(ls -S "$work"/set/*.jpg | head -2); do
  o=$((i == 0 ? 6 : 8)); i=$((i + 1))
  exiftool -q -Orientation#=$o -o "${f%.jpg}_o$o.jpg" "$f"
done
count=$(ls "$work/set" | wc -l)
echo "== std3 on $count photos from Debian's wallpaper packages, $(nproc) cores, median of $rounds rounds"
for f in "$work"/set/*; do printf '   %s %sx%s\n' "$(basename "$f")" "$(vipsheader -f width "$f")" "$(vipsheader -f height "$f")"; done | column -t
echo "   (CPU = user+sys seconds for the whole set, so a busy other core does not skew it)"

photos=$work/set    # what the measured functions read
outs=$work/out-set  # where they write: run/, pillow/, ... (the SSIM below reads these)
decode_only() { "$tool" decode 1600 "$photos"/*; }
pixfleet_run() { rm -rf "$outs/run"; "$bin" run "$photos" --recipe recipes/std3.yaml --out "$outs/run" --workers 1 --progress-interval-ms 1000000; }
# std3 with the encoders' effort lowered (recipe key `effort`): JPEG's stock Huffman tables
# (same pixels, more bytes) and WebP method 2 (about half the CPU): what the bytes buy in CPU.
sed -e 's/^\( *\)format: jpeg$/&\n\1effort: 0/' -e 's/^\( *\)format: webp$/&\n\1effort: 2/' \
  recipes/std3.yaml >"$work/std3-low-effort.yaml"
pixfleet_run_low_effort() { rm -rf "$outs/low-effort"; "$bin" run "$photos" --recipe "$work/std3-low-effort.yaml" --out "$outs/low-effort" --workers 1 --progress-interval-ms 1000000; }
pixfleet_process() { rm -rf "$outs/process"; for f in "$photos"/*; do "$bin" process "$f" --recipe recipes/std3.yaml --out "$outs/process" >/dev/null; done; }
engine_only() { "$stages" recipes/std3.yaml "$photos"/* >/dev/null; }
engine_only_jemalloc() { "$stages_jemalloc" recipes/std3.yaml "$photos"/* >/dev/null; }
pillow() { rm -rf "$outs/pillow"; /usr/bin/python3 bench/pillow_std3.py "$outs/pillow" "$photos"/*; }
export -f decode_only pixfleet_run pixfleet_run_low_effort pixfleet_process engine_only engine_only_jemalloc pillow
export bin tool stages stages_jemalloc work photos outs

declare -A cpu rss
# measure_medians PREFIX NAME...: cpu[PREFIXNAME] and rss[PREFIXNAME], medians of the rounds.
measure_medians() {
  local prefix=$1; shift
  for name in "$@"; do
    samples=""; peaks=""
    for _ in $(seq "$rounds"); do
      read -r cpu_s _ peak_kb <<<"$(measure bash -c "$name")"
      samples+=" $cpu_s"; peaks+=" $peak_kb"
    done
    cpu[$prefix$name]=$(echo "$samples" | median)
    rss[$prefix$name]=$(echo "$peaks" | median)
  done
}
measure_medians "" decode_only engine_only engine_only_jemalloc pixfleet_run pixfleet_process pillow
printf "%-52s %8s %10s %10s %14s\n" "" "CPU s" "s/image" "vs Pillow" "vs decode-only"
row() { printf "%-52s %8.2f %10.3f %10.2f %14.2f\n" "$1" "${cpu[$2]}" "$(calc "${cpu[$2]} / $count")" "$(calc "${cpu[$2]} / ${cpu[pillow]}")" "$(calc "${cpu[$2]} / ${cpu[decode_only]}")"; }
row "decode only (shrink-on-load to 1600 px, all pixels)" decode_only
row "pixfleet run --workers 1 (std3)" pixfleet_run
row "pixfleet process, one call per image (std3)" pixfleet_process
row "the engine alone, in one process (std3)" engine_only
row "the same with jemalloc" engine_only_jemalloc
row "Pillow (draft, LANCZOS, same outputs and dHash)" pillow
printf "post-decode work / decode (pixfleet run): %.2f   run / engine alone (pipeline overhead): %.2f\n" \
  "$(calc "(${cpu[pixfleet_run]} - ${cpu[decode_only]}) / ${cpu[decode_only]}")" \
  "$(calc "${cpu[pixfleet_run]} / ${cpu[engine_only]}")"
printf "allocator: pixfleet's (%s) %.2f CPU-s, peak RSS %d MB; jemalloc %.2f CPU-s (%.2fx), %d MB\n" \
  "$(if ldd "$bin" | grep -q jemalloc; then echo jemalloc; else echo "the C library's"; fi)" \
  "${cpu[engine_only]}" "$((rss[engine_only] / 1024))" "${cpu[engine_only_jemalloc]}" \
  "$(calc "${cpu[engine_only_jemalloc]} / ${cpu[engine_only]}")" "$((rss[engine_only_jemalloc] / 1024))"

echo "== where the engine's CPU goes, by stage (std3, one pass over the same photos, one thread)"
"$stages" recipes/std3.yaml "$work"/set/*

# Twelve of the wallpapers are progressive JPEGs and nine are 4:4:4 at quality 98-100, which
# makes their decode dear next to everything else; cameras and phones write baseline JPEGs at
# about quality 90 with subsampled chroma. The same pictures so encoded (vips, EXIF kept):
echo "== the same photos as a camera writes them (baseline JPEG, quality 92, 4:2:0), median of $rounds rounds"
mkdir -p "$work/camera"
for f in "$work"/set/*; do vips copy "$f" "$work/camera/$(basename "$f")[Q=92,subsample_mode=on]"; done
photos=$work/camera
outs=$work/out-camera
measure_medians camera_ decode_only pixfleet_run pixfleet_run_low_effort pillow
printf "%-52s %8s %10s %10s %14s\n" "" "CPU s" "s/image" "vs Pillow" "vs decode-only"
camera_row() { printf "%-52s %8.2f %10.3f %10.2f %14.2f\n" "$1" "${cpu[camera_$2]}" "$(calc "${cpu[camera_$2]} / $count")" "$(calc "${cpu[camera_$2]} / ${cpu[camera_pillow]}")" "$(calc "${cpu[camera_$2]} / ${cpu[camera_decode_only]}")"; }
camera_row "decode only" decode_only
camera_row "pixfleet run --workers 1 (std3)" pixfleet_run
camera_row "pixfleet run --workers 1 (std3, jpeg effort 0, webp 2)" pixfleet_run_low_effort
camera_row "Pillow" pillow
printf "post-decode work / decode (pixfleet run): %.2f, with the lower efforts: %.2f\n" \
  "$(calc "(${cpu[camera_pixfleet_run]} - ${cpu[camera_decode_only]}) / ${cpu[camera_decode_only]}")" \
  "$(calc "(${cpu[camera_pixfleet_run_low_effort]} - ${cpu[camera_decode_only]}) / ${cpu[camera_decode_only]}")"
# A floor under that work: the encoders alone at std3's settings, on the run's own outputs'
# pixels, through Pillow's calls to the same libraries (bench/encoders_alone.py; the JPEGs with
# libjpeg's stock tables, the cheapest JPEG encode). No engine can spend less after its decode.
read -r _ enc_large enc_small enc_square enc_total <<<"$(/usr/bin/python3 bench/encoders_alone.py "$outs/run")"
printf "the encoders alone at std3's settings: %.1f ms/image (large %.1f, small %.1f, square %.1f) = %.2fx the decode\n" \
  "$(calc "$enc_total * 1000")" "$(calc "$enc_large * 1000")" "$(calc "$enc_small * 1000")" \
  "$(calc "$enc_square * 1000")" "$(calc "$enc_total * $count / ${cpu[camera_decode_only]}")"
# What the lower efforts cost: bytes of each output kind, and small's SSIM (large's pixels are
# the same at either JPEG effort).
output_bytes() { find "$1" -name "$2" -printf '%s\n' | awk '{ t += $1 } END { print t }'; }
for kind in large.jpg small.webp square.jpg; do
  printf "%-11s bytes, lower efforts / std3: %.3f\n" "$kind" \
    "$(calc "$(output_bytes "$outs/low-effort" "$kind") / $(output_bytes "$outs/run" "$kind")")"
done
for who in run low-effort; do
  total=0
  for f in "$work"/camera/*; do
    total=$(calc "$total + $("$tool" ssim "$f" "$outs/$who/$(basename "${f%.*}")/small.webp")")
  done
  printf "small.webp mean SSIM (%s): %.4f\n" "$who" "$(calc "$total / $count")"
done

# The goal's photos are camera JPEGs of 12-24 MP. The copies above also hold 8-10 MP wallpapers
# made for 4K screens, smooth and cheap to decode (0.2-0.6 bits per pixel against a camera's
# 2-4), where the encoders weigh most: they cost about the same for every photo, the outputs
# being the same size. And a run of 19 photos pays a fixed start-up (two processes mapping ~115
# shared libraries, the SQLite files, the end: ~0.1 CPU-s, 0.1x the decode of the set) that a
# batch of millions pays once per worker. So the goal's measure: the copies of 12-24 MP, each
# copied 6 times so that the start-up weighs as in a batch, decode-only and `run` alternated.
echo "== the work after the decode on the goal's photos (the camera copies of 12-24 MP), at batch scale"
rm -rf "$work/camera-batch"; mkdir -p "$work/camera-batch"
for f in "$work"/camera/*; do
  p=$(pixels "$f")
  if [ "$p" -ge 12000000 ] && [ "$p" -le 24500000 ]; then
    for k in 1 2 3 4 5 6; do cp "$f" "$work/camera-batch/${k}_$(basename "$f")"; done
  fi
done
photos=$work/camera-batch
outs=$work/out-camera-batch
# Nine alternations even with --quick: one alternation's ratio moves by a tenth on this VM. The
# median of the alternations' ratios is the figure (each ratio's two runs are seconds apart, so
# the machine's drift weighs on both alike); the ratio of the two medians is shown beside it.
decode_samples=""; run_samples=""; pair_ratios=""
for _ in $(seq 9); do
  read -r d _ <<<"$(measure bash -c decode_only)"
  read -r r _ <<<"$(measure bash -c pixfleet_run)"
  decode_samples+=" $d"; run_samples+=" $r"; pair_ratios+=" $(calc "($r - $d) / $d")"
done
batch_decode=$(echo "$decode_samples" | median); batch_run=$(echo "$run_samples" | median)
printf "%d images (%d photos x 6): decode only %.2f CPU-s, pixfleet run %.2f (medians)\n" \
  "$(ls "$photos" | wc -l)" "$(($(ls "$photos" | wc -l) / 6))" "$batch_decode" "$batch_run"
echo "alternations, post-decode work / decode:$(for r in $pair_ratios; do printf ' %.2f' "$r"; done)"
printf "post-decode work / decode, the goal's photos at batch scale: %.2f (ratio of the medians: %.2f)\n" \
  "$(echo "$pair_ratios" | median)" "$(calc "($batch_run - $batch_decode) / $batch_decode")"
photos=$work/camera
outs=$work/out-camera

# Phones tag their photos Display P3, many cameras Adobe RGB: every std3 output then converts to
# sRGB through the profile. The camera copies converted to Display P3, the profile embedded
# (libvips' icc_transform, as a phone writes them); Pillow's script does not colour-manage, so
# the comparison is with the same photos in sRGB.
echo "== the camera copies in Display P3 (profile embedded), median of $rounds rounds"
mkdir -p "$work/camera-p3"
for f in "$work"/camera/*; do
  vips icc_transform "$f" "$work/camera-p3/$(basename "$f")[Q=92,subsample_mode=on]" p3
done
photos=$work/camera-p3
outs=$work/out-camera-p3
measure_medians p3_ pixfleet_run
printf "pixfleet run --workers 1 (std3): %.2f CPU-s, %.2fx the same photos in sRGB\n" \
  "${cpu[p3_pixfleet_run]}" "$(calc "${cpu[p3_pixfleet_run]} / ${cpu[camera_pixfleet_run]}")"
photos=$work/set
outs=$work/out-set

echo "== quality of large: SSIM (luma) against a full-size decode resized with Lanczos-3, no lossy encode"
for who in run pillow; do
  total=0; worst=1
  for f in "$work"/set/*; do
    name=$(basename "${f%.*}")
    s=$("$tool" ssim "$f" "$outs/$who/$name/large.jpg")
    total=$(calc "$total + $s"); worst=$(calc "($s < $worst) ? $s : $worst")
    size=$(vipsheader -f width "$outs/$who/$name/large.jpg")x$(vipsheader -f height "$outs/$who/$name/large.jpg")
    echo "$who $name $size $s" >>"$work/ssim.txt"
  done
  label=pixfleet; [ "$who" = pillow ] && label=Pillow
  printf "%-10s mean SSIM %.4f, worst %.4f\n" "$label" "$(calc "$total / $count")" "$worst"
done
if ! diff <(awk '$1 == "run" { print $2, $3 }' "$work/ssim.txt") <(awk '$1 == "pillow" { print $2, $3 }' "$work/ssim.txt") >/dev/null; then
  echo "(output sizes differ between pixfleet and Pillow: see $work/ssim.txt)"
fi

if [ "$quick" != --quick ]; then
  echo "== peak RSS on a 1-gigapixel image (32000x32000), same 1600-px output"
  giga=$work/giga; mkdir -p "$giga"
  "$tool" gigapixel "$(ls -S "$work"/set/*.jpg | head -1)" 32000 "$giga/giga.jpg" "$giga/giga.tif"
  cat >"$giga/large.yaml" <<'EOF'
name: large-only
outputs:
  - name: large
    ops: [auto-rotate, srgb, {resize: {fit: inside, width: 1600, height: 1600}}]
    format: jpeg
    quality: 82
    strip: true
EOF
  printf "%-10s %8s %22s %22s %22s %8s\n" "input" "MB" "pixfleet process std3" "pixfleet large only" "vipsthumbnail 1600" "ratio"
  for f in "$giga/giga.jpg" "$giga/giga.tif"; do
    limits=(--max-pixels 1100000000 --max-bytes 4000000000 --timeout-ms 3600000)
    read -r _ _ std3_kb <<<"$(measure "$bin" process "$f" --recipe recipes/std3.yaml --out "$giga/out" "${limits[@]}")"
    read -r _ _ large_kb <<<"$(measure "$bin" process "$f" --recipe "$giga/large.yaml" --out "$giga/out" "${limits[@]}")"
    read -r _ _ vips_kb <<<"$(measure vipsthumbnail "$f" -s 1600x1600 -o "$giga/thumb.jpg[Q=82,strip]")"
    printf "%-10s %8d %19d MB %19d MB %19d MB %7.1fx\n" "$(basename "$f")" "$(($(stat -c %s "$f") / 1000000))" \
      "$((std3_kb / 1024))" "$((large_kb / 1024))" "$((vips_kb / 1024))" "$(calc "$std3_kb / $vips_kb")"
  done
  echo "(ratio: pixfleet std3 / vipsthumbnail; peak RSS of the process, from GNU time)"
  rm -rf "$giga"
fi

echo "== pixfleet run on 24 mixed-size photos: 1 worker vs 2 (wall time: needs the cores idle)"
# Copies, not links: a local source's symlinks that lead outside it are not inputs.
ls -SL "$work"/pool/* | head -24 | while read -r f; do cp "$(readlink -f "$f")" "$work/mixed/"; done
# One run first, not counted (the copies' pages, the binary's), then 1 and 2 workers alternated in
# pairs, so that this machine's drift weighs on both alike; each pair's ratio is shown, and their
# median is the figure, with the ratio of the medians beside it. At least 7 pairs even with
# --quick: a pair takes seconds, and one pair's ratio moves by several hundredths with the
# hypervisor.
mixed_run() {
  rm -rf "$work/out-mixed"
  measure "$bin" run "$work/mixed" --recipe recipes/std3.yaml --out "$work/out-mixed" --workers "$1" --progress-interval-ms 1000000 | cut -d' ' -f2
}
mixed_run 2 >/dev/null
pairs=$((rounds > 7 ? rounds : 7))
declare -A wall
samples_1=""; samples_2=""; pair_ratios=""
for _ in $(seq "$pairs"); do
  one=$(mixed_run 1); two=$(mixed_run 2)
  samples_1+=" $one"; samples_2+=" $two"; pair_ratios+=" $(calc "$two / $one")"
done
wall[1]=$(echo "$samples_1" | median)
wall[2]=$(echo "$samples_2" | median)
echo "pairs (2 workers / 1):$(for r in $pair_ratios; do printf ' %.2f' "$r"; done)"
printf "1 worker %.2f s, 2 workers %.2f s (medians of %d): ratio %.2f, of the medians %.2f (%d photos, %s)\n" \
  "${wall[1]}" "${wall[2]}" "$pairs" "$(echo "$pair_ratios" | median)" "$(calc "${wall[2]} / ${wall[1]}")" \
  "$(ls "$work/mixed" | wc -l)" "$(uptime | sed 's/.*load/load/')"
