#!/usr/bin/env bash
# Installs the Debian 12 packages pixfleet needs to build, test and run, and only those that are
# missing (idempotent: a second run installs nothing and makes no network call).
#
#   tools/install-deps.sh              build/test toolchain and libraries
#   tools/install-deps.sh --services   additionally the real test services used by the integration
#                                      tests (PostgreSQL 15, pgbouncer, RabbitMQ, Node.js/npm for
#                                      s3rver) and their command-line clients; see tools/services/.
#   tools/install-deps.sh --image      additionally what builds and runs the container image
#                                      (tools/image.sh, tests/container/): podman, buildah, runc,
#                                      mmdebstrap, uidmap.
set -euo pipefail

with_services=0
with_image=0
for arg in "$@"; do
  case "$arg" in
    --services) with_services=1 ;;
    --image) with_image=1 ;;
    -h | --help)
      sed -n '2,12p' "$0"
      exit 0
      ;;
    *)
      echo "install-deps: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

packages=(
  # toolchain
  g++ make cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format clang-tidy
  # libraries
  libvips-dev libsqlite3-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libjpeg62-turbo-dev libwebp-dev liblcms2-dev libglib2.0-dev libspdlog-dev libfmt-dev libjemalloc-dev libcpp-httplib-dev
  # client libraries of the distributed backends (PostgreSQL, RabbitMQ, S3, S3's XML answers)
  libpq-dev librabbitmq-dev libcurl4-openssl-dev libpugixml-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 libvips-tools
  # real camera JPEGs for the decoder corpus (src/imaging/decode_corpus_test.cc): photographs
  # with their EXIF, and camera files of many makes cut after their header
  mate-backgrounds golang-github-rwcarlsen-goexif-dev
  # the Debian package (CPack: dpkg-shlibdeps computes Depends, file finds the binaries in it)
  dpkg-dev file
)

# deploy/check (ctest label `deploy`) and s3rver (a test service) run on Node.js. Some machines
# have Node.js from another source (its own npm bundled, conflicting with Debian's npm package):
# only ask for Debian's when the command is missing. kubectl, which deploy/check renders the
# manifests with, is not a Debian 12 package and comes with the machine.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

if [ "$with_services" -eq 1 ]; then
  packages+=(
    # test services (started on loopback by tools/services/up.sh)
    postgresql-15 postgresql-client-15 pgbouncer rabbitmq-server
    # tools the service scripts use
    openssl curl procps
    # monitoring checks: promtool, and a Prometheus that scrapes a worker; PyYAML for their scripts
    prometheus python3-yaml
  )
fi

if [ "$with_image" -eq 1 ]; then
  packages+=(
    # the container image: its root filesystem made from Debian packages, the image built and
    # run by podman with runc (tools/image.sh, tools/podman.sh)
    podman buildah runc mmdebstrap uidmap
  )
fi

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
# Other engineers may run apt at the same time on this machine: wait for the dpkg lock.
apt_opts=(-o DPkg::Lock::Timeout=600)
apt-get "${apt_opts[@]}" update -qq
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"

if [ "$with_services" -eq 1 ]; then
  # Debian's rabbitmq-server (and postgresql, pgbouncer) start a system-wide service on install
  # where the init system allows it. That one would hold ports 5672/25672, the shared erlang
  # cookie and /var/lib/rabbitmq; the test services run their own instances instead, so stop and
  # disable the system ones. Harmless where they never started (containers with policy-rc.d).
  stop_services=()
  for package in "${missing[@]}"; do
    case "$package" in
      rabbitmq-server | pgbouncer | prometheus) stop_services+=("$package") ;;
      postgresql-15) stop_services+=(postgresql) ;;
    esac
  done
  for service in "${stop_services[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$service" >/dev/null 2>&1 || true
    else
      service "$service" stop >/dev/null 2>&1 || true
      update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
fi
