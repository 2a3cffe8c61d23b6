#!/usr/bin/env bash
# Runs a Docker-archive image's entry point without a container engine: unpacks its layers into
# a scratch root filesystem and runs the entry point there with chroot, as the image's user, with
# a fresh /tmp and the rest of the filesystem as shipped. For an arm64 image on an amd64 machine
# the kernel runs it through qemu-user-static (binfmt_misc), so this is the arm64 smoke test.
#
#   smoke-test-image.sh IMAGE.tar operator       --version, then `plan` on the embedded example
#   smoke-test-image.sh IMAGE.tar shard-worker   --version, then `synth` + `generate` of opt-tiny
#   smoke-test-image.sh IMAGE.tar prober         --version, then `probe --help` (probing needs a cluster)
#
# Exit status: 0 when every step exits 0 within STEP_TIMEOUT seconds (default 900) and generate
# prints tokens; non-zero otherwise.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: smoke-test-image.sh IMAGE.tar operator|shard-worker|prober" >&2; exit 2; }
IMAGE="$1" KIND="$2"
[[ -f "$IMAGE" ]] || { echo "smoke-test-image: $IMAGE does not exist" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || { echo "smoke-test-image: needs root (chroot)" >&2; exit 2; }

log() { printf '[smoke %s] %s %s\n' "$(basename "$IMAGE")" "$(date +%H:%M:%S)" "$*" >&2; }
WORK="$(mktemp -d)"
cleanup() {
  for m in "$WORK/rootfs/proc" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"; do mountpoint -q "$m" && umount -l "$m"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

tar -xf "$IMAGE" -C "$WORK" manifest.json
config=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$WORK/manifest.json")
tar -xf "$IMAGE" -C "$WORK" "$config"
read -r ARCH USER_SPEC ENTRY < <(python3 - "$WORK/$config" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print(c["architecture"], c["config"].get("User", "0:0"), "\x1f".join(c["config"]["Entrypoint"]))
PY
)
IFS=$'\x1f' read -r -a ENTRYPOINT <<<"$ENTRY"
if [[ "$ARCH" == arm64 && "$(uname -m)" != aarch64 ]]; then
  [[ -e /proc/sys/fs/binfmt_misc/register ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || { echo "smoke-test-image: qemu-aarch64 is not registered (apt-get install qemu-user-static binfmt-support)" >&2; exit 1; }
fi

mkdir -p "$WORK/rootfs"
for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$WORK/manifest.json"); do
  tar -xf "$IMAGE" -C "$WORK" "$layer"
  tar -xzf "$WORK/$layer" -C "$WORK/rootfs" 2>/dev/null || tar -xf "$WORK/$layer" -C "$WORK/rootfs"
  rm -f "$WORK/$layer"
done
mount -t proc proc "$WORK/rootfs/proc"
mount -t tmpfs -o size=512m,mode=1777 tmpfs "$WORK/rootfs/tmp"
mount --bind /dev "$WORK/rootfs/dev"
log "$ARCH image, user $USER_SPEC, entry point ${ENTRYPOINT[*]}"

run() { # run ARGS...: the entry point with ARGS, as the image's user
  log "+ ${ENTRYPOINT[*]} $*"
  local start=$SECONDS
  # a step that has not exited after STEP_TIMEOUT seconds fails (under qemu-user the JVM has been
  # seen to print its whole output and then never finish exiting)
  timeout -k 10 "${STEP_TIMEOUT:-900}" \
    chroot --userspec="$USER_SPEC" "$WORK/rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp LANG=C.UTF-8 "${ENTRYPOINT[@]}" "$@"
  log "  exit 0 after $(( SECONDS - start ))s"
}

case "$KIND" in
  operator)
    run --version
    run plan >"$WORK/plan.txt"
    head -n 20 "$WORK/plan.txt" >&2
    ;;
  shard-worker)
    run --version
    run synth --preset opt-tiny --out /tmp/opt-tiny >/dev/null
    run generate --model /tmp/opt-tiny --tokens 2,31,7,200 --max-tokens 8 | tee "$WORK/generate.txt" >&2
    grep -q '^tokens: [0-9]' "$WORK/generate.txt" || { log "generate printed no tokens"; exit 1; }
    ;;
  prober)
    run --version
    run probe --help >"$WORK/help.txt"
    grep -q -- '--peer-selector' "$WORK/help.txt" || { log "probe --help printed no options"; exit 1; }
    ;;
  *) echo "smoke-test-image: kind must be operator, shard-worker or prober" >&2; exit 2 ;;
esac
log "passed"
