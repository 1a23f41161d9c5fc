#!/usr/bin/env bash
# One entry point for people and CI:
#   tools/dev.sh demo    install what is missing, build (release), install pixfleet so that it is
#                        on PATH (cmake --install into /usr/local, or PIXFLEET_PREFIX), run it on
#                        sample images
#   tools/dev.sh test    install what is missing, build, build the container image
#                        (tools/image.sh), run the end-to-end tests, start the test services
#                        (PostgreSQL, pgbouncer, RabbitMQ, s3rver on loopback), run the tests
#                        against them (the image's among them), stop them, run the unit tests
#                        under AddressSanitizer and those of threaded code under ThreadSanitizer,
#                        clang-tidy over the code, and the Debian package, installed and run
#   tools/dev.sh package build the Debian package: build/release/package/pixfleet_<version>_<arch>.deb
#   tools/dev.sh tidy    clang-tidy over the tree (tools/tidy.sh)
#   tools/dev.sh bench   build (release) and run the benchmarks: image work against peer tools,
#                        the engine on real photographs against Pillow and a decode-only bound
#                        (bench/engine.sh: CPU, quality, gigapixel memory, 1 vs 2 workers; then
#                        bench/memory.sh: a worker's RSS over those photos 15 times),
#                        then the distributed pipeline's own overhead (starts the test services),
#                        then `pixfleet simulate`'s predictions against real runs
#   tools/dev.sh integration   build (dev), start the test services and run every test
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

# Puts the release build's pixfleet (and the recipes, docs) under PIXFLEET_PREFIX (default
# /usr/local, whose bin/ is on PATH); prints the pixfleet to run, or how to install when it can't.
install_release() {
  local prefix=${PIXFLEET_PREFIX:-/usr/local}
  if ! cmake --install build/release --prefix "$prefix" --strip >/dev/null 2>build/install.log; then
    cat build/install.log >&2
    echo "demo: could not install into $prefix; as root: cmake --install build/release" >&2
    echo "build/release/src/cli/pixfleet"
    return
  fi
  echo "demo: installed $prefix/bin/pixfleet (recipes in $prefix/share/pixfleet/recipes)" >&2
  if [ "$(command -v pixfleet)" != "$prefix/bin/pixfleet" ]; then
    echo "demo: $prefix/bin is not first on PATH here: add it to run pixfleet by name" >&2
    echo "$prefix/bin/pixfleet"
    return
  fi
  echo pixfleet
}

demo() {
  deps
  build release --target pixfleet pixfleet-samples
  local pixfleet
  pixfleet=$(install_release)
  local input=build/demo/images out=build/demo/out
  rm -rf build/demo
  build/release/testing/pixfleet-samples "$input" demo
  echo
  echo "== $pixfleet run $input --recipe recipes/std3.yaml --out $out"
  "$pixfleet" run "$input" --recipe recipes/std3.yaml --out "$out"
  echo
  echo "== the same command again: nothing is redone"
  "$pixfleet" run "$input" --recipe recipes/std3.yaml --out "$out"
  echo
  echo "outputs: $root/$out  (e.g. $(cd "$out" && find . -name '*.jpg' -o -name '*.webp' | sort | head -3 | tr '\n' ' '))"
}

# The Debian package of the release build (cmake/Install.cmake); prints its path.
package() {
  build release --target pixfleet >&2
  rm -rf build/release/package
  cpack --config build/release/CPackConfig.cmake >build/release/cpack.log 2>&1 ||
    { cat build/release/cpack.log >&2; return 1; }
  local deb
  deb=$(find build/release/package -maxdepth 1 -name 'pixfleet_*.deb')
  echo "package: $deb, $(du -h "$deb" | cut -f1)" >&2
  echo "  Depends: $(dpkg-deb -f "$deb" Depends)" >&2
  echo "$deb"
}

