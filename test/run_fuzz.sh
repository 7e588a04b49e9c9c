#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run_fuzz.sh <binary> <work-corpus> <seconds> [seed-dir]
# IRONLB_FUZZ_SECONDS overrides the time; IRONLB_FUZZ_MAX_SECONDS only caps it (CI: targets that ask
# for less keep their shorter run). Fails when the fuzzer finds a crash, leak or timeout; prints libFuzzer's final stats.
set -euo pipefail
bin=$1 work=$2 seconds=${IRONLB_FUZZ_SECONDS:-$3} seeds=${4:-}
max=${IRONLB_FUZZ_MAX_SECONDS:-}
if [ -n "$max" ] && [ "$seconds" -gt "$max" ]; then seconds=$max; fi
mkdir -p "$work"
artifacts="$work/../$(basename "$bin")-artifacts/"
mkdir -p "$artifacts"
args=("$work")
[ -n "$seeds" ] && [ -d "$seeds" ] && args+=("$seeds")
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts" "${args[@]}"
