#!/usr/bin/env bash
# Sourced by the shell integration tests (crds, helm): one PASS/FAIL line per check, counted,
# and the closing "N passed, N failed" line whose status is the test's result.

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  echo "PASS: $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}
expect_eq() {  # expect_eq NAME GOT WANT
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
finish() {  # prints the summary; succeeds only when nothing failed
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# start_own_controlplane STATE_DIR HELM_HOME: starts a control plane of the test's own in
# STATE_DIR (test/controlplane/start.sh; for tests that change cluster-scoped objects), sources
# its env (KUBECONFIG, IRONLB_KUBECTL, IRONLB_HELM, ...) and keeps Helm's state in HELM_HOME.
# On failure: a FAIL line with the end of the start log, and status 1.
start_own_controlplane() {
  local state=$1 helm_home=$2
  local cp_dir
  cp_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../controlplane" && pwd)
  if ! "$cp_dir/start.sh" "$state" >"$state.start.log" 2>&1; then
    fail "control plane did not start: $(tail -20 "$state.start.log")"
    return 1
  fi
  # shellcheck disable=SC1091
  source "$state/env"
  export HELM_CACHE_HOME=$helm_home/cache HELM_CONFIG_HOME=$helm_home/config \
    HELM_DATA_HOME=$helm_home/data
}
