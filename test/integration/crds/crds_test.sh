#!/usr/bin/env bash
# crds_test.sh REPO_ROOT CONTROLPLANE_STATE
#
# The metallb.io CRDs against the real kube-apiserver of the ctest fixture "controlplane":
# applies crds/ with the real kubectl, then table-driven good objects (accepted, defaults filled,
# printer columns shown by `kubectl get`) and bad objects (rejected; the message must name the
# field and say what is wrong). MetalLB-shaped manifests and the users' classic example must
# apply unchanged. The BGP kinds have tests of their own (crds_bgp_test.sh).
#
# Everything namespaced lives in a fresh namespace deleted on exit. The CRDs themselves stay:
# other integration tests apply the very same files, and deleting them under a running test
# would break it.
set -euo pipefail

root=$1
state=$2
# shellcheck disable=SC1091
source "$state/env"
kubectl=$IRONLB_KUBECTL

# shellcheck source=../checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

ns=ironlb-crds-$$-$RANDOM
cleanup() {
  # Objects first: the test control plane has no namespace controller, so a deleted namespace
  # keeps its contents, and other tests listing pools cluster-wide would still see ours.
  "$kubectl" delete -n "$ns" --all --ignore-not-found --wait=false \
    ipaddresspools.metallb.io,l2advertisements.metallb.io,servicel2statuses.metallb.io,configurationstates.metallb.io,bgppeers.metallb.io >/dev/null 2>&1 || true
  "$kubectl" delete namespace "$ns" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  # metallb-system stays: with no namespace controller on the test control plane a deleted
  # namespace is Terminating forever, and other tests (the controller's users' example) need it.
  # The fixture's control plane is thrown away at the end of the run anyway.
}
trap cleanup EXIT

# ---- our CRDs, as any cluster admin would install them
apply_crds "$root" || exit 1
crds=(ipaddresspools.metallb.io l2advertisements.metallb.io servicel2statuses.metallb.io
  configurationstates.metallb.io)
for crd in "${crds[@]}"; do
  if "$kubectl" wait --for=condition=Established "crd/$crd" --timeout=60s >/dev/null; then
    pass "$crd established"
  else
    fail "$crd not established within 60s"
  fi
done
"$kubectl" create namespace "$ns" >/dev/null

# ---- tables ----------------------------------------------------------------------------------

# accepted NAME YAML: the YAML (no namespace) is created in $ns.
accepted() {
  local name=$1 yaml=$2 out
  if out=$("$kubectl" create -n "$ns" -f - <<<"$yaml" 2>&1); then
    pass "accepted: $name"
  else
    fail "accepted: $name: $out"
  fi
}

# rejected NAME TEXT YAML: creating the YAML fails, and the error contains TEXT (the field
# path and what is wrong).
rejected() { kube_rejected create "$ns" "$@"; }

pool() {  # pool NAME SPEC-YAML-FLOW: an IPAddressPool document
  printf 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: %s}\nspec: %s\n' "$1" "$2"
}
adv() {  # adv NAME SPEC-YAML-FLOW: an L2Advertisement document
  printf 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: %s}\nspec: %s\n' "$1" "$2"
}

# Good IPAddressPools: every address form MetalLB accepts.
accepted "IPv4 CIDR" "$(pool g-cidr4 '{addresses: [192.0.2.0/28]}')"
accepted "IPv4 CIDR with host bits (the users' example)" "$(pool g-hostbits '{addresses: [192.168.2.130/28]}')"
accepted "IPv6 CIDR" "$(pool g-cidr6 '{addresses: ["2001:db8::/124"]}')"
accepted "IPv6 CIDR in upper case" "$(pool g-cidr6-upper '{addresses: ["2001:DB8:1::/120"]}')"
accepted "/32 and /128" "$(pool g-host32 '{addresses: [192.0.2.99/32, "2001:db8::99/128"]}')"
accepted "IPv4 range" "$(pool g-range4 '{addresses: [192.0.2.10-192.0.2.20]}')"
accepted "IPv4 range with spaces around -" "$(pool g-range4-spaces '{addresses: ["192.0.2.30 - 192.0.2.40"]}')"
accepted "one-address range" "$(pool g-range1 '{addresses: [192.0.2.5-192.0.2.5]}')"
accepted "IPv6 range" "$(pool g-range6 '{addresses: ["2001:db8::1-2001:db8::ff"]}')"
accepted "IPv4 and IPv6 in one pool" "$(pool g-dual '{addresses: [198.51.100.0/28, "2001:db8:100::/124"]}')"
accepted "every IPAddressPool field" "$(pool g-full '{addresses: [203.0.113.0/24], autoAssign: false, avoidBuggyIPs: true,
  serviceAllocation: {priority: 10, namespaces: [team-a, team-b],
    namespaceSelectors: [{matchLabels: {team: a}}],
    serviceSelectors: [{matchExpressions: [{key: app.kubernetes.io/name, operator: In, values: [web]},
      {key: tier, operator: DoesNotExist}]}]}}')"
