#!/usr/bin/env bash
# template_stable_test.sh HELM REPO_ROOT
#
# `helm template` prints the same manifests every time (docs/membership.md, "The key"): the
# chart renders nothing random (the controller makes the memberlist key at run time), so GitOps
# tools that diff rendered manifests see no change between two renders. Checked for the default
# values, the tests' non-default values, a MetalLB chart values file and BGP mode (FRR).
set -euo pipefail
helm=$1
root=$2
chart=$root/config/helm/ironlb
# shellcheck source=../integration/checks.sh
source "$root/test/integration/checks.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export HELM_CACHE_HOME=$out/h HELM_CONFIG_HOME=$out/h HELM_DATA_HOME=$out/h

check() {  # check NAME helm-template-flags...
  local name=$1
  shift
  for i in 1 2; do
    if ! "$helm" template ironlb "$chart" --namespace metallb-system "$@" >"$out/$name.$i" 2>"$out/err"; then
      fail "$name: helm template: $(cat "$out/err")"
      return
    fi
  done
  if cmp -s "$out/$name.1" "$out/$name.2"; then
    pass "$name: two renders are identical ($(wc -l <"$out/$name.1") lines)"
  else
    fail "$name: renders differ: $(diff "$out/$name.1" "$out/$name.2" | head -5)"
  fi
  if grep -q "^kind: Secret" "$out/$name.1"; then
    fail "$name: a Secret is rendered"
  else
    pass "$name: no Secret rendered"
  fi
}
check default
check custom -f "$root/test/integration/helm/custom-values.yaml"
check metallb-values -f "$root/test/chart/metallb-values/full-v0.16.yaml"
check bgp-frr --set speaker.frr.enabled=true
finish
