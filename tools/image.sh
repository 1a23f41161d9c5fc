#!/usr/bin/env bash
# Builds the container image pixfleet:<version> from Debian 12 packages only, the way Debian's own
# images are made: no base image is pulled.
#   1. the release pixfleet (cmake --preset release, target pixfleet);
#   2. a root filesystem (build/image/context/rootfs.tar) made by mmdebstrap: bookworm's Essential
#      set (no apt), the Debian packages of the shared libraries pixfleet links (named by
#      dpkg-shlibdeps, as the Debian package's Depends is: tools/dev.sh package), ca-certificates,
#      and the user pixfleet (uid/gid 10001); no documentation, manuals or locales (dpkg
#      path-exclude; copyright files stay), no package lists or caches;
#   3. pixfleet as `cmake --install --strip` lays it out under /usr (bin/pixfleet,
#      share/pixfleet/recipes), staged in build/image/context/usr;
#   4. the image, by podman from deploy/image/Containerfile with build/image/context as the build
#      context (the same context builds with `docker build`, see deploy/image/README.md).
# The root filesystem is reused while its inputs (the package list, the mmdebstrap command) are
# unchanged, and the image while its inputs (that, the staged files, the Containerfile) are, so a
# second run with nothing changed only checks. --fresh makes the root filesystem anew (e.g. to take
# Debian's security updates).
# Prints the image's size on stderr and its name (localhost/pixfleet:<version>) on stdout.
# Needs root, or an unprivileged user with subuids (mmdebstrap's unshare mode, rootless podman);
# installs what it needs with tools/install-deps.sh --image.
#   PIXFLEET_IMAGE_MIRROR   Debian mirror (default http://deb.debian.org/debian; security updates
#                           from its -security sibling, http://deb.debian.org/debian-security)
#   PIXFLEET_IMAGE_SOURCE   the org.opencontainers.image.source label (default: the git remote
#                           origin, or a placeholder)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h | --help)
      sed -n '2,27p' "$0"
      exit 0
      ;;
    *)
      echo "image: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

log() { echo "image: $*" >&2; }
sha() { sha256sum | cut -c1-64; }

bash tools/install-deps.sh --image >&2

# 1. The release binary.
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target pixfleet >&2
binary=build/release/src/cli/pixfleet
version=$("$binary" --version | awk '{ print $2 }')
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source_url=${PIXFLEET_IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || echo "https://pixfleet.invalid/source")}

work=build/image
context=$work/context
mkdir -p "$context"

# 2. The runtime packages: dpkg-shlibdeps names, for each library the binary links, the package
# that ships it (the first of any alternatives; apt resolves a virtual name to its one provider).
shlibs=$work/shlibdeps
rm -rf "$shlibs"
mkdir -p "$shlibs/debian"
printf 'Source: pixfleet\n\nPackage: pixfleet\nArchitecture: any\n' >"$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O -e "$root/$binary" 2>/dev/null)
packages=$(sed 's/^shlibs:Depends=//; s/,/\n/g' <<<"$depends" | sed 's/|.*//' | awk '{ print $1 }' |
  sort -u | paste -sd, -)
[ -n "$packages" ] || { log "dpkg-shlibdeps named no package for $binary"; exit 1; }
log "runtime packages: $packages"

mirror=${PIXFLEET_IMAGE_MIRROR:-http://deb.debian.org/debian}
# The hooks' "$1" (the root filesystem's folder) is mmdebstrap's to expand, not this script's.
# shellcheck disable=SC2016
mmdebstrap_args=(
  --variant=essential
  --include="ca-certificates,usr-is-merged,$packages"
  # No documentation, manuals, locales or lintian overrides; each package's copyright stays.
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
  # The user the image runs as (numeric in the Containerfile, so Kubernetes can check non-root).
  --customize-hook='echo "pixfleet:x:10001:10001:pixfleet:/nonexistent:/usr/sbin/nologin" >>"$1/etc/passwd"'
  --customize-hook='echo "pixfleet:x:10001:" >>"$1/etc/group"'
  # The Essential set brings usrmerge (init-system-helpers needs usrmerge | usr-is-merged) and,
  # with it, perl: some 50 MB that convert a split /usr, which mmdebstrap never makes. With
  # usr-is-merged installed (above), they go; dpkg refuses if anything else still needs them.
  --customize-hook='chroot "$1" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl perl libperl5.36 perl-modules-5.36'
  # Logs and backup copies of the package database that the build leaves: nothing reads them.
  --customize-hook='rm -f "$1"/var/log/dpkg.log "$1"/var/log/apt/* "$1"/var/log/alternatives.log "$1"/var/lib/dpkg/*-old "$1"/var/cache/debconf/*-old'
  bookworm
  "$context/rootfs.tar"
  "deb $mirror bookworm main"
  "deb $mirror bookworm-updates main"
  "deb ${mirror%/debian}/debian-security bookworm-security main"
)
rootfs_key=$(printf '%s\n' "${mmdebstrap_args[@]}" | sha)
if [ "$fresh" -eq 0 ] && [ -f "$context/rootfs.tar" ] &&
  [ "$(cat "$work/rootfs.key" 2>/dev/null)" = "$rootfs_key" ]; then
  log "root filesystem: reused $context/rootfs.tar (its inputs are unchanged)"
else
  rm -f "$work/rootfs.key" "$context/rootfs.tar"
  log "root filesystem: mmdebstrap bookworm ($mirror)"
  mmdebstrap --quiet "${mmdebstrap_args[@]}" </dev/null
  echo "$rootfs_key" >"$work/rootfs.key"
fi

# 3. pixfleet under /usr, as `cmake --install` lays it out; the documentation stays out.
rm -rf "${context:?}/usr"
cmake --install build/release --prefix "$root/$context/usr" --strip >/dev/null
rm -rf "$context/usr/share/doc"

# 4. The image, unless one with the same inputs exists.
image=localhost/pixfleet:$version
inputs=$( (
  echo "$version $revision $source_url"
  cat deploy/image/Containerfile
  # The root filesystem's bytes, not its key: a --fresh one (newer packages) makes a new image.
  cd "$context" && sha256sum rootfs.tar && find usr -type f -print0 | sort -z | xargs -0 sha256sum
) | sha)
current=$(bash tools/podman.sh image inspect --format '{{index .Labels "io.pixfleet.image.inputs"}}' \
  "$image" 2>/dev/null || true)
if [ "$current" = "$inputs" ]; then
  log "$image: reused (its inputs are unchanged)"
else
  log "$image: podman build -f deploy/image/Containerfile $context"
  bash tools/podman.sh build --quiet -f deploy/image/Containerfile \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" \
    --build-arg SOURCE="$source_url" --label io.pixfleet.image.inputs="$inputs" \
    -t "$image" "$context" >/dev/null
fi
size=$(bash tools/podman.sh image inspect --format '{{.Size}}' "$image")
log "$image: $((size / 1000000)) MB ($size bytes, uncompressed)"
echo "$image"