accepted "empty serviceAllocation" "$(pool g-empty-alloc '{addresses: [192.0.2.128/28], serviceAllocation: {}}')"

# Good L2Advertisements.
accepted "L2Advertisement without spec (every pool)" \
  "$(printf 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: g-nospec}\n')"
accepted "every L2Advertisement field" "$(adv g-all '{ipAddressPools: [g-cidr4, g-range4], ipAddressPoolSelectors: [{matchLabels: {zone: a}}],
  nodeSelectors: [{matchLabels: {kubernetes.io/hostname: node-a}}, {matchExpressions: [{key: rack, operator: NotIn, values: ["1", "2"]}]}],
  interfaces: [eth0, bond0.100, enp1s0f0np0]}')"
accepted "serviceSelectors (MetalLB since v0.16.0)" "$(adv g-svcsel '{serviceSelectors: [{matchLabels: {expose: l2}}]}')"

# Defaults.
got=$("$kubectl" get ipaddresspool -n "$ns" g-cidr4 -o jsonpath='{.spec.autoAssign}/{.spec.avoidBuggyIPs}' 2>&1 || true)
expect_eq "defaults autoAssign=true avoidBuggyIPs=false" "$got" "true/false"
got=$("$kubectl" get ipaddresspool -n "$ns" g-full -o jsonpath='{.spec.autoAssign}/{.spec.avoidBuggyIPs}' 2>&1 || true)
expect_eq "explicit autoAssign/avoidBuggyIPs kept" "$got" "false/true"

# Printer columns.
header_and_row() {  # header_and_row KIND NAME HEADER-REGEX ROW-REGEX [get flags...]
  local kind=$1 name=$2 header=$3 row=$4 out
  shift 4
  out=$("$kubectl" get "$kind" -n "$ns" "$name" "$@" 2>&1 || true)
  if grep -qE "$header" <<<"$(head -1 <<<"$out")" && grep -qE "$row" <<<"$(tail -1 <<<"$out")"; then
    pass "printer columns: $kind $*"
  else
    fail "printer columns: $kind $*: got
$out"
  fi
}
header_and_row ipaddresspools g-full '^NAME +AUTO ASSIGN +AVOID BUGGY IPS +ADDRESSES' \
  '^g-full +false +true +\["203\.0\.113\.0/24"\]'
header_and_row l2advertisements g-all '^NAME +IPADDRESSPOOLS +IPADDRESSPOOL SELECTORS +INTERFACES *$' \
  '^g-all +\["g-cidr4","g-range4"\] +\[\{"matchLabels":\{"zone":"a"\}\}\] +\["eth0","bond0.100","enp1s0f0np0"\]'
# NODE SELECTORS is a wide column, as in MetalLB (selectors are long).
header_and_row l2advertisements g-all \
  '^NAME +IPADDRESSPOOLS +IPADDRESSPOOL SELECTORS +INTERFACES +NODE SELECTORS' \
  'kubernetes.io/hostname":"node-a"' -o wide

