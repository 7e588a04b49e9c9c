#!/usr/bin/env bash
# Controller throughput against a real kube-apiserver: for 1,000 and 10,000 new LoadBalancer
# Services, the time until all show an EXTERNAL-IP and the rate of status writes, for
# ironlb-controller with its default flags (from exec) and, in the same run, for a plain client
# that only merge-patches the same statuses with PLAIN_WRITERS requests in flight (the baseline),
# plus the controller's peak RSS, CPU and API requests, and the time until every Service has
# its IPAllocated Event. Each size runs REPS times (default 3) on a fresh private control plane
# (so the controller lists only the benchmark's Services), each run ROUNDS rounds (default: 3
# for up to 2,000 Services, else 1) in which the two clients take turns going first. The last
# lines give the median ratio per size over all rounds.
#
#   test/bench/controller/run_controller_bench.sh [build-dir]
#     SIZES="1000 10000" REPS=3 ROUNDS=... PLAIN_WRITERS=32
#     CONTROLLER_ARGS="--status-writers=16"   (flags added to the controller's; default none)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
sizes=${SIZES:-1000 10000}
reps=${REPS:-3}
rounds=${ROUNDS:-}
plain_writers=${PLAIN_WRITERS:-32}
read -r -a controller_args <<<"${CONTROLLER_ARGS:-}"

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
echo "command: $0 $* (SIZES=\"$sizes\" REPS=$reps ROUNDS=${rounds:-auto} PLAIN_WRITERS=$plain_writers CONTROLLER_ARGS=\"${CONTROLLER_ARGS:-}\")"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
out=$work/results.txt
for n in $sizes; do
  r=${rounds:-$((n <= 2000 ? 3 : 1))}
  for rep in $(seq 1 "$reps"); do
    "$root/test/controlplane/stop.sh" "$state" --purge >/dev/null 2>&1 || true
    "$root/test/controlplane/start.sh" "$state" >/dev/null
    # shellcheck disable=SC1091
    source "$state/env"
    "$IRONLB_KUBECTL" apply --server-side -f "$root/crds/" >/dev/null
    echo "---- $n Services, run $rep of $reps (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    order=()
    [ $((rep % 2)) -eq 0 ] && order=(--controller-first)
    "$build/test/bench/controller/controller_bench" --kubeconfig="$KUBECONFIG" \
      --controller="$build/controller/daemon/ironlb-controller" --services="$n" --rounds="$r" \
      --plain-writers="$plain_writers" --work-dir="$work" "${order[@]}" \
      "${controller_args[@]/#/--controller-arg=}" | tee -a "$out"
  done
done
echo "==== medians over every round (write rate: the write phase, start-up excluded; ratio: controller/plain)"
for n in $sizes; do
  awk -v n="$n" '
    function median(v, k,   i, j, t) {
      for (i = 2; i <= k; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    /^services=/ { split($1, kv, "="); cur = kv[2] }
    cur != n { next }
    $1 == "plain" && $3 == "all" && $6 == "|" { pr[++p] = $8; pt[p] = $4; p50[p] = $19; p99[p] = $22 }
    $1 == "controller" && $3 == "all" && $6 == "|" { cr[++c] = $8; ct[c] = $4; c50[c] = $19; c99[c] = $22 }
    $1 == "ratio" { rr[++k] = $5 + 0; ar[k] = $7 + 0 }
    $1 == "CPU" && $2 == "per" { ps[++q] = $9; cs[q] = $12; pc[q] = $16; cc[q] = $19 }
    END {
      if (k == 0) exit
      printf "%d Services, %d rounds: write rate plain %.0f/s, controller %.0f/s: ratio %.2f (min %.2f, max %.2f); all assigned plain %.2f s, controller %.2f s (ratio %.2f); to IP p50/p99 plain %.2f/%.2f s, controller %.2f/%.2f s\n", n, k, median(pr, p), median(cr, c), median(rr, k), min(rr, k), max(rr, k), median(pt, p), median(ct, c), median(ar, k), median(p50, p), median(p99, p), median(c50, c), median(c99, c)
      if (q > 0) printf "  CPU per write (medians): API server + etcd plain %.2f ms, controller %.2f ms; client plain %.2f ms, controller %.2f ms\n", median(ps, q), median(cs, q), median(pc, q), median(cc, q)
    }
    function min(v, k,   i, m) { m = v[1]; for (i = 2; i <= k; i++) if (v[i] < m) m = v[i]; return m }
    function max(v, k,   i, m) { m = v[1]; for (i = 2; i <= k; i++) if (v[i] > m) m = v[i]; return m }
  ' "$out"
done
