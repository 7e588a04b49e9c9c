#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine, as root:
#   ./test/run-tests.sh
# installs what it needs, builds four trees and runs every test:
#   build/       Release build: integration (real etcd + kube-apiserver), netns, e2e, image and
#                cluster tests (no unit tests: IRONLB_UNIT_TESTS=OFF, test/build-env.sh)
#   build-asan/  unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   build-fuzz/  libFuzzer targets (clang, RelWithDebInfo), each run briefly on its seed corpus
#   build-arm64/ the two daemons cross-built for arm64, for the arm64 image tests
# plus the clang-format and naming (clang-tidy) checks. Ends with one "N passed, N failed" line
# over everything.
#
# Environment: IRONLB_CACHE (default ~/.cache/ironlb) holds the Go-built control plane and the
# compiler cache, outside the repository. IRONLB_FUZZ_SECONDS overrides fuzz run time.
# CI=true caps each fuzz run at 20 s (IRONLB_FUZZ_MAX_SECONDS; targets asking for less keep it),
# which keeps a warm CI run under 20 minutes; run longer locally with IRONLB_FUZZ_SECONDS.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash test/deps.sh || { echo "deps.sh failed"; echo "0 passed, 1 failed"; exit 1; }

# shellcheck source=build-env.sh
source test/build-env.sh
if [ "${CI:-}" = "true" ]; then
  export IRONLB_FUZZ_MAX_SECONDS=${IRONLB_FUZZ_MAX_SECONDS:-20}
fi

passed=0
failed=0
failures=()
started=$(date +%s)

note() { printf '\n=== %s [%ss]\n' "$*" "$(($(date +%s) - started))"; }
check() {  # check <name> <command...>: one pass/fail entry for a non-ctest step
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}
run_ctest() {  # run_ctest <build-dir> <ctest args...>: adds ctest's counts to the totals
  local dir=$1
  shift
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$log"
  local line total nfail
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    failures+=("ctest in $dir $* (no summary)")
  else
    nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    [ "$nfail" -eq 0 ] || failures+=("ctest in $dir $*: $(grep -E '^\s+[0-9]+ - ' "$log" | tr -s ' ' | tr '\n' ';')")
  fi
  rm -f "$log"
}

note "format check (clang-format)"
check clang-format bash test/check-format.sh

note "release build (CMAKE_BUILD_TYPE=Release, what users and packagers build; no unit tests)"
check "release build" ironlb_configure_build build all "${IRONLB_RELEASE_ARGS[@]}"
note "arm64 cross build of the daemons (the arm64 image, docs/image.md)"
check "arm64 build" ironlb_build_arm64 build-arm64
note "ASan+UBSan build of the unit tests"
check "asan build" ironlb_configure_build build-asan unit_tests "${IRONLB_ASAN_ARGS[@]}"
note "naming check (clang-tidy readability-identifier-naming, .clang-tidy)"
check "naming" python3 test/check-naming.py --build-dir build --build-dir build-asan
note "libFuzzer build (clang)"
check "fuzz build" ironlb_configure_build build-fuzz fuzz_targets "${IRONLB_FUZZ_ARGS[@]}"

if [ -x test/controlplane/build.sh ]; then
  note "test control plane (kube-apiserver, helm, etcd; cached in $IRONLB_CACHE)"
  check "control plane build" test/controlplane/build.sh
fi

note "unit tests (ASan+UBSan: test/unit and the other unit-labelled tests)"
run_ctest build-asan -L unit -j"$(nproc)"
# Tests labelled overlap only talk to an API server (each owns its namespaces, classes and
# cluster-scoped names, or starts a control plane of its own) and assert no timing: two at a
# time. Everything else (network namespaces, the cluster, timing bounds, API server restarts)
# then runs one at a time. docs/development.md, "Test stages".
note "API server tests, two at a time (label overlap)"
run_ctest build -L overlap -j2
note "integration and netns tests, one at a time (real API server, network namespaces, cluster)"
run_ctest build -LE 'unit|overlap'
note "fuzz targets"
# Two at a time: each is bounded by its own run time and keeps one core busy, so on two cores
# this halves the stage's wall time without taking CPU time from any target.
run_ctest build-fuzz -L fuzz -j2

note "done in $(($(date +%s) - started))s"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