# Bad IPAddressPools: one fault each (schema errors stop CEL rules from running).
# The message says what is wrong with the value, not just that it is wrong (issue 11).
rejected "CIDR prefix too long" 'spec.addresses[0]: Invalid value: "string": "192.0.2.0/33" is not a valid CIDR: the prefix length "33" must be a number from 0 to 32, without leading zeros' "$(pool b-cidr '{addresses: [192.0.2.0/33]}')"
rejected "IPv6 CIDR prefix too long" '"2001:db8::/129" is not a valid CIDR: the prefix length "129" must be a number from 0 to 128' "$(pool b-cidr6 '{addresses: ["2001:db8::/129"]}')"
rejected "garbage" '"nonsense" is neither a CIDR (like 192.0.2.0/28' "$(pool b-garbage '{addresses: [nonsense]}')"
rejected "garbage with a dash (a range, as MetalLB splits it)" 'range "not-an-address": its first address "not" is not an IP address' "$(pool b-garbage-dash '{addresses: [not-an-address]}')"
rejected "IPv4 with a leading zero" '"192.0.2.010/32" is not a valid CIDR: "192.0.2.010" has an IPv4 octet with a leading zero, which Kubernetes rejects as ambiguous (octal or decimal)' "$(pool b-zeros '{addresses: [192.0.2.010/32]}')"
rejected "IPv4 with a leading zero (the issue's)" '"192.168.010.0/24" is not a valid CIDR: "192.168.010.0" has an IPv4 octet with a leading zero' "$(pool b-zeros2 '{addresses: [192.168.010.0/24]}')"
rejected "IPv4-mapped IPv6 CIDR" '"::ffff:192.0.2.0/120" is not a valid CIDR: "::ffff:192.0.2.0" is an IPv4-mapped IPv6 address, which Kubernetes rejects: write the IPv4 form (192.0.2.0/24, not ::ffff:192.0.2.0/120)' "$(pool b-mapped '{addresses: ["::ffff:192.0.2.0/120"]}')"
rejected "IPv4-mapped IPv6 CIDR in hex" '"::ffff:c000:200" is an IPv4-mapped IPv6 address' "$(pool b-mapped-hex '{addresses: ["::ffff:c000:200/120"]}')"
rejected "IPv4 octet out of range" '"192.0.2.256/32" is not a valid CIDR: "192.0.2.256" is not an IPv4 address: it takes four numbers from 0 to 255 separated by dots' "$(pool b-octet '{addresses: [192.0.2.256/32]}')"
rejected "not an address before the slash" '"web/24" is not a valid CIDR: "web" is not an IP address' "$(pool b-word '{addresses: [web/24]}')"
rejected "IPv6 zone" '"fe80::1%eth0" has an IPv6 zone' "$(pool b-zone '{addresses: ["fe80::1%eth0/128"]}')"
rejected "bare address" '"192.0.2.7" is a single address: write it as 192.0.2.7/32 or as a range 192.0.2.7-192.0.2.7' "$(pool b-single '{addresses: [192.0.2.7]}')"
rejected "bare IPv6 address" 'write it as 2001:db8::7/128' "$(pool b-single6 '{addresses: ["2001:db8::7"]}')"
rejected "inverted IPv4 range" 'spec.addresses[0]: Invalid value: "string": range "192.0.2.20-192.0.2.10" is inverted: its first address 192.0.2.20 comes after its last address 192.0.2.10' "$(pool b-inverted '{addresses: [192.0.2.20-192.0.2.10]}')"
rejected "inverted IPv4 range (higher octet decides)" 'is inverted' "$(pool b-inverted-octet '{addresses: [192.0.3.1-192.0.2.255]}')"
rejected "range mixing families" 'range "192.0.2.1-2001:db8::1" mixes IPv4 and IPv6' "$(pool b-mixed '{addresses: ["192.0.2.1-2001:db8::1"]}')"
rejected "range with a bad end" 'range "192.0.2.1-192.0.2.300": its last address "192.0.2.300" is not an IPv4 address: it takes four numbers from 0 to 255 separated by dots' "$(pool b-range-bad-end '{addresses: [192.0.2.1-192.0.2.300]}')"
rejected "range with a leading zero" 'range "192.0.2.01-192.0.2.9": its first address "192.0.2.01" has an IPv4 octet with a leading zero' "$(pool b-range-zero '{addresses: [192.0.2.01-192.0.2.9]}')"
rejected "range of IPv4-mapped addresses" 'its first address "::ffff:192.0.2.1" is an IPv4-mapped IPv6 address' "$(pool b-range-mapped '{addresses: ["::ffff:192.0.2.1-::ffff:192.0.2.9"]}')"
rejected "empty addresses" 'spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items' "$(pool b-empty '{addresses: []}')"
rejected "addresses missing" 'spec.addresses: Required value' "$(pool b-noaddr '{autoAssign: true}')"
rejected "spec missing" 'spec: Required value' \
  "$(printf 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: b-nospec}\n')"
