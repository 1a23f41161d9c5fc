#!/usr/bin/env bash
# Installs the Debian 12 packages pixfleet needs to build, test and run, and only those that are
# missing (idempotent: a second run installs nothing and makes no network call).
set -euo pipefail

packages=(
  # toolchain
  g++ make cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format clang-tidy
  # libraries
  libvips-dev libsqlite3-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 libvips-tools
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (or with sudo) to install packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
