#!/usr/bin/env bash
# Prints the membership figures: detection/agreement distributions, packets/s and state per
# node in simulation at 10/100/1000 members, the same on real loopback sockets with 50 and
# 100 instances, and the per-packet CPU cost.
#
#   test/bench/membership/run.sh [build-dir]     (default: build; built if needed)
#
# Takes ~5-10 minutes on a 2-core machine (the 1,000-member simulation dominates). Loopback
# only; nothing leaves the machine. Figures vary with machine load: compare ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
ninja -C "$build" membership_sim membership_loopback membership_bench >/dev/null

echo "### machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "### simulation (pure cores, simulated LAN, 1% loss for the loss rows)"
timeout 1800 "$build/test/sim/membership/membership_sim" --nodes 10,100,1000 --trials 30 --loss 0.01
echo
echo "### real UDP sockets on loopback (one process, one io_context)"
timeout 300 "$build/test/sim/membership/membership_loopback" --nodes 50 --trials 30 \
  --base 127.0.0.10 --port 37946
timeout 300 "$build/test/sim/membership/membership_loopback" --nodes 100 --trials 30 \
  --base 127.0.1.10 --port 37946
echo
echo "### per-packet cost"
"$build/test/bench/membership/membership_bench" --benchmark_min_time=0.2