rejected "duplicate address entries" 'spec.addresses[1]: Duplicate value: "192.0.2.0/28"' "$(pool b-dup '{addresses: [192.0.2.0/28, 192.0.2.0/28]}')"
rejected "negative priority" 'spec.serviceAllocation.priority: Invalid value: -1: spec.serviceAllocation.priority in body should be greater than or equal to 0' "$(pool b-prio '{addresses: [192.0.2.0/28], serviceAllocation: {priority: -1}}')"
rejected "bad namespace name" 'spec.serviceAllocation.namespaces[0]: Invalid value: "string": "Team_A" is not a valid namespace name' "$(pool b-ns '{addresses: [192.0.2.0/28], serviceAllocation: {namespaces: [Team_A]}}')"
rejected "duplicate namespaces" 'spec.serviceAllocation.namespaces[1]: Duplicate value: "a"' "$(pool b-ns-dup '{addresses: [192.0.2.0/28], serviceAllocation: {namespaces: [a, a]}}')"
rejected "bad selector operator" 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist"' "$(pool b-op '{addresses: [192.0.2.0/28], serviceAllocation: {serviceSelectors: [{matchExpressions: [{key: app, operator: Equals, values: [x]}]}]}}')"
rejected "In without values" 'spec.serviceAllocation.namespaceSelectors[0].matchExpressions[0].values: Required value: values must not be empty when operator is In (key "team")' "$(pool b-in-novalues '{addresses: [192.0.2.0/28], serviceAllocation: {namespaceSelectors: [{matchExpressions: [{key: team, operator: In}]}]}}')"
rejected "Exists with values" 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values: Invalid value: "object": values must be empty when operator is Exists (key "team")' "$(pool b-exists-values '{addresses: [192.0.2.0/28], serviceAllocation: {serviceSelectors: [{matchExpressions: [{key: team, operator: Exists, values: [a]}]}]}}')"
rejected "bad label key" 'matchExpressions[0].key: Invalid value: "string": "bad key" is not a valid label key' "$(pool b-key '{addresses: [192.0.2.0/28], serviceAllocation: {serviceSelectors: [{matchExpressions: [{key: "bad key", operator: Exists}]}]}}')"
rejected "duplicate selectors" 'spec.serviceAllocation.serviceSelectors[1]: Duplicate value' "$(pool b-sel-dup '{addresses: [192.0.2.0/28], serviceAllocation: {serviceSelectors: [{matchLabels: {a: b}}, {matchLabels: {a: b}}]}}')"
rejected "autoAssign not a boolean" 'spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean' "$(pool b-type-bool '{addresses: [192.0.2.0/28], autoAssign: "yes"}')"
rejected "addresses not a list" 'spec.addresses: Invalid value: "string": spec.addresses in body must be of type array' "$(pool b-type-list '{addresses: 192.0.2.0/28}')"
rejected "priority not an integer" 'spec.serviceAllocation.priority: Invalid value: "string": spec.serviceAllocation.priority in body must be of type integer' "$(pool b-type-int '{addresses: [192.0.2.0/28], serviceAllocation: {priority: high}}')"
rejected "address entry not a string" 'spec.addresses[0]: Invalid value: "integer": spec.addresses[0] in body must be of type string' "$(pool b-type-item '{addresses: [42]}')"

# Unknown fields: kubectl's default (strict server-side field validation) rejects them; with
# validation off the structural schema prunes them and the object is stored without them.
rejected "unknown field (strict validation)" 'unknown field "spec.bogus"' "$(pool b-unknown '{addresses: [192.0.2.0/28], bogus: 1}')"
if out=$("$kubectl" create -n "$ns" --validate=false -f - 2>&1 \
  <<<"$(pool g-pruned '{addresses: [192.0.2.0/28], bogus: 1}')"); then
  pass "unknown field with --validate=false: accepted"
else
  fail "unknown field, --validate=false: $out"
fi
got=$("$kubectl" get ipaddresspool -n "$ns" g-pruned -o json 2>&1 || true)
if grep -q '"addresses"' <<<"$got" && ! grep -q bogus <<<"$got"; then
  pass "unknown field pruned from the stored object"
else
  fail "unknown field not pruned: $got"
fi

