#!/usr/bin/env bash
# Runs chosen tests many times, optionally with every core kept busy, to find the tests that fail
# only sometimes. Prints how often each test failed and the output of its first failure.
#
#   tools/stress.sh [options] [-- extra ctest arguments]
#     --preset P      build and test preset (default: dev); the tests must be built already
#                     (tools/dev.sh build P)
#     --rounds N      how many times to run the chosen tests (default: 10)
#     --labels SET    unit (default), needs-service, or all: which ctest labels to run.
#                     needs-service and all start the test services (tools/services/up.sh, with
#                     PIXFLEET_SERVICES_PORT_OFFSET if set) and stop them at the end; the
#                     needs-service tests run one at a time, as in CI.
#     --load          also keep every core busy (one busy loop per core) during the runs
#     --jobs J        parallel tests for unit tests (default: the test preset's)
#
# Each round's ctest log is kept in build/stress/<preset>/round-<n>.log (and the failed list in
# round-<n>.failed); the summary goes to stdout. Exit status 1 when any test failed in any round.
#
# Example: tools/stress.sh --preset tsan --rounds 20 --load -- -R Worker
set -euo pipefail
cd "$(dirname "$0")/.."

preset=dev rounds=10 labels=unit load=0 jobs=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --labels) labels=$2; shift 2 ;;
    --load) load=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "stress: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$labels" in unit | needs-service | all) ;; *) echo "stress: --labels unit|needs-service|all" >&2; exit 2 ;; esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "stress: --rounds takes a positive number" >&2; exit 2; }
[ -d "build/$preset" ] || { echo "stress: build/$preset is missing: tools/dev.sh build $preset" >&2; exit 2; }

out=build/stress/$preset
rm -rf "$out"
mkdir -p "$out"

# Our own background processes (busy loops, services), stopped on any exit.
loaders=()
services_started=0
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  for pid in "${loaders[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "$services_started" -eq 1 ]; then bash tools/services/down.sh >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$labels" != unit ]; then
  bash tools/services/up.sh
  services_started=1
  # shellcheck disable=SC1091
  . build/services/env.sh
fi
if [ "$load" -eq 1 ]; then
  for _ in $(seq "$(nproc)"); do
    bash -c 'while :; do :; done' &
    loaders+=($!)
  done
  echo "stress: ${#loaders[@]} busy loops running (one per core)"
fi

# One round of one label set: ctest's log and its list of failed tests, kept per round.
run_set() {
  local round=$1 set=$2
  local args=(--preset "$preset" --output-on-failure)
  case "$set" in
    unit) args+=(--label-exclude needs-service) ;;
    needs-service) args+=(--label-regex needs-service -j 1) ;;
  esac
  if [ "$set" = unit ] && [ -n "$jobs" ]; then args+=(-j "$jobs"); fi
  local log=$out/round-$round-$set.log
  rm -f "build/$preset/Testing/Temporary/LastTestsFailed.log"
  local status=0
  ctest "${args[@]}" "${extra[@]}" >"$log" 2>&1 || status=$?
  if [ -f "build/$preset/Testing/Temporary/LastTestsFailed.log" ]; then
    # "12:WorkerTest.Name" per line
    cut -d: -f2- "build/$preset/Testing/Temporary/LastTestsFailed.log" >"$out/round-$round-$set.failed"
    cp "build/$preset/Testing/Temporary/LastTest.log" "$out/round-$round-$set.lasttest"
  elif [ "$status" -ne 0 ]; then
    echo "(ctest exited $status without a failed test: see $log)" >"$out/round-$round-$set.failed"
  fi
  printf 'round %d %s: %s (%s)\n' "$round" "$set" \
    "$(grep -Eo '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" || echo "no summary")" \
    "$(grep -Eo 'Total Test time \(real\) = +[0-9.]+ sec' "$log" | grep -Eo '[0-9.]+ sec' || true)"
}

sets=()
case "$labels" in
  unit) sets=(unit) ;;
  needs-service) sets=(needs-service) ;;
  all) sets=(unit needs-service) ;;
esac
started=$SECONDS
for round in $(seq "$rounds"); do
  for set in "${sets[@]}"; do run_set "$round" "$set"; done
done

echo
echo "stress: $rounds rounds of ${sets[*]} on preset $preset$([ "$load" -eq 1 ] && echo ", every core loaded")" \
  "in $((SECONDS - started)) s"
shopt -s nullglob
failed_lists=("$out"/*.failed)
if [ ${#failed_lists[@]} -eq 0 ]; then
  echo "stress: no test failed"
  exit 0
fi
echo "failures per test (out of $rounds rounds):"
cat "${failed_lists[@]}" | sort | uniq -c | sort -rn
echo
# The first failure's output of each failing test, from the round's ctest log (LastTest.log).
mapfile -t failing < <(cat "${failed_lists[@]}" | sort -u)
for test in "${failing[@]}"; do
  first=""
  for round in $(seq "$rounds"); do
    for set in "${sets[@]}"; do
      list=$out/round-$round-$set.failed
      if [ -z "$first" ] && [ -f "$list" ] && grep -qxF -- "$test" "$list"; then first=$list; fi
    done
  done
  echo "=== first failure of $test (${first%.failed}.log)"
  lasttest=${first%.failed}.lasttest
  if [ -f "$lasttest" ]; then
    # The block of that test: from its "Test: NAME" line to its end-of-output marker.
    awk -v name="$test" '
      $0 ~ /^[0-9]+\/[0-9]+ Test: / { sub(/^[0-9]+\/[0-9]+ Test: /, ""); inside = ($0 == name) }
      inside && /^<end of output>/ { print; exit }
      inside { print }
    ' "$lasttest" | head -n 150
  else
    head -n 150 "${first%.failed}.log"
  fi
  echo
done
exit 1