# The package as a user gets it: its Depends names the package of every shared library the
# binary links; it installs with apt (as root, removed again afterwards unless it was installed
# before; otherwise it is unpacked), and the installed pixfleet runs --version, then `process` on
# a generated image with the installed std3 recipe, by name, from a folder with no recipes/.
package_test() {
  local deb
  deb=$(package)
  local binary=build/release/src/cli/pixfleet depended
  # The package names in Depends, one a line ("libvips42 (>> 8.0.2-1~), libc6 (>= 2.34)").
  depended=$(dpkg-deb -f "$deb" Depends | sed 's/[,|]/\n/g' | awk '{ print $1 }')
  local lib path owner name found missing=()
  while read -r lib path; do
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null || true)
    owner=${owner%%:*}
    found=0
    # The library's package, or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
    for name in "$owner" $(dpkg-query -W -f='${Provides}' "$owner" 2>/dev/null | tr ',' ' '); do
      if [ -n "$name" ] && grep -qxF -- "$name" <<<"$depended"; then found=1; fi
    done
    if [ -z "$owner" ]; then
      missing+=("$lib (no package ships $path)")
    elif [ "$found" -eq 0 ]; then
      missing+=("$lib (from $owner)")
    fi
  done < <(
    # Direct dependencies only (NEEDED), located as the loader finds them.
    readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
      printf '%s %s\n' "$lib" "$(ldd "$binary" | awk -v lib="$lib" '$1 == lib { print $3 }')"
    done
  )
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'package: Depends misses %s\n' "${missing[@]}" >&2
    return 1
  fi
  echo "package: Depends names the package of each of the $(readelf -d "$binary" | grep -c NEEDED) libraries pixfleet links"

  # Sample images from a build that has the generator (CI builds it in `ci`, not in `release`).
  local samples="" candidate
  for candidate in build/{ci,release,dev}/testing/pixfleet-samples; do
    if [ -z "$samples" ] && [ -x "$candidate" ]; then samples=$candidate; fi
  done
  if [ -z "$samples" ]; then
    build release --target pixfleet-samples >&2
    samples=build/release/testing/pixfleet-samples
  fi
  local work=build/package-test prefix
  rm -rf "$work"
  mkdir -p "$work"
  local installed_before=0 remove=0
  dpkg-query -W -f='${Status}' pixfleet 2>/dev/null | grep -q "install ok installed" && installed_before=1
  if [ "$(id -u)" -eq 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --reinstall "./$deb" >"$work/apt.log" 2>&1 ||
      { cat "$work/apt.log" >&2; return 1; }
    [ "$installed_before" -eq 1 ] || remove=1
    prefix=/usr
  else
    dpkg-deb -x "$deb" "$work/root"
    prefix=$root/$work/root/usr
  fi
  local status=0
  (
    set -e
    "$samples" "$work/images" demo >/dev/null
    image=$(find "$root/$work/images" -name '*.jpg' | sort | head -1)
    cd "$work"
    "$prefix/bin/pixfleet" --version
    "$prefix/bin/pixfleet" process "$image" --recipe std3 --out out >process.json
    [ "$(find out -name large.jpg -o -name small.webp -o -name square.jpg | wc -l)" -eq 3 ]
    echo "package: the installed pixfleet processed $(basename "$image") with the installed std3 recipe"
  ) || status=$?
  if [ "$remove" -eq 1 ]; then
    apt-get -o DPkg::Lock::Timeout=600 remove -y -qq pixfleet >>"$work/apt.log" 2>&1 || true
  fi
  return "$status"
}

# The tests of build PRESET that need no service (unit and end-to-end, in parallel).
unit_tests() {
  ctest --preset "$1" --label-exclude needs-service
}

# "== [elapsed s] what": CI's log shows where its time goes.
run_started=$SECONDS
step() { echo "== [$((SECONDS - run_started)) s] $*"; }

# CPU work beside tests that mostly wait (on pixfleet processes, on the services): started by
# start_beside at the lowest CPU priority, so that the tests keep the CPU they need; its output
# follows theirs when finish_beside collects it, and its failure fails the run.
beside_pid=""
beside_what=""
stop_beside() {
  if [ -n "$beside_pid" ]; then kill -- "-$beside_pid" 2>/dev/null || true; fi
}
start_beside() {
  step "in the background, at the lowest priority: $*"
  # Its own session, so that stop_beside can end all of it; with the kernel's autogroups a new
  # session is a new scheduling group, whose priority is its autogroup's, hence both settings.
  setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null || true; exec nice -n 19 "$@"' \
    beside "$@" >build/beside.log 2>&1 &
  beside_pid=$!
  beside_what="$*"
  trap stop_beside EXIT
}
finish_beside() {
  [ -n "$beside_pid" ] || return 0
  local status=0 waited=$SECONDS
  wait "$beside_pid" || status=$?
  beside_pid=""
  step "$beside_what (in the background; waited $((SECONDS - waited)) s for it)"
  grep '^== \[' build/beside.log | sed 's/^== /   background: /' || true  # its steps, timed from its start
  tail -n 40 build/beside.log
  [ "$status" -eq 0 ] || { echo "failed: $beside_what" >&2; exit 1; }
}

