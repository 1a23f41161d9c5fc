#!/usr/bin/env bash
# clang-tidy over the project's C++ files with the checks of .clang-tidy; any finding fails.
#
#   tools/tidy.sh [-j N] [--analyzer] [--skip-tests | --whole] [FILE_REGEX]
#     -j N         clang-tidy processes at once (default: the number of cores)
#     --analyzer   also the clang static analyzer (clang-analyzer-*: left out of .clang-tidy, which
#                  CI runs, for its cost; about three times as long)
#     --skip-tests not the tests (*_test.cc, the contract suites, tests/), as the tests are half of
#                  the files and most of the time, and run under both sanitizers
#     --whole      what CI checks: the same files as --skip-tests, through the unity build's
#                  translation units (preset tidy-whole: each includes several .cc files, whose
#                  findings are reported through HeaderFilterRegex like a header's). The common
#                  headers (libvips, spdlog, json, ...) are then parsed once per unity file instead
#                  of once per .cc: about a quarter of the CPU. FILE_REGEX then matches unity files
#                  (".../pixfleet_imaging.dir/Unity/unity_0_cxx.cxx").
#     FILE_REGEX   the files to check (default: every file of the build)
#
# It reads the compile database of the `tidy` preset (clang, configured only: nothing is compiled
# but the generated headers), since gcc's warning flags mean nothing to clang-tidy. Headers are
# checked through the .cc files that include them (HeaderFilterRegex in .clang-tidy). The findings
# go to stdout and build/<preset>/tidy.log.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
extra=()
skip_tests=0
preset=tidy
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    --analyzer) extra+=('-checks=clang-analyzer-*'); shift ;;
    --skip-tests) skip_tests=1; shift ;;
    --whole) preset=tidy-whole; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
files=${1:-.*}
if [ "$preset" = tidy-whole ]; then
  files="^(?!.*/tests/)(.*${files#^})"  # the unit tests are not in this build at all
elif [ "$skip_tests" -eq 1 ]; then
  # run-clang-tidy searches each path with Python's re: a lookahead leaves the tests out.
  files="^(?!.*(_test\.cc|_contract\.cc|/tests/))(.*${files#^})"
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target pixfleet_build_info >/dev/null
out=build/$preset
started=$SECONDS
status=0
run-clang-tidy -p "$out" -j "$jobs" -quiet "${extra[@]}" "$files" >"$out/raw.log" 2>&1 || status=$?
# Without colours, and without run-clang-tidy's command lines and clang-tidy's counts of what it
# filtered out (warnings in system headers): the findings.
sed 's/\x1b\[[0-9;]*m//g' "$out/raw.log" >"$out/tidy.log"
grep -Ev '^clang-tidy(-[0-9]+)? |^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
  "$out/tidy.log" || true
checked=$(grep -Ec '^clang-tidy(-[0-9]+)? ' "$out/tidy.log" || true)
findings=$(grep -Ec '(warning|error): .*\[[a-z0-9.,-]+\]$' "$out/tidy.log" || true)
echo "tidy: $checked translation units checked in $((SECONDS - started)) s, $findings findings ($out/tidy.log)"
[ "$status" -eq 0 ] && [ "$findings" -eq 0 ]
