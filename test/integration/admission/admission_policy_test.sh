#!/usr/bin/env bash
# admission_policy_test.sh REPO_ROOT FIXTURE_STATE
#
# The chart's ValidatingAdmissionPolicy (docs/custom-resources.md) on the real kube-apiserver of the
# test control plane, with the real Helm and kubectl: rendered with `helm template` for a
# release in namespace A, applied, then
#   * an IPAddressPool (and an L2Advertisement) in namespace B is rejected, the message naming A;
#   * the same objects in A are accepted;
#   * a pool made in B before the policy stays, cannot be updated, and can be deleted.
# The policy is applied as rendered; only its binding is narrowed (matchResources
# namespaceSelector on a label of this run's two namespaces) so the suites running next to
# this one on the shared control plane are not affected. Everything is removed on exit.
set -euo pipefail

root=$1
fixture=$2
# shellcheck disable=SC1091
source "$fixture/env"
# shellcheck source=../checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"
# shellcheck source=../../controlplane/lib.sh
source "$root/test/controlplane/lib.sh" >/dev/null 2>&1
helm=${IRONLB_HELM:-$HELM_BIN_DIR/helm}
kubectl=$IRONLB_KUBECTL

run=adm-$$
ns_a=$run-install
ns_b=$run-elsewhere
work=$(mktemp -d)
cleanup() {
  if [ -s "$work/policy.yaml" ]; then
    "$kubectl" delete -f "$work/policy.yaml" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  for ns in "$ns_a" "$ns_b"; do
    "$kubectl" delete ipaddresspools.metallb.io,l2advertisements.metallb.io --all -n "$ns" \
      --ignore-not-found --wait=false >/dev/null 2>&1 || true
    "$kubectl" delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

"$kubectl" apply --server-side --force-conflicts --field-manager=ironlb-admission-it \
  -f "$root/crds/" >/dev/null
"$kubectl" wait --for=condition=Established --timeout=60s \
  crd/ipaddresspools.metallb.io crd/l2advertisements.metallb.io >/dev/null
for ns in "$ns_a" "$ns_b"; do
  "$kubectl" create namespace "$ns" >/dev/null
  "$kubectl" label namespace "$ns" "ironlb.test/admission=$run" >/dev/null
done

pool() {  # pool NAME NS ADDRESS
  printf 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  addresses: ["%s"]\n' "$1" "$2" "$3"
}
# A pool left in another namespace before the policy exists (e.g. from before the install).
pool before "$ns_b" 198.51.100.0/28 | "$kubectl" apply -f - >/dev/null

"$helm" template ironlb "$root/config/helm/ironlb" -n "$ns_a" \
  --show-only templates/admission-policy.yaml >"$work/rendered.yaml"
kinds=$(grep -c '^kind: ValidatingAdmissionPolicy' "$work/rendered.yaml" || true)
expect_eq "the chart renders a policy and a binding" "$kinds" 2
# Narrow the binding to this run's namespaces (the policy stays as rendered).
/usr/bin/python3 - "$work/rendered.yaml" "$run" >"$work/policy.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    if d["kind"] == "ValidatingAdmissionPolicyBinding":
        d["spec"]["matchResources"] = {"namespaceSelector": {
            "matchLabels": {"ironlb.test/admission": sys.argv[2]}}}
print(yaml.safe_dump_all(docs))
PY
"$kubectl" apply -f "$work/policy.yaml" >/dev/null

# The API server loads a new policy asynchronously: wait (server-side dry runs, which go
# through admission and store nothing) until it rejects, with a deadline.
active=false
for _ in $(seq 1 100); do
  if ! pool probe "$ns_b" 192.0.2.0/28 | "$kubectl" create --dry-run=server -f - >/dev/null 2>&1; then
    active=true
    break
  fi
  sleep 0.2  # polling the API server for the policy to load, bounded by the loop count
done
expect_eq "the policy takes effect within 20 s" "$active" true

out=$(pool outside "$ns_b" 192.0.2.0/28 | "$kubectl" apply -f - 2>&1) && rc=0 || rc=$?
expect_eq "a pool in another namespace is rejected" "$rc" 1
want="ironlb reads metallb.io objects only in namespace \"$ns_a\": this IPAddressPool in namespace \"$ns_b\" would never be used; create it in \"$ns_a\""
if [[ $out == *"$want"* ]]; then pass "the rejection names the namespace ironlb reads"; else
  fail "rejection message: got '$out', want it to contain '$want'"; fi
if "$kubectl" get ipaddresspool outside -n "$ns_b" >/dev/null 2>&1; then
  fail "the rejected pool was stored"; else pass "the rejected pool was not stored"; fi

out=$(printf 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: l2\n  namespace: %s\n' "$ns_b" |
  "$kubectl" apply -f - 2>&1) && rc=0 || rc=$?
expect_eq "an L2Advertisement in another namespace is rejected" "$rc" 1
if [[ $out == *"this L2Advertisement in namespace \"$ns_b\""* ]]; then
  pass "the message names the kind"; else fail "L2Advertisement message: '$out'"; fi

out=$(pool inside "$ns_a" 192.0.2.0/28 | "$kubectl" apply -f - 2>&1) && rc=0 || rc=$?
expect_eq "a pool in the install namespace is accepted ($out)" "$rc" 0
out=$(pool inside "$ns_a" 192.0.2.0/27 | "$kubectl" apply -f - 2>&1) && rc=0 || rc=$?
expect_eq "and can be updated ($out)" "$rc" 0

# The pool from before the policy: still there, cannot be changed, can be deleted.
if "$kubectl" get ipaddresspool before -n "$ns_b" >/dev/null 2>&1; then
  pass "a pool from before the policy stays"; else fail "the earlier pool is gone"; fi
out=$(pool before "$ns_b" 198.51.100.0/27 | "$kubectl" apply -f - 2>&1) && rc=0 || rc=$?
expect_eq "updating the earlier pool is rejected ($out)" "$rc" 1
out=$("$kubectl" delete ipaddresspool before -n "$ns_b" 2>&1) && rc=0 || rc=$?
expect_eq "deleting it is not blocked ($out)" "$rc" 0

# admissionPolicy.enabled=false renders nothing; allowedNamespaces widens the list.
none=$("$helm" template ironlb "$root/config/helm/ironlb" -n "$ns_a" \
  --set admissionPolicy.enabled=false | grep -c '^kind: ValidatingAdmissionPolicy' || true)
expect_eq "admissionPolicy.enabled=false renders no policy" "$none" 0
wide=$("$helm" template ironlb "$root/config/helm/ironlb" -n "$ns_a" \
  --set "admissionPolicy.allowedNamespaces={other}" --show-only templates/admission-policy.yaml)
if [[ $wide == *"only in namespaces \\\"$ns_a\\\", \\\"other\\\""* ]]; then
  pass "allowedNamespaces are listed"; else fail "allowedNamespaces: $wide"; fi

finish