# The tests of build PRESET against the real services, one at a time (some restart a service,
# which must not pull it from under a neighbour).
service_tests() {
  local preset=$1
  step "integration tests against real services (PostgreSQL, pgbouncer, RabbitMQ, S3)"
  trap 'stop_beside; bash tools/services/down.sh >/dev/null 2>&1 || true' EXIT
  bash tools/services/up.sh
  # shellcheck disable=SC1091
  (. build/services/env.sh && ctest --preset "$preset" --label-regex needs-service -j 1)
  bash tools/services/down.sh
  trap stop_beside EXIT
}

# What runs in the background in CI, from the ci build to the end of the service tests: clang-tidy
# over the code (through the unity build: tools/tidy.sh --whole), the ASan build, TSan's build of
# the threaded tests.
beside_builds() {
  step "clang-tidy"
  bash tools/tidy.sh --whole
  step "the asan build"
  build asan
  step "the tsan build of the threaded tests"
  build tsan --target threaded_tests
  step "done"
}

# CI's run. Each test runs in one build only: the unit tests under the sanitizers (ASan +
# UBSan all of them, TSan those of threaded code), the end-to-end and service tests in the `ci`
# build (gcc, Debug, no unit tests); the release build makes only what ships (the image's and the
# package's pixfleet). The builds are unity builds (presets). CPU-bound work goes where the CPU
# is otherwise idle: the image (mostly downloads) beside the end-to-end tests; clang-tidy and the
# sanitizer builds in the background from the ci build on, at the lowest priority.
test_all() {
  deps --services --image
  run_started=$SECONDS
  step "the ci build"
  build ci
  start_beside "$0" beside-builds
  step "the release build of pixfleet"
  build release --target pixfleet
  step "the container image (tools/image.sh), built beside the end-to-end tests; tests/container/ runs it"
  bash tools/image.sh >build/image.out 2>build/image.log &
  local image_pid=$! image_status=0
  unit_tests ci
  wait "$image_pid" || image_status=$?
  tail -n 3 build/image.log
  [ "$image_status" -eq 0 ] || { cat build/image.log >&2; echo "failed: tools/image.sh" >&2; exit 1; }
  PIXFLEET_TEST_IMAGE=$(tail -n 1 build/image.out)
  export PIXFLEET_TEST_IMAGE
  service_tests ci
  finish_beside
  step "sanitizers: unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  ctest --preset asan
  step "sanitizers: the tests of threaded code under ThreadSanitizer"
  ctest --preset tsan
  step "the Debian package of the release build: built, checked, installed and run"
  package_test
  bash tools/format.sh --check
  echo "all tests passed in $((SECONDS - run_started)) s"
}

bench() {
  deps --services
  build release
  bash bench/run.sh
  echo
  bash bench/engine.sh
  echo
  bash bench/memory.sh build/release build/bench-engine/set  # a worker's memory over large photos
  echo
  bash bench/pipeline.sh
  echo
  # pixfleet simulate against real runs of the same workload (the services are up from above).
  bash bench/simulate_vs_real.sh 2 2 1 fixed build/release
  bash bench/simulate_vs_real.sh 4 4 1 scale build/release
}

case "${1:-}" in
  demo) demo ;;
  test) test_all ;;
  bench) bench ;;
  build) shift; deps; build "$@" ;;
  integration) deps --services --image; build dev; unit_tests dev; service_tests dev ;;
  beside-builds) beside_builds ;;  # CI's background step (test_all)
  package) deps; package >/dev/null ;;
  tidy) deps; bash tools/tidy.sh ;;
  format) bash tools/format.sh --check ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
