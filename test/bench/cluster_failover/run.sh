#!/usr/bin/env bash
# Failover as users see it on a real cluster (test/cluster): ironlb installed with Helm from
# its image, the sandbox Service over three pods, a client requesting a page every 20 ms and
# watching its own neighbour table. Two kinds of trials, N each (default 10):
#   speaker  the owner's speaker container is SIGKILLed (its kubelet restarts it)
#   node     the owner node dies: cable cut, every process on it killed; it boots again
#            between trials
# Prints p50/p99 of: the client's neighbour entry moving to another node (ironlb's part), the
# first page answered after the kill, the longest gap, and for a dead node how long until
# Kubernetes takes the dead node's pod out of the endpoints (its part: the controller-manager's
# node-monitor grace period, then the EndpointSlice controllers) and how many requests failed
# meanwhile (kube-proxy on the new owner still sends some connections to the dead pod).
#
#   sudo test/bench/cluster_failover/run.sh [build-dir] [trials]
#
# Needs the release daemons in build-dir (the image is assembled from them) and the Kubernetes
# binaries (test/controlplane/build.sh). Its own cluster in a temporary directory, deleted at
# the end. Each node trial waits for Kubernetes to notice the dead node (~40-60 s), so 10+10
# trials take about 15 minutes on 2 cores. Namespaces only; nothing touches real interfaces.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(realpath -m -- "${1:-$root/build}")
trials=${2:-10}
"$root/test/controlplane/build.sh"
state=$(mktemp -d /tmp/ironlb-cluster-failover.XXXXXX)
cleanup() {
  /usr/bin/python3 "$root/test/cluster/localcluster.py" down "$state/cluster" --purge \
    >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$root/config/image/build.sh" --no-build --build-dir "$build" --out "$state/image" >/dev/null
"$root/test/cluster/images/build.sh" "$state/test-images" >/dev/null
/usr/bin/python3 "$root/test/cluster/localcluster.py" up "$state/cluster" --nodes 3 \
  --images "$state/test-images/pause.oci.tar" "$state/test-images/hello.oci.tar" \
  "$state/image/ironlb-$(tr -d '[:space:]' <"$root/VERSION").oci.tar" >/dev/null

echo "### machine: $(nproc) cores, $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "### ironlb: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), image $(cat "$state/image/ironlb.digest")"
/usr/bin/python3 "$root/test/bench/cluster_failover/bench.py" --state "$state/cluster" \
  --image-dir "$state/image" --trials "$trials"
