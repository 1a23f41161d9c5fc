#!/usr/bin/env bash
# clang-tidy over the project's C++ files with the checks of .clang-tidy; any finding fails.
#
#   tools/tidy.sh [-j N] [--analyzer] [--skip-tests] [FILE_REGEX]
#     -j N         clang-tidy processes at once (default: the number of cores)
#     --analyzer   also the clang static analyzer (clang-analyzer-*: left out of .clang-tidy, which
#                  CI runs, for its cost; about three times as long)
#     --skip-tests not the tests (*_test.cc, the contract suites, tests/): what CI checks, as the
#                  tests are half of the files and most of the time, and run under both sanitizers
#     FILE_REGEX   the files to check (default: every file of the build)
#
# It reads the compile database of the `tidy` preset (clang, configured only: nothing is compiled
# but the generated headers), since gcc's warning flags mean nothing to clang-tidy. Headers are
# checked through the .cc files that include them (HeaderFilterRegex in .clang-tidy). The findings
# go to stdout and build/tidy/tidy.log.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
extra=()
skip_tests=0
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    --analyzer) extra+=('-checks=clang-analyzer-*'); shift ;;
    --skip-tests) skip_tests=1; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
files=${1:-.*}
if [ "$skip_tests" -eq 1 ]; then
  # run-clang-tidy searches each path with Python's re: a lookahead leaves the tests out.
  files="^(?!.*(_test\.cc|_contract\.cc|/tests/))(.*${files#^})"
fi

cmake --preset tidy >/dev/null
cmake --build --preset tidy --target pixfleet_build_info >/dev/null
started=$SECONDS
status=0
run-clang-tidy -p build/tidy -j "$jobs" -quiet "${extra[@]}" "$files" >build/tidy/raw.log 2>&1 || status=$?
# Without colours, and without run-clang-tidy's command lines and clang-tidy's counts of what it
# filtered out (warnings in system headers): the findings.
sed 's/\x1b\[[0-9;]*m//g' build/tidy/raw.log >build/tidy/tidy.log
grep -Ev '^clang-tidy(-[0-9]+)? |^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' \
  build/tidy/tidy.log || true
checked=$(grep -Ec '^clang-tidy(-[0-9]+)? ' build/tidy/tidy.log || true)
findings=$(grep -Ec '(warning|error): .*\[[a-z0-9.,-]+\]$' build/tidy/tidy.log || true)
echo "tidy: $checked files checked in $((SECONDS - started)) s, $findings findings (build/tidy/tidy.log)"
[ "$status" -eq 0 ] && [ "$findings" -eq 0 ]
