#!/usr/bin/env bash
# Prints BGP mode's speed figures (docs/bgp.md, "Speed"), ironlb's per-node pipeline against
# real FRR on two node namespaces and BIRD 2 as the router (test/bench/bgp/bgp_bench.py):
#   - node death (FRR's daemons SIGKILLed; link cut) -> the router drops that next hop, with a
#     BFD profile of 100 ms x 3 (IPv4) and without BFD, hold time 3 s (IPv6), p50/p99 over N
#     trials each (default 20), BIRD with its default graceful restart (helper);
#   - graceful withdraw (BgpNode::withdrawAll) -> routes gone at the router, N trials;
#   - one new Service with 1,000 and 10,000 prefixes announced -> its route at the router, N
#     trials each, the change's cost (commands, apply time) and the ratio between the sizes;
#   - RSS and CPU of zebra, bgpd, bfdd and the pipeline's process at 10,000 prefixes;
#   - withdrawAll() with 10,000 prefixes announced.
#
#   sudo test/bench/bgp/run.sh [build-dir] [trials] [bgp_bench.py options...]
#                                                      (root: network namespaces)
# e.g. a quick look: sudo test/bench/bgp/run.sh build 3 --sizes 100,1000
#
# Takes ~15 minutes on a 2-core machine (20 trials); bounded at 90 minutes. Namespaces
# (ilbbgpb*) only, always deleted; documentation addresses; nothing touches real interfaces.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(realpath -m -- "${1:-$root/build}")
trials=${2:-20}
shift $(($# < 2 ? $# : 2))
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
ninja -C "$build" -j2 bgp_bench_driver >/dev/null

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "### machine: $(nproc) cores (${cpu:-unknown CPU}), $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "### ironlb: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $build; $(/usr/lib/frr/bgpd --version 2>&1 | head -1); $(bird --version 2>&1 | head -1)"
echo "### command: $0 $build $trials $*"
echo
timeout --signal=TERM 5400 /usr/bin/python3 "$root/test/bench/bgp/bgp_bench.py" \
  --driver "$build/test/bench/bgp/bgp_bench_driver" --trials "$trials" "$@"
