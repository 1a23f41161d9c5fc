#!/usr/bin/env bash
# One entry point for people and CI:
#   tools/dev.sh demo    install what is missing, build (release), run pixfleet on sample images
#   tools/dev.sh test    install what is missing, build, run every test (incl. sanitizer runs)
#   tools/dev.sh bench   build (release) and run the benchmarks
#   tools/dev.sh build [PRESET]   configure and build one preset (default: dev)
#   tools/dev.sh format  check formatting with clang-format
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

deps() { bash tools/install-deps.sh; }

build() {
  local preset=${1:-dev}
  shift || true
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)" "$@"
}

demo() {
  deps
  build release --target pixfleet pixfleet-samples
  local bin=build/release
  local input=build/demo/images out=build/demo/out
  rm -rf build/demo
  "$bin/testing/pixfleet-samples" "$input" demo
  echo
  echo "== pixfleet run $input --recipe recipes/std3.yaml --out $out"
  "$bin/src/cli/pixfleet" run "$input" --recipe recipes/std3.yaml --out "$out"
  echo
  echo "== the same command again: nothing is redone"
  "$bin/src/cli/pixfleet" run "$input" --recipe recipes/std3.yaml --out "$out"
  echo
  echo "outputs: $root/$out  (e.g. $(cd "$out" && find . -name '*.jpg' -o -name '*.webp' | sort | head -3 | tr '\n' ' '))"
}

test_all() {
  deps
  local started=$SECONDS
  build dev
  ctest --preset dev
  echo "== sanitizers: unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  build asan
  ctest --preset asan
  echo "== sanitizers: unit tests under ThreadSanitizer"
  build tsan
  ctest --preset tsan
  bash tools/format.sh --check
  echo "all tests passed in $((SECONDS - started)) s"
}

bench() {
  deps
  build release
  bash bench/run.sh
}

case "${1:-}" in
  demo) demo ;;
  test) test_all ;;
  bench) bench ;;
  build) shift; deps; build "$@" ;;
  format) bash tools/format.sh --check ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