# Bad L2Advertisements.
rejected "interface name longer than 15" 'spec.interfaces[0]: Invalid value: "string": interface name "averyveryverylongname0" is too long: Linux interface names have at most 15 characters' "$(adv b-ifname-long '{interfaces: [averyveryverylongname0]}')"
rejected "interface name with /" '"eth0/1" is not a Linux interface name' "$(adv b-ifname-slash '{interfaces: [eth0/1]}')"
rejected "empty interface name" '"" is not a Linux interface name' "$(adv b-ifname-empty '{interfaces: [""]}')"
rejected "duplicate interfaces" 'spec.interfaces[1]: Duplicate value: "eth0"' "$(adv b-if-dup '{interfaces: [eth0, eth0]}')"
rejected "duplicate pool names" 'spec.ipAddressPools[1]: Duplicate value: "a"' "$(adv b-pool-dup '{ipAddressPools: [a, a]}')"
rejected "bad pool name" 'spec.ipAddressPools[0]: Invalid value: "string": "First_Pool" is not a valid pool name' "$(adv b-pool-name '{ipAddressPools: [First_Pool]}')"
rejected "bad node selector operator" 'spec.nodeSelectors[0].matchExpressions[0].operator: Unsupported value: "Gt"' "$(adv b-node-op '{nodeSelectors: [{matchExpressions: [{key: rack, operator: Gt, values: ["1"]}]}]}')"
rejected "NotIn with empty values" 'spec.nodeSelectors[0].matchExpressions[0].values: Required value: values must not be empty when operator is NotIn' "$(adv b-node-notin '{nodeSelectors: [{matchExpressions: [{key: rack, operator: NotIn, values: []}]}]}')"
rejected "duplicate pool selectors" 'spec.ipAddressPoolSelectors[1]: Duplicate value' "$(adv b-poolsel-dup '{ipAddressPoolSelectors: [{matchLabels: {zone: a}}, {matchLabels: {zone: a}}]}')"
rejected "interfaces not a list" 'spec.interfaces: Invalid value: "string": spec.interfaces in body must be of type array' "$(adv b-if-type '{interfaces: eth0}')"

# ---- status subresources
if "$kubectl" patch ipaddresspool -n "$ns" g-dual --subresource=status --type=merge \
  -p '{"status":{"assignedIPv4":1,"assignedIPv6":0,"availableIPv4":15,"availableIPv6":9223372036854775807}}' >/dev/null 2>&1; then
  got=$("$kubectl" get ipaddresspool -n "$ns" g-dual -o jsonpath='{.status.availableIPv6}' 2>&1 || true)
  expect_eq "IPAddressPool status: int64 counters stored" "$got" "9223372036854775807"
else
  fail "IPAddressPool status patch rejected"
fi
if out=$("$kubectl" patch ipaddresspool -n "$ns" g-dual --subresource=status --type=merge \
  -p '{"status":{"assignedIPv4":-1}}' 2>&1); then
  fail "negative status counter accepted"
elif grep -qF 'status.assignedIPv4: Invalid value: -1' <<<"$out"; then
  pass "negative status counter rejected"
else
  fail "negative status counter: $out"
fi
got=$("$kubectl" patch ipaddresspool -n "$ns" g-cidr4 --type=merge -p '{"status":{"assignedIPv4":5}}' \
  -o jsonpath='{.status}' 2>&1 || true)
expect_eq "status ignored on the main resource (subresource enabled)" "$got" ""

accepted "ServiceL2Status" "$(printf 'apiVersion: metallb.io/v1beta1\nkind: ServiceL2Status\nmetadata: {name: l2-abcde, labels: {metallb.io/node: node-a, metallb.io/service-name: web, metallb.io/service-namespace: shop}}\nspec: {}\n')"
if "$kubectl" patch servicel2status -n "$ns" l2-abcde --subresource=status --type=merge \
  -p '{"status":{"node":"node-a","serviceName":"web","serviceNamespace":"shop","interfaces":[{"name":"eth0"}]}}' >/dev/null 2>&1; then
  pass "ServiceL2Status status written"
else
  fail "ServiceL2Status status patch rejected"
fi
header_and_row servicel2statuses l2-abcde '^NAME +ALLOCATED NODE +SERVICE NAME +SERVICE NAMESPACE' \
  '^l2-abcde +node-a +web +shop'
if out=$("$kubectl" patch servicel2status -n "$ns" l2-abcde --subresource=status --type=merge \
  -p '{"status":{"node":"node-b"}}' 2>&1); then
  fail "ServiceL2Status node changed in place"
elif grep -qF 'status.node: Invalid value: "string": Value is immutable' <<<"$out"; then
  pass "ServiceL2Status node is immutable"
else
  fail "ServiceL2Status node change: $out"
fi

