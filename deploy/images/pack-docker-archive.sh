#!/usr/bin/env bash
# Packs a root filesystem directory as a one-layer Docker-archive image (the `docker save` format,
# which `ctr images import`, `docker load`, k3s and Jib's tar:// base all read).
#
#   pack-docker-archive.sh ROOTFS TAG OUT.tar ARCH [CONFIG_JSON_FRAGMENT]
#
# ARCH is amd64 or arm64. CONFIG_JSON_FRAGMENT is the image's "config" object (User, Env,
# Entrypoint, ...); default: {}. Owners are numeric and times fixed, so equal trees give equal tars.
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: pack-docker-archive.sh ROOTFS TAG OUT.tar ARCH [CONFIG_JSON]" >&2; exit 2; }
ROOTFS="$1" TAG="$2" OUT="$3" ARCH="$4" CONFIG_FRAGMENT="${5:-{\}}"
[[ -d "$ROOTFS" ]] || { echo "pack-docker-archive: $ROOTFS is not a directory" >&2; exit 2; }
case "$ARCH" in amd64|arm64) ;; *) echo "pack-docker-archive: ARCH must be amd64 or arm64, got '$ARCH'" >&2; exit 2 ;; esac

WORK="$(mktemp -d "${OUT}.pack.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
EPOCH=1704067200 # 2024-01-01T00:00:00Z
CREATED="2024-01-01T00:00:00Z"
tar --sort=name --numeric-owner --mtime="@${EPOCH}" --xattrs \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$ROOTFS" -cf "${WORK}/layer.tar" .
DIFF_ID=$(sha256sum "${WORK}/layer.tar" | cut -d' ' -f1)
mkdir -p "${WORK}/pack/${DIFF_ID}"
gzip -n -6 -c "${WORK}/layer.tar" >"${WORK}/pack/${DIFF_ID}/layer.tar"
rm -f "${WORK}/layer.tar"
CONFIG=$(printf '{"architecture":"%s","os":"linux","created":"%s","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"deploy/images/pack-docker-archive.sh"}]}' \
  "$ARCH" "$CREATED" "$CONFIG_FRAGMENT" "$DIFF_ID" "$CREATED")
CONFIG_SHA=$(printf '%s' "$CONFIG" | sha256sum | cut -d' ' -f1)
printf '%s' "$CONFIG" >"${WORK}/pack/${CONFIG_SHA}.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$CONFIG_SHA" "$TAG" "$DIFF_ID" >"${WORK}/pack/manifest.json"
tar --sort=name --numeric-owner --mtime="@${EPOCH}" -C "${WORK}/pack" -cf "${OUT}.tmp" manifest.json "${CONFIG_SHA}.json" "${DIFF_ID}"
mv "${OUT}.tmp" "$OUT"
