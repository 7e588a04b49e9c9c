#!/bin/sh
# Prints every allocator figure: allocate/release (dense /64 and /8, 100,000 live), churn on a
# fragmented layout, start-up restore of 100,000, the brute-force first-free baseline for each,
# heap bytes per assignment for pools from /104 to ::/0, the sharing-key worst case, peak RSS.
# Medians over 5 repetitions. Usage: test/bench/allocator/run_allocator_bench.sh [build-dir]
set -eu
build=${1:-build}
cmake -S "$(dirname "$0")/../../.." -B "$build" -G Ninja >/dev/null
ninja -C "$build" -j2 allocator_bench >/dev/null
exec "$build/test/bench/allocator/allocator_bench" \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_counters_tabular=false
