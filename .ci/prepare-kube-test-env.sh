#!/usr/bin/env bash
# Prepares a real Kubernetes 1.20.2 control plane (etcd + kube-apiserver + kubectl) for
# integration tests with fabric8 `io.fabric8:kube-api-test` in offline mode.
#
# Layout produced (what kube-api-test's BinaryManager looks for):
#   $KUBE_TEST_DIR/k8s/1.20.2-linux-amd64/{etcd,kube-apiserver,kubectl}
#
# Sources (Debian bookworm packages only; no other downloads):
#   - etcd            : extracted from Debian's `etcd-server` .deb (no service is installed/started)
#   - kube-apiserver  : built from Debian's source package `kubernetes` (1.20.5+really1.20.2)
#   - kubectl         : built from the same tree
#   The vendored github.com/modern-go/reflect2 is replaced by Debian's
#   golang-github-modern-go-reflect2-dev (1.0.2): the vendored 1.0.1 crashes on Go >= 1.18.
#
# Idempotent: if the three binaries exist and answer --version, exits 0 immediately.
#
# Environment:
#   KUBE_TEST_DIR   target dir (default: $HOME/.dilemma/kube-test)
#   KEEP_KUBE_SRC=1 keep the source/build tree under $KUBE_TEST_DIR/work after building
#   FORCE_REBUILD=1 rebuild even if the binaries are already there
#
# Usage in tests: KubeAPIServerConfigBuilder.anAPIServerConfig()
#   .withTestDir("$KUBE_TEST_DIR").withApiServerVersion("1.20.2").withOfflineMode(true)
set -euo pipefail

K8S_VERSION="1.20.2"
PLATFORM="linux-amd64"
KUBE_TEST_DIR="${KUBE_TEST_DIR:-${HOME:-/root}/.dilemma/kube-test}"
BIN_DIR="${KUBE_TEST_DIR}/k8s/${K8S_VERSION}-${PLATFORM}"
WORK_DIR="${KUBE_TEST_DIR}/work"
LOG_DIR="${KUBE_TEST_DIR}/logs"
BUILD_LOG="${LOG_DIR}/build.log"
# The local multi-node cluster (deploy/local-cluster) runs these from the same tree and directory.
NODE_BINARIES=(kubelet kube-controller-manager kube-scheduler kube-proxy)
REFLECT2_SRC="/usr/share/gocode/src/github.com/modern-go/reflect2"
# upstream commit of v1.20.2 (as recorded by Debian's build of kubernetes-client)
K8S_GIT_COMMIT="faecb196815e248d3ecfb03c680a4507229c2a56"

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Acquire::Retries=3 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

