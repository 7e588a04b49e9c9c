#!/usr/bin/env bash
# The README's first command. On a fresh Debian machine, as root:
#   ./test/sandbox.sh            installs what it needs, builds the daemons, and runs ironlb on a
#                                local sandbox until Ctrl-C
#   ./test/sandbox.sh --once     the same, checks that a client reaches the Service, tears down
#
# The sandbox: a real etcd + kube-apiserver on 127.0.0.1 (test/controlplane, built once and
# cached in $IRONLB_CACHE), three nodes and a client as network namespaces on one bridge, one
# ironlb-speaker per node namespace, ironlb-controller in the host namespace, the sample pool
# (config/samples/sandbox-pool.yaml) and a dual-stack Service `hello`
# (config/samples/sandbox-service.yaml). It prints `kubectl get svc` with the EXTERNAL-IPs and
# the client's HTTP request through each VIP. Everything it creates is deleted on exit.
#
# Options: --build-dir DIR (default build/), --no-build (use the binaries already in the build
# dir, skip deps.sh; what the ctest `sandbox_once` does), --nodes N (default 3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
once=()
no_build=false
nodes=3
while (($#)); do
  case $1 in
    --once) once=(--once) ;;
    --no-build) no_build=true ;;
    --build-dir) build=$2; shift ;;
    --nodes) nodes=$2; shift ;;
    *) echo "usage: $0 [--once] [--build-dir DIR] [--no-build] [--nodes N]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "sandbox.sh: run as root (it creates network namespaces)" >&2; exit 1; }

cd "$root"
if ! $no_build; then
  bash test/deps.sh
  # shellcheck source=build-env.sh
  source test/build-env.sh
  echo "== building ironlb-controller and ironlb-speaker ($build)"
  ironlb_configure_build "$build" ironlb-daemons "${IRONLB_RELEASE_ARGS[@]}"
  echo "== test control plane (built once, cached in $IRONLB_CACHE)"
  test/controlplane/build.sh
fi

state=$(mktemp -d /tmp/ironlb-sandbox.XXXXXX)
cleanup() {
  test/controlplane/stop.sh "$state" --purge >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "== starting etcd and kube-apiserver on 127.0.0.1"
test/controlplane/start.sh "$state" >/dev/null
/usr/bin/python3 test/sandbox/sandbox.py --state "$state" --nodes "$nodes" \
  --controller "$build/controller/daemon/ironlb-controller" \
  --speaker "$build/speaker/daemon/ironlb-speaker" "${once[@]}"
