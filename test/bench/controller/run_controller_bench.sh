#!/usr/bin/env bash
# Controller throughput against a real kube-apiserver: for 1,000 and 10,000 new LoadBalancer
# Services, the time until all show an EXTERNAL-IP, for ironlb-controller (from exec) and for
# a bare client that only writes the same statuses (the ceiling), plus the controller's peak
# RSS and CPU. Each size runs on a fresh private control plane (so the controller lists only
# the benchmark's Services), REPS times (default 3).
#
#   test/bench/controller/run_controller_bench.sh [build-dir]      (SIZES="1000 10000" REPS=3
#                                                                  WRITERS=32 to change)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
sizes=${SIZES:-1000 10000}
reps=${REPS:-3}
writers=${WRITERS:-32}

cmake -S "$root" -B "$build" -G Ninja >/dev/null
ninja -C "$build" -j2 ironlb-controller controller_bench >/dev/null
"$root/test/controlplane/build.sh" >/dev/null

work=$(mktemp -d /tmp/ironlb-controller-bench.XXXXXX)
state=$work/controlplane
cleanup() {
  "$root/test/controlplane/stop.sh" "$state" --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $0 $* (SIZES=\"$sizes\" REPS=$reps WRITERS=$writers)"
for n in $sizes; do
  for rep in $(seq 1 "$reps"); do
    "$root/test/controlplane/stop.sh" "$state" --purge >/dev/null 2>&1 || true
    "$root/test/controlplane/start.sh" "$state" >/dev/null
    # shellcheck disable=SC1091
    source "$state/env"
    "$IRONLB_KUBECTL" apply --server-side -f "$root/crds/" >/dev/null
    echo "---- $n Services, run $rep of $reps (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "$build/test/bench/controller/controller_bench" --kubeconfig="$KUBECONFIG" \
      --controller="$build/controller/daemon/ironlb-controller" --services="$n" \
      --writers="$writers" --work-dir="$work"
  done
done
