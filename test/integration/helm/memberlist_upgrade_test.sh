#!/usr/bin/env bash
# memberlist_upgrade_test.sh REPO_ROOT FIXTURE_STATE WORK_DIR MODE
#
# The memberlist Secret across chart changes, with the real Helm against the shared test
# control plane (docs/membership.md, "The key"). Each release uses a namespace of its own and
# crds.enabled=false (the fixture owns the CRDs).
#   upgrade          a release installed by a chart that rendered the Secret itself (the old
#                    template, old-memberlist-secret.yaml) is upgraded to this chart: the Secret
#                    survives with the same key (Helm would otherwise delete it, the controller
#                    would make a new key and old and new speakers would split), now marked
#                    helm.sh/resource-policy: keep; a second upgrade still keeps it.
#   controller-made  a Secret the controller made (not Helm's) is left alone by install,
#                    upgrade and uninstall: no adoption error, the key unchanged.
set -euo pipefail

root=$1
fixture=$2
work=$3
mode=$4
here=$(cd "$(dirname "$0")" && pwd)
chart=$root/config/helm/ironlb

# shellcheck source=../checks.sh
source "$here/../checks.sh"
# shellcheck disable=SC1091
source "$fixture/env"
kubectl=$IRONLB_KUBECTL
helm=$IRONLB_HELM

mkdir -p "$work"
run=$(mktemp -d "$work/ml.XXXXXX")
suffix=$$-$RANDOM
ns=ironlb-ml-$suffix
rel=ml-$suffix
secret=$rel-memberlist
export HELM_CACHE_HOME=$run/helm/cache HELM_CONFIG_HOME=$run/helm/config HELM_DATA_HOME=$run/helm/data
cleanup() {
  "$helm" uninstall "$rel" -n "$ns" >/dev/null 2>&1 || true
  "$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  # No namespace controller on the test control plane: remove what the release left.
  "$kubectl" delete -n "$ns" secret --all >/dev/null 2>&1 || true
  "$kubectl" delete clusterrole,clusterrolebinding -l "app.kubernetes.io/instance=$rel" >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup EXIT

key_of() { "$kubectl" get secret -n "$ns" "$secret" -o jsonpath='{.data.secretkey}' 2>/dev/null || true; }
keep_of() {
  "$kubectl" get secret -n "$ns" "$secret" \
    -o jsonpath='{.metadata.annotations.helm\.sh/resource-policy}' 2>/dev/null || true
}
release_renders_secret() {  # release_renders_secret yes|no DESCRIPTION
  local got=no
  if "$helm" get manifest "$rel" -n "$ns" | grep -q "^kind: Secret"; then got=yes; fi
  expect_eq "$2" "$got" "$1"
}
helm_do() {  # helm_do DESCRIPTION helm-args... (install/upgrade get the shared fixture's values)
  local what=$1 out extra=()
  shift
  # No admission policy: it would cover every namespace of the shared control plane and
  # reject the metallb.io objects of tests running beside this one.
  case $1 in
    install | upgrade) extra=(--set crds.enabled=false --set admissionPolicy.enabled=false --wait=false) ;;
  esac
  if out=$("$helm" "$@" --namespace "$ns" "${extra[@]}" 2>&1); then
    pass "$what"
  else
    fail "$what: $out"
    finish
    exit 1
  fi
}

case $mode in
  upgrade)
    old=$run/old-chart
    cp -r "$chart" "$old"
    cp "$here/old-memberlist-secret.yaml" "$old/templates/memberlist-secret.yaml"
    helm_do "install with the old chart (Helm renders the key)" install "$rel" "$old" --create-namespace
    key1=$(key_of)
    if [ -n "$key1" ]; then pass "old chart: Helm made Secret $secret"; else fail "old chart made no Secret"; fi
    helm_do "upgrade to this chart" upgrade "$rel" "$chart"
    expect_eq "upgrade keeps the Helm-made Secret and its key" "$(key_of)" "$key1"
    expect_eq "the kept Secret now says helm.sh/resource-policy: keep" "$(keep_of)" keep
    release_renders_secret yes "the release still renders the carried-over Secret"
    helm_do "a second upgrade" upgrade "$rel" "$chart" --set logLevel=debug
    expect_eq "a second upgrade keeps the key" "$(key_of)" "$key1"
    # helm template has no cluster to look up: the carried-over Secret never shows there.
    got=no
    if "$helm" template "$rel" "$chart" --namespace "$ns" | grep -q "^kind: Secret"; then got=yes; fi
    expect_eq "helm template renders no Secret" "$got" no
    helm_do "uninstall" uninstall "$rel"
    expect_eq "uninstall keeps the Secret (resource-policy keep)" "$(key_of)" "$key1"
    ;;
  controller-made)
    "$kubectl" create namespace "$ns" >/dev/null
    # What the controller creates (controller/daemon/memberlist_secret.cc), without its owner.
    "$kubectl" apply -n "$ns" -f - >/dev/null <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $secret
  labels:
    app.kubernetes.io/name: ironlb
    app.kubernetes.io/component: speaker
    app.kubernetes.io/managed-by: ironlb-controller
type: Opaque
stringData:
  secretkey: made-by-the-controller-0123456789abcdef
YAML
    key1=$(key_of)
    helm_do "install next to a controller-made Secret (no adoption error)" install "$rel" "$chart"
    expect_eq "install leaves the controller-made key" "$(key_of)" "$key1"
    release_renders_secret no "the release does not take over the controller-made Secret"
    helm_do "upgrade" upgrade "$rel" "$chart" --set logLevel=debug
    expect_eq "upgrade leaves the controller-made key" "$(key_of)" "$key1"
    helm_do "uninstall" uninstall "$rel"
    expect_eq "uninstall leaves the controller-made Secret to its owner" "$(key_of)" "$key1"
    ;;
  *)
    fail "unknown mode $mode"
    ;;
esac
finish
