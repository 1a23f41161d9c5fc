#!/usr/bin/env bash
# One entry point for people and CI:
#   tools/dev.sh demo    install what is missing, build (release), run pixfleet on sample images
#   tools/dev.sh test    install what is missing, build, start the test services (PostgreSQL,
#                        pgbouncer, RabbitMQ, s3rver on loopback), run every test, stop them,
#                        then the unit tests under AddressSanitizer and ThreadSanitizer
#   tools/dev.sh bench   build (release) and run the benchmarks: image work against peer tools,
#                        then the distributed pipeline's own overhead (starts the test services)
#   tools/dev.sh integration   start the test services and run the tests against them
#   tools/dev.sh build [PRESET]   configure and build one preset (default: dev)
#   tools/dev.sh format  check formatting with clang-format
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

deps() { bash tools/install-deps.sh "$@"; }

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

# Unit and end-to-end tests in parallel, then the tests against the real services one at a
# time (some restart a service, which must not pull it from under a neighbour).
test_dev() {
  build dev
  ctest --preset dev --label-exclude needs-service
  echo "== integration tests against real services (PostgreSQL, pgbouncer, RabbitMQ, S3)"
  trap 'bash tools/services/down.sh >/dev/null 2>&1 || true' EXIT
  bash tools/services/up.sh
  # shellcheck disable=SC1091
  (. build/services/env.sh && ctest --preset dev --label-regex needs-service -j 1)
  bash tools/services/down.sh
  trap - EXIT
}

test_all() {
  deps --services
  local started=$SECONDS
  test_dev
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
  deps --services
  build release
  bash bench/run.sh
  echo
  bash bench/pipeline.sh
}

case "${1:-}" in
  demo) demo ;;
  test) test_all ;;
  bench) bench ;;
  build) shift; deps; build "$@" ;;
  integration) deps --services; test_dev ;;
  format) bash tools/format.sh --check ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