log() { printf '[prepare-kube-test-env] %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "must run as root (or have sudo) to install Debian packages"
  SUDO=(sudo -E -n)
fi

binaries_ok() {
  [[ -x "${BIN_DIR}/etcd" && -x "${BIN_DIR}/kube-apiserver" && -x "${BIN_DIR}/kubectl" ]] || return 1
  "${BIN_DIR}/etcd" --version >/dev/null 2>&1 || return 1
  "${BIN_DIR}/kube-apiserver" --version 2>/dev/null | grep -q "v${K8S_VERSION}" || return 1
  "${BIN_DIR}/kubectl" version --client >/dev/null 2>&1 || return 1
  local b
  for b in "${NODE_BINARIES[@]}"; do
    [[ -x "${BIN_DIR}/${b}" ]] || return 1
  done
}

print_result() {
  log "binaries ready in ${BIN_DIR}:"
  printf '  etcd:           %s\n' "$("${BIN_DIR}/etcd" --version 2>/dev/null | head -n1)" >&2
  printf '  kube-apiserver: %s\n' "$("${BIN_DIR}/kube-apiserver" --version 2>/dev/null)" >&2
  printf '  kubectl:        %s\n' "$("${BIN_DIR}/kubectl" version --client --short 2>/dev/null || true)" >&2
  log "use with kube-api-test: withTestDir(\"${KUBE_TEST_DIR}\"), withApiServerVersion(\"${K8S_VERSION}\"), withOfflineMode(true)"
  # stdout: the test dir, for callers doing DIR=$(prepare-kube-test-env.sh)
  echo "${KUBE_TEST_DIR}"
}

if [[ "${FORCE_REBUILD:-0}" != "1" ]] && binaries_ok; then
  print_result
  exit 0
fi

[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" ]] \
  || die "only linux/amd64 is supported (got $(uname -s)/$(uname -m))"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: a Debian (bookworm) machine is required"

mkdir -p "${KUBE_TEST_DIR}" "${LOG_DIR}"

# Serialize concurrent runs (e.g. several modules preparing at once).
exec 9>"${KUBE_TEST_DIR}/.prepare.lock"
if command -v flock >/dev/null 2>&1; then
  log "acquiring lock ${KUBE_TEST_DIR}/.prepare.lock"
  flock 9
  if [[ "${FORCE_REBUILD:-0}" != "1" ]] && binaries_ok; then
    print_result
    exit 0
  fi
fi

START_TS=$(date +%s)

cleanup() {
  local rc=$?
  if [[ "${KEEP_KUBE_SRC:-0}" == "1" ]]; then
    log "KEEP_KUBE_SRC=1: keeping source/build tree in ${WORK_DIR}"
  elif [[ -d "${WORK_DIR}" ]]; then
    log "removing source/build tree ${WORK_DIR}"
    chmod -R u+w "${WORK_DIR}" 2>/dev/null || true   # Go module cache files are read-only
    rm -rf "${WORK_DIR}"
  fi
  rm -rf "${BIN_DIR}.tmp"
  if [[ $rc -ne 0 ]]; then
    log "FAILED (exit ${rc}) after $(( $(date +%s) - START_TS ))s"
    if [[ -s "${BUILD_LOG}" ]]; then
      log "last 60 lines of ${BUILD_LOG}:"
      tail -n 60 "${BUILD_LOG}" >&2 || true
    fi
  fi
}
trap cleanup EXIT

: >"${BUILD_LOG}"
run_logged() {  # run a command, output to the build log
  log "+ $*"
  echo "+ $*" >>"${BUILD_LOG}"
  "$@" >>"${BUILD_LOG}" 2>&1
}

# ---------------------------------------------------------------------------------------------
# 1. deb-src entries (the image only ships `Types: deb`)
# ---------------------------------------------------------------------------------------------
have_deb_src() {
  grep -qsE '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
  grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list && return 0
  return 1
}

if have_deb_src; then
  log "deb-src entries already configured"
else
  tmp_src="$(mktemp)"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    # same URIs/Suites/Components/Signed-By, only the type changes
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"${tmp_src}"
    dest=/etc/apt/sources.list.d/dilemma-deb-src.sources
  elif grep -qsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list; then
    sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list >"${tmp_src}"
    dest=/etc/apt/sources.list.d/dilemma-deb-src.list
  else
    rm -f "${tmp_src}"
    die "cannot find the Debian apt sources to derive deb-src entries from"
  fi
  log "adding deb-src entries: ${dest}"
  "${SUDO[@]}" install -m 0644 "${tmp_src}" "${dest}"
  rm -f "${tmp_src}"
fi

log "apt-get update"
run_logged "${SUDO[@]}" apt-get update -q -o Acquire::Retries=3

# ---------------------------------------------------------------------------------------------
# 2. build dependencies
# ---------------------------------------------------------------------------------------------
PKGS=(golang-go golang-github-modern-go-reflect2-dev dpkg-dev make rsync gcc libc6-dev xz-utils ca-certificates)
log "apt-get install ${PKGS[*]} (may take a minute)"
run_logged "${SUDO[@]}" apt-get install --no-install-recommends "${APT_OPTS[@]}" "${PKGS[@]}"
[[ -d "${REFLECT2_SRC}" ]] || die "${REFLECT2_SRC} missing after installing golang-github-modern-go-reflect2-dev"
log "go: $(go version)"

# ---------------------------------------------------------------------------------------------
# 3. sources: kubernetes source package + etcd-server binary package
# ---------------------------------------------------------------------------------------------
if [[ -d "${WORK_DIR}" ]]; then
  log "removing stale work dir ${WORK_DIR}"
  chmod -R u+w "${WORK_DIR}" 2>/dev/null || true
  rm -rf "${WORK_DIR}"
fi
mkdir -p "${WORK_DIR}"
# let apt's unprivileged _apt user write here (avoids a noisy warning)
chmod 0777 "${WORK_DIR}" 2>/dev/null || true

log "apt-get source kubernetes (into ${WORK_DIR})"
(cd "${WORK_DIR}" && run_logged apt-get source -q kubernetes)
SRC_DIR="$(find "${WORK_DIR}" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
[[ -n "${SRC_DIR}" && -f "${SRC_DIR}/Makefile" ]] || die "kubernetes source tree not found under ${WORK_DIR}"
case "${SRC_DIR##*/}" in
  *"${K8S_VERSION}") log "source tree: ${SRC_DIR}" ;;
  *) die "unexpected kubernetes source version ${SRC_DIR##*/} (need upstream ${K8S_VERSION})" ;;
