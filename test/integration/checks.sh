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

# kube_rejected VERB NAMESPACE NAME TEXT YAML: `$kubectl VERB -n NAMESPACE -f -` of the YAML
# fails, and its message contains TEXT (the field path and what is wrong).
kube_rejected() {
  local verb=$1 namespace=$2 name=$3 want=$4 yaml=$5 out
  if out=$("$kubectl" "$verb" -n "$namespace" -f - <<<"$yaml" 2>&1); then
    fail "rejected: $name: the API server accepted it"
  elif grep -qF -- "$want" <<<"$out"; then
    pass "rejected: $name"
  else
    fail "rejected: $name: message lacks [$want]: $out"
  fi
}

# apply_crds ROOT: applies ROOT/crds/ as a cluster admin would (server-side, taking over fields
# other managers set). On failure: a FAIL line, the summary, and status 1.
apply_crds() {
  local out
  if out=$("$kubectl" apply --server-side --force-conflicts --field-manager=ironlb-crds-test \
    -f "$1/crds/" 2>&1); then
    pass "kubectl apply crds/ (structural schemas, CEL rules within the cost budget)"
  else
    fail "kubectl apply crds/: $out"
    finish || true
    return 1
  fi
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