# ConfigurationState (docs/custom-resources.md): status only, result from an enum, columns.
accepted "ConfigurationState" "$(printf 'apiVersion: metallb.io/v1beta1\nkind: ConfigurationState\nmetadata: {name: speaker-node-a, labels: {metallb.io/component-type: speaker, metallb.io/node-name: node-a}}\nspec: {}\n')"
if "$kubectl" patch configurationstate -n "$ns" speaker-node-a --subresource=status --type=merge \
  -p '{"status":{"result":"Invalid","lastError":"IPAddressPool x/p: spec.addresses[0]: bad","errorSummary":"1 error in 1 object","conditions":[{"type":"ConfigurationValid","status":"False","reason":"InvalidConfiguration","message":"bad","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}' >/dev/null 2>&1; then
  pass "ConfigurationState status written"
else
  fail "ConfigurationState status patch rejected"
fi
header_and_row configurationstates speaker-node-a \
  '^NAME +RESULT +COMPONENT +NODE +LAST ERROR +AGE' \
  '^speaker-node-a +Invalid +speaker +node-a +IPAddressPool x/p: spec.addresses\[0\]: bad +[0-9]+s'
if out=$("$kubectl" patch configurationstate -n "$ns" speaker-node-a --subresource=status \
  --type=merge -p '{"status":{"result":"Maybe"}}' 2>&1); then
  fail "ConfigurationState result outside the enum accepted"
elif grep -qF 'status.result: Unsupported value: "Maybe"' <<<"$out"; then
  pass "ConfigurationState result outside the enum rejected"
else
  fail "ConfigurationState result Maybe: $out"
fi

# ---- MetalLB compatibility
# Shapes of MetalLB's own configuration samples (our YAML, their field set), in one apply.
accepted "MetalLB sample shapes (pools, advertisements)" "$(sed "s/__NS__/$ns/" <<'EOF'

apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: production
  namespace: __NS__
  labels:
    zone: east
spec:
  addresses:
  - 192.0.2.0/27
  - 192.0.2.64-192.0.2.80
  - 2001:db8:5::/120
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: development
  namespace: __NS__
spec:
  addresses:
  - 203.0.113.100-203.0.113.120
  autoAssign: false
  avoidBuggyIPs: true
  serviceAllocation:
    priority: 50
    namespaces:
    - dev
    namespaceSelectors:
    - matchLabels:
        purpose: test
    serviceSelectors:
    - matchExpressions:
      - key: env
        operator: In
        values:
        - dev
        - qa
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: l2-east
  namespace: __NS__
spec:
  ipAddressPools:
  - production
  ipAddressPoolSelectors:
  - matchExpressions:
    - key: zone
      operator: In
      values:
      - east
  nodeSelectors:
  - matchLabels:
      kubernetes.io/hostname: worker-1
  - matchLabels:
      kubernetes.io/hostname: worker-2
  interfaces:
  - eth0
  - eth1
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: empty
  namespace: __NS__
EOF
)"

# The users' classic example, verbatim (namespace metallb-system). Server-side dry run: the
# server runs every validation and defaulting step but stores nothing, so the shared control
# plane keeps no pool another test could trip over.
if ! "$kubectl" get namespace metallb-system >/dev/null 2>&1; then
  "$kubectl" create namespace metallb-system >/dev/null
fi
if out=$("$kubectl" apply --dry-run=server -f "$root/config/samples/first-pool.yaml" -o yaml 2>&1); then
  if grep -q 'autoAssign: true' <<<"$out" && grep -q '192.168.2.130/28' <<<"$out"; then
    pass "users' example (config/samples/first-pool.yaml) applies verbatim, defaults filled"
  else
    fail "users' example: unexpected result: $out"
  fi
else
  fail "users' example rejected: $out"
fi
if out=$("$kubectl" apply --dry-run=server -f "$root/config/samples/sandbox-pool.yaml" 2>&1); then
  pass "sandbox sample applies"
else
  fail "sandbox sample rejected: $out"
fi
if out=$("$kubectl" apply --dry-run=server -f "$root/config/samples/bgp.yaml" 2>&1); then
  pass "BGP sample (config/samples/bgp.yaml) applies"
else
  fail "BGP sample rejected: $out"
fi

# A MetalLB v1beta1 BGPPeer next to the L2 kinds (the BGP kinds: crds_bgp_test.sh).
if printf 'apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata: {name: peer}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.254}\n' |
  "$kubectl" create -n "$ns" -f - >/dev/null 2>&1 &&
  "$kubectl" get bgppeers,ipaddresspools,l2advertisements -n "$ns" >/dev/null 2>&1; then
  pass "MetalLB v1beta1 BGPPeer next to the L2 kinds"
else
  fail "BGP kinds next to ours"
fi

finish