esac
[[ -d "${SRC_DIR}/vendor" ]] || die "source tree has no vendor/ directory"

log "apt-get download etcd-server"
(cd "${WORK_DIR}" && run_logged apt-get download -q etcd-server)
ETCD_DEB="$(find "${WORK_DIR}" -maxdepth 1 -name 'etcd-server_*.deb' | head -n1)"
[[ -n "${ETCD_DEB}" ]] || die "etcd-server .deb not downloaded"
mkdir -p "${WORK_DIR}/etcd-deb"
dpkg-deb -x "${ETCD_DEB}" "${WORK_DIR}/etcd-deb"
[[ -x "${WORK_DIR}/etcd-deb/usr/bin/etcd" ]] || die "usr/bin/etcd not found in ${ETCD_DEB}"

# ---------------------------------------------------------------------------------------------
# 4. patch reflect2 and build
# ---------------------------------------------------------------------------------------------
log "replacing vendor/github.com/modern-go/reflect2 with ${REFLECT2_SRC}"
rm -rf "${SRC_DIR}/vendor/github.com/modern-go/reflect2"
mkdir -p "${SRC_DIR}/vendor/github.com/modern-go/reflect2"
cp -a "${REFLECT2_SRC}/." "${SRC_DIR}/vendor/github.com/modern-go/reflect2/"
# a nested go.mod inside vendor/ is not wanted
rm -f "${SRC_DIR}/vendor/github.com/modern-go/reflect2/go.mod" "${SRC_DIR}/vendor/github.com/modern-go/reflect2/go.sum"

# The tarball has no .git: give the build its version info explicitly.
cat >"${WORK_DIR}/version.env" <<EOF
KUBE_GIT_COMMIT='${K8S_GIT_COMMIT}'
KUBE_GIT_TREE_STATE='archive'
KUBE_GIT_VERSION='v${K8S_VERSION}'
KUBE_GIT_MAJOR='${K8S_VERSION%%.*}'
KUBE_GIT_MINOR='$(echo "${K8S_VERSION}" | cut -d. -f2)'
EOF

log "building kube-apiserver, kubectl and ${NODE_BINARIES[*]} (about 15 minutes on 2 cores; log: ${BUILD_LOG})"
BUILD_START=$(date +%s)
(
  cd "${SRC_DIR}"
  export GOPATH="${WORK_DIR}/gopath"
  export GOCACHE="${WORK_DIR}/gocache"
  export GOFLAGS="-mod=vendor"
  export GOPROXY=off
  export GO111MODULE=on
  export KUBE_GIT_VERSION_FILE="${WORK_DIR}/version.env"
  export KUBE_BUILD_PLATFORMS="linux/amd64"
  export KUBE_VERBOSE=1
  unset GOROOT GOBIN
  run_logged make WHAT="cmd/kube-apiserver cmd/kubectl ${NODE_BINARIES[*]/#/cmd/}"
) || die "kubernetes build failed"
log "build took $(( $(date +%s) - BUILD_START ))s"

OUT_DIR="${SRC_DIR}/_output/local/bin/linux/amd64"
for b in kube-apiserver kubectl "${NODE_BINARIES[@]}"; do
  [[ -x "${OUT_DIR}/${b}" ]] || die "build output ${OUT_DIR}/${b} missing"
done

# ---------------------------------------------------------------------------------------------
# 5. install into the kube-api-test layout (atomically)
# ---------------------------------------------------------------------------------------------
rm -rf "${BIN_DIR}.tmp"
mkdir -p "${BIN_DIR}.tmp"
install -m 0755 "${WORK_DIR}/etcd-deb/usr/bin/etcd" "${BIN_DIR}.tmp/etcd"
install -m 0755 "${OUT_DIR}/kube-apiserver" "${BIN_DIR}.tmp/kube-apiserver"
install -m 0755 "${OUT_DIR}/kubectl" "${BIN_DIR}.tmp/kubectl"
for b in "${NODE_BINARIES[@]}"; do
  install -m 0755 "${OUT_DIR}/${b}" "${BIN_DIR}.tmp/${b}"
done
# the local cluster compiles its pause image from the same tree
install -m 0644 "${SRC_DIR}/build/pause/linux/pause.c" "${BIN_DIR}.tmp/pause.c"
rm -rf "${BIN_DIR}"
mv "${BIN_DIR}.tmp" "${BIN_DIR}"

binaries_ok || die "installed binaries in ${BIN_DIR} do not run"
log "done in $(( $(date +%s) - START_TS ))s"
print_result
