#!/usr/bin/env bash
# The README's first command. On a fresh Debian machine, as root:
#   ./test/sandbox.sh            installs what it needs, builds ironlb and its image, and runs it
#                                on a local Kubernetes cluster until Ctrl-C
#   ./test/sandbox.sh --once     the same, checks that a client reaches a pod through the VIPs,
#                                tears down
#
# The sandbox: a real cluster on this machine (test/cluster: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, and N nodes as network namespaces, each with
# containerd, kubelet and kube-proxy; the Kubernetes binaries are built once from their Go
# modules and cached in $IRONLB_CACHE), the ironlb image built from this checkout
# (config/image/build.sh) imported on every node, `helm install` of config/helm/ironlb, the
# sample pool, a web Deployment and a dual-stack Service (config/samples/sandbox-*.yaml), and a
# client on the node network that fetches a page through each EXTERNAL-IP. Everything it
# creates is deleted on exit.
#
# Options: --build-dir DIR (default build/), --no-build (use the daemons already in the build
# dir and skip deps.sh; what the ctest `sandbox_once` does), --nodes N (default 3).
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
[ "$(id -u)" -eq 0 ] || { echo "sandbox.sh: run as root (network namespaces, containerd)" >&2; exit 1; }
build=$(realpath -m -- "$build")

cd "$root"
if ! $no_build; then
  bash test/deps.sh
  # shellcheck source=build-env.sh
  source test/build-env.sh
  echo "== building ironlb-controller and ironlb-speaker ($build)"
  ironlb_configure_build "$build" ironlb-daemons "${IRONLB_RELEASE_ARGS[@]}"
  echo "== Kubernetes and Helm (built once from their Go modules, cached in $IRONLB_CACHE)"
  test/controlplane/build.sh
fi

state=$(mktemp -d /tmp/ironlb-sandbox.XXXXXX)
cleanup() {
  /usr/bin/python3 test/cluster/localcluster.py down "$state" --purge >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "== the ironlb image (config/image/build.sh) and the test images"
config/image/build.sh --no-build --build-dir "$build" --out "$state/image" | sed 's/^/   /'
test/cluster/images/build.sh "$state/test-images" >/dev/null
/usr/bin/python3 test/sandbox/sandbox.py --state "$state/cluster" --image-dir "$state/image" \
  --test-images "$state/test-images" --nodes "$nodes" "${once[@]}"
