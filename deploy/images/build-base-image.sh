#!/usr/bin/env bash
# Builds the Dilemma base image: a minimal Debian bookworm root filesystem with a headless JRE 17,
# from Debian's packages only, packed as a Docker-archive tarball (what `docker save` writes, and
# what Jib reads with <from><image>tar:///...</image></from>).
#
#   build-base-image.sh [--arch amd64|arm64] [--print-path]
#
# The result is cached outside any build tree, in $DILEMMA_IMAGE_CACHE (default
# ~/.dilemma/images), as dilemma-base-bookworm-jre17-<arch>.tar; a second run returns at once.
# arm64 is bootstrapped under qemu-user-static through binfmt_misc (installed and registered here).
#
# The image contract the project images build on:
#   - java on PATH (/usr/bin/java), JAVA_HOME set;
#   - user and group 10001 ("dilemma"), home /tmp; the image's default user is 10001;
#   - /app exists (the project jars go there), /tmp is world-writable (mount an emptyDir there when
#     the root filesystem is read-only);
#   - no apt lists, apt caches, docs, man pages or locales.
#
# Environment: DILEMMA_IMAGE_CACHE, DEBIAN_MIRROR (default http://deb.debian.org/debian),
#              FORCE_REBUILD=1 to rebuild.
set -euo pipefail

ARCH=amd64
PRINT_PATH=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --print-path) PRINT_PATH=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-base-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$ARCH" in amd64|arm64) ;; *) echo "build-base-image: --arch must be amd64 or arm64, got '$ARCH'" >&2; exit 2 ;; esac

CACHE="${DILEMMA_IMAGE_CACHE:-${HOME:-/root}/.dilemma/images}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
NAME="dilemma-base-bookworm-jre17-${ARCH}"
OUT="${CACHE}/${NAME}.tar"
TAG="dilemma/base:bookworm-jre17-${ARCH}"
UID_GID=10001

log() { printf '[base-image %s] %s %s\n' "$ARCH" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ "$PRINT_PATH" == 1 ]]; then echo "$OUT"; exit 0; fi
if [[ "${FORCE_REBUILD:-0}" != 1 && -s "$OUT" ]]; then
  log "cached: $OUT ($(du -h "$OUT" | cut -f1))"
  echo "$OUT"
  exit 0
fi
[[ "$(id -u)" == 0 ]] || die "debootstrap needs root"

mkdir -p "$CACHE"
exec 9>"${CACHE}/.${NAME}.lock"
flock 9
if [[ "${FORCE_REBUILD:-0}" != 1 && -s "$OUT" ]]; then echo "$OUT"; exit 0; fi

need=(debootstrap)
[[ "$ARCH" == amd64 ]] || need+=(qemu-user-static binfmt-support)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
fi

if [[ "$ARCH" != amd64 ]]; then
  [[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || update-binfmts --enable qemu-aarch64 >&2 \
    || die "cannot register qemu-aarch64 with binfmt_misc"
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || die "qemu-aarch64 is not registered in /proc/sys/fs/binfmt_misc"
fi

WORK="${CACHE}/.work-${NAME}"
ROOTFS="${WORK}/rootfs"
cleanup() {
  local rc=$?
  for m in proc sys dev/pts dev; do mountpoint -q "${ROOTFS}/$m" 2>/dev/null && umount -l "${ROOTFS}/$m"; done
  rm -rf "$WORK"
  [[ $rc == 0 ]] || log "FAILED (exit $rc); debootstrap log, if any, was ${WORK}/debootstrap.log"
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK"

START=$(date +%s)
log "debootstrap --variant=minbase --arch=${ARCH} ${SUITE} (about 2 min on amd64, 5 min on arm64 under qemu)"
if ! debootstrap --variant=minbase --arch="$ARCH" --include=openjdk-17-jre-headless \
    "$SUITE" "$ROOTFS" "$MIRROR" >"${WORK}/debootstrap.log" 2>&1; then
  tail -n 30 "${WORK}/debootstrap.log" >&2
  cp "${WORK}/debootstrap.log" "${CACHE}/${NAME}.debootstrap.log"
  die "debootstrap failed; log kept in ${CACHE}/${NAME}.debootstrap.log"
fi
log "debootstrap took $(( $(date +%s) - START ))s, rootfs $(du -sh "$ROOTFS" | cut -f1)"

JAVA_HOME="/usr/lib/jvm/java-17-openjdk-${ARCH}"
[[ -x "${ROOTFS}${JAVA_HOME}/bin/java" ]] || die "no JRE at ${JAVA_HOME} in the rootfs"
[[ -L "${ROOTFS}/usr/bin/java" || -x "${ROOTFS}/usr/bin/java" ]] || ln -s "${JAVA_HOME}/bin/java" "${ROOTFS}/usr/bin/java"

# Trim what a container never reads. The JRE's own files (including its legal notices under
# /usr/lib/jvm) stay; Debian's copyright files stay too, they are small and are the licence record.
log "trimming apt caches, docs, man pages, locales"
rm -rf "${ROOTFS}"/var/cache/apt/* "${ROOTFS}"/var/lib/apt/lists/* "${ROOTFS}"/var/cache/debconf/*-old \
       "${ROOTFS}"/var/log/* "${ROOTFS}"/var/cache/ldconfig/aux-cache
find "${ROOTFS}/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find "${ROOTFS}/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "${ROOTFS}"/usr/share/man/* "${ROOTFS}"/usr/share/info/* "${ROOTFS}"/usr/share/lintian \
       "${ROOTFS}"/usr/share/locale/* "${ROOTFS}"/usr/share/i18n/locales/* "${ROOTFS}"/usr/share/bash-completion
# keep future apt runs from putting them back
mkdir -p "${ROOTFS}/etc/dpkg/dpkg.cfg.d"
cat >"${ROOTFS}/etc/dpkg/dpkg.cfg.d/01-dilemma-nodoc" <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
CFG

# the non-root user of every Dilemma image
grep -q "^dilemma:" "${ROOTFS}/etc/group" || echo "dilemma:x:${UID_GID}:" >>"${ROOTFS}/etc/group"
grep -q "^dilemma:" "${ROOTFS}/etc/passwd" \
  || echo "dilemma:x:${UID_GID}:${UID_GID}:Dilemma:/tmp:/usr/sbin/nologin" >>"${ROOTFS}/etc/passwd"
grep -q "^dilemma:" "${ROOTFS}/etc/shadow" || echo "dilemma:!:19000::::::" >>"${ROOTFS}/etc/shadow"
mkdir -p "${ROOTFS}/app"
chmod 1777 "${ROOTFS}/tmp"
# the rootfs has no resolv.conf/hostname of its own: the runtime mounts them
: >"${ROOTFS}/etc/resolv.conf"
rm -f "${ROOTFS}/etc/hostname"

log "rootfs after trimming: $(du -sh "$ROOTFS" | cut -f1)"

CONFIG=$(printf '{"User":"%s:%s","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=%s","LANG=C.UTF-8"],"WorkingDir":"/tmp","Labels":{"org.opencontainers.image.title":"dilemma-base","org.opencontainers.image.description":"Debian bookworm minbase + openjdk-17-jre-headless"}}' \
  "$UID_GID" "$UID_GID" "$JAVA_HOME")
bash "$(dirname "$0")/pack-docker-archive.sh" "$ROOTFS" "$TAG" "$OUT" "$ARCH" "$CONFIG"
log "wrote $OUT ($(du -h "$OUT" | cut -f1) compressed) in $(( $(date +%s) - START ))s"
echo "$OUT"
