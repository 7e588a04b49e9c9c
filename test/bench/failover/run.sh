#!/usr/bin/env bash
# Prints every speaker failover figure:
#   - failover as a real client sees it (network namespaces, real API server): owner speaker
#     SIGKILL, owner link cut, owner SIGTERM -> client's neighbour entry on the new owner,
#     p50/p90/p99 over N trials each (default 30), IPv4 and IPv6, plus the gratuitous ARP on
#     the wire; with two nodes and with three (a cluster each, same run) and their ratio;
#   - ARP/NDP reply latency of the owner's speaker against its node's kernel (three nodes);
#   - speaker RSS and idle CPU with 10 and 500 Services (three nodes);
#   - membership traffic and state per node at 10, 100 and 1,000 simulated members
#     (test/sim/membership, the membership engineer's simulation);
#   - election cost at scale (planner_bench).
#
#   sudo test/bench/failover/run.sh [build-dir] [trials] [failover_bench.py options...]
#                                                              (root: network namespaces)
# Options after the trial count go to failover_bench.py (--load busy|both: the trials on a busy
# machine; --modes sigterm; --skip-footprint); with --failover-only the membership simulation
# and planner_bench are skipped. Figures in the README:
#   sudo test/bench/failover/run.sh build 30 --load both
#
# Starts its own test control plane in a temporary directory (test/controlplane/start.sh; the
# binaries must be built: test/controlplane/build.sh) and stops it at the end. Takes ~15-30
# minutes on a 2-core machine. Namespaces only; nothing touches the machine's interfaces.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
trials=${2:-30}
shift $(($# < 2 ? $# : 2))
failover_only=0
bench_args=()
for a in "$@"; do
  if [ "$a" = --failover-only ]; then failover_only=1; else bench_args+=("$a"); fi
done
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
ninja -C "$build" ironlb-speaker dataplane_loadgen membership_sim planner_bench >/dev/null

state=$(mktemp -d /tmp/ironlb-failover-bench.XXXXXX)
cleanup() {
  "$root/test/controlplane/stop.sh" "$state" --purge >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT
"$root/test/controlplane/start.sh" "$state" >/dev/null

echo "### machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "### speaker: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $build"
echo
/usr/bin/python3 "$root/test/bench/failover/failover_bench.py" --state "$state" \
  --speaker "$build/speaker/daemon/ironlb-speaker" --trials "$trials" --nodes 2,3 \
  "${bench_args[@]}"
[ "$failover_only" = 1 ] && exit 0
echo
echo "### membership traffic and state per node (simulation, 3 kill trials per size)"
timeout 3600 "$build/test/sim/membership/membership_sim" --nodes 10,100,1000 --trials 3 --loss 0
echo
echo "### election cost (planner_bench)"
"$build/test/bench/failover/planner_bench" --benchmark_min_time=0.2
