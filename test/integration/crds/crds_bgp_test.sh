#!/usr/bin/env bash
# crds_bgp_test.sh REPO_ROOT CONTROLPLANE_STATE SCENARIO
#
# The BGP-side metallb.io CRDs (crds/generate.py, docs/bgp.md) against the real kube-apiserver
# of the ctest fixture "controlplane", with the real kubectl:
#   metallb_manifests_apply    MetalLB-shaped BGP manifests (every BGPPeer field, passwordSecret,
#                              BFDProfile, Community aliases, BGPAdvertisement attributes) are
#                              accepted in one apply; MetalLB's defaults are filled in.
#   invalid_rejected_with_field  one invalid object per rule: rejected by kubectl apply with a
#                              message naming the field and the value (the inline password one
#                              names the field and says to use passwordSecret, without the value).
#   v1beta1_roundtrip          BGPPeer served as v1beta1 and v1beta2 without a conversion webhook:
#                              written in one, read in the other, nothing lost either way.
# Objects live in a fresh namespace, deleted on exit; the CRDs stay (other tests apply the same).
set -euo pipefail

root=$1
state=$2
scenario=$3
# shellcheck disable=SC1091
source "$state/env"
kubectl=$IRONLB_KUBECTL
# shellcheck source=../checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

ns=ironlb-bgpcrds-$$-$RANDOM
kinds=bgppeers.metallb.io,bgpadvertisements.metallb.io,bfdprofiles.metallb.io,communities.metallb.io,servicebgpstatuses.metallb.io
cleanup() {
  "$kubectl" delete -n "$ns" --all --ignore-not-found --wait=false "$kinds" >/dev/null 2>&1 || true
  "$kubectl" delete namespace "$ns" --wait=false --ignore-not-found >/dev/null 2>&1 || true
}
trap cleanup EXIT

apply_crds "$root" || exit 1
for crd in ${kinds//,/ }; do
  "$kubectl" wait --for=condition=Established "crd/$crd" --timeout=60s >/dev/null ||
    fail "$crd not established within 60s"
done
"$kubectl" create namespace "$ns" >/dev/null

# The object of kind KIND (v1beta1 unless given) named NAME with the SPEC in YAML flow style.
obj() {  # obj APIVERSION KIND NAME SPEC
  printf 'apiVersion: metallb.io/%s\nkind: %s\nmetadata: {name: %s}\nspec: %s\n' "$1" "$2" "$3" "$4"
}
peer() { obj v1beta2 BGPPeer "$1" "$2"; }
get() {  # get KIND NAME JSONPATH
  "$kubectl" get -n "$ns" "$1" "$2" -o "jsonpath=$3" 2>&1 || true
}

metallb_manifests_apply() {
  local out
  if out=$(sed "s/__NS__/$ns/" "$(dirname "${BASH_SOURCE[0]}")/metallb-bgp.yaml" |
    "$kubectl" apply -f - 2>&1); then
    pass "MetalLB BGP manifests applied"
  else
    fail "MetalLB BGP manifests: $out"
    return
  fi
  expect_eq "BGPPeer: every field kept" \
    "$(get bgppeer.v1beta2.metallb.io tor-a '{.spec.myASN} {.spec.peerASN} {.spec.peerAddress} {.spec.sourceAddress} {.spec.peerPort} {.spec.holdTime} {.spec.keepaliveTime} {.spec.connectTime} {.spec.routerID} {.spec.passwordSecret.name} {.spec.passwordSecret.namespace} {.spec.bfdProfile} {.spec.enableGracefulRestart} {.spec.ebgpMultiHop} {.spec.vrf} {.spec.dualStackAddressFamily} {.spec.nodeSelectors[0].matchLabels.rack}')" \
    "64500 64501 192.0.2.254 192.0.2.10 1179 90s 30s 10s 192.0.2.10 tor-a-auth $ns fast true true red true r1"
  expect_eq "BGPPeer defaults as MetalLB's (peerPort 179, disableMP and dualStackAddressFamily false)" \
    "$(get bgppeer tor-b '{.spec.peerPort} {.spec.disableMP} {.spec.dualStackAddressFamily}')" "179 false false"
  expect_eq "BGPPeer with dynamicASN and an interface (unnumbered)" \
    "$(get bgppeer unnumbered '{.spec.dynamicASN} {.spec.interface}')" "external eth1"
  expect_eq "BGPAdvertisement: attributes kept" \
    "$(get bgpadvertisement external '{.spec.aggregationLength} {.spec.aggregationLengthV6} {.spec.localPref} {.spec.communities} {.spec.peers} {.spec.ipAddressPools}')" \
    '24 64 100 ["65535:65282","large:64500:1:2","no-advertise"] ["tor-a","tor-b"] ["production"]'
  expect_eq "BGPAdvertisement defaults as MetalLB's (32, 128)" \
    "$(get bgpadvertisement local '{.spec.aggregationLength} {.spec.aggregationLengthV6}')" "32 128"
  expect_eq "BFDProfile kept" \
    "$(get bfdprofile fast '{.spec.receiveInterval} {.spec.transmitInterval} {.spec.detectMultiplier} {.spec.echoInterval} {.spec.echoMode} {.spec.passiveMode} {.spec.minimumTtl}')" \
    "100 100 3 50 false false 254"
  expect_eq "Community aliases kept" \
    "$(get community aliases '{.spec.communities[*].name}')" "no-advertise big"
  local hdr
  # The whole output, then its first line: `| head -1` under pipefail fails the test whenever
  # kubectl is still writing when head exits (SIGPIPE).
  hdr=$("$kubectl" get bgppeers -n "$ns" tor-a 2>&1 || true)
  hdr=${hdr%%$'\n'*}
  if grep -qE '^NAME +ADDRESS +ASN +BFD PROFILE +MULTI HOPS' <<<"$hdr"; then
    pass "BGPPeer printer columns as MetalLB's"
  else
    fail "BGPPeer printer columns: $hdr"
  fi
  hdr=$("$kubectl" get bfdprofiles -n "$ns" fast 2>&1 || true)
  hdr=${hdr%%$'\n'*}
  if grep -qE '^NAME +PASSIVE MODE +TRANSMIT INTERVAL +RECEIVE INTERVAL +MULTIPLIER' <<<"$hdr"; then
    pass "BFDProfile printer columns as MetalLB's"
  else
    fail "BFDProfile printer columns: $hdr"
  fi
  # ServiceBGPStatus: written by speakers through the status subresource.
  if obj v1beta1 ServiceBGPStatus web-abcde '{}' | "$kubectl" create -n "$ns" -f - >/dev/null 2>&1 &&
    "$kubectl" patch servicebgpstatus -n "$ns" web-abcde --subresource=status --type=merge \
      -p '{"status":{"node":"node-a","serviceName":"web","serviceNamespace":"shop","peers":["tor-a","tor-b"]}}' >/dev/null 2>&1; then
    expect_eq "ServiceBGPStatus status written" "$(get servicebgpstatus web-abcde '{.status.node} {.status.peers}')" 'node-a ["tor-a","tor-b"]'
  else
    fail "ServiceBGPStatus create/status patch"
  fi
  if out=$("$kubectl" patch servicebgpstatus -n "$ns" web-abcde --subresource=status --type=merge \
    -p '{"status":{"node":"node-b"}}' 2>&1); then
    fail "ServiceBGPStatus node changed in place"
  elif grep -qF 'status.node: Invalid value: "string": Value is immutable' <<<"$out"; then
    pass "ServiceBGPStatus node is immutable"
  else
    fail "ServiceBGPStatus node change: $out"
  fi
}

# rejected NAME TEXT YAML: kubectl apply fails, and its message contains TEXT.
rejected() { kube_rejected apply "$ns" "$@"; }

invalid_rejected_with_field() {
  local base='myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.254'
  local out
  rejected "inline password" 'spec.password: Invalid value: "string": inline passwords are not accepted (anyone who can read BGPPeers could read it); store it in a Secret of type kubernetes.io/basic-auth with key "password"' \
    "$(peer b-password "{$base, password: s3cr3t-value}")"
  out=$("$kubectl" apply -n "$ns" -f - <<<"$(peer b-password "{$base, password: s3cr3t-value}")" 2>&1 || true)
  if grep -qF 's3cr3t-value' <<<"$out"; then fail "the inline password is repeated: $out"; else pass "the inline password is not repeated"; fi
  rejected "neither peerASN nor dynamicASN" 'spec.peerASN: Required value: set either spec.peerASN or spec.dynamicASN' \
    "$(peer b-noasn '{myASN: 64500, peerAddress: 192.0.2.254}')"
  rejected "peerASN and dynamicASN" 'spec.peerASN: Invalid value: "object": cannot be set together with spec.dynamicASN "external"' \
    "$(peer b-bothasn "{$base, dynamicASN: external}")"
  rejected "dynamicASN not internal/external" 'spec.dynamicASN: Unsupported value: "ibgp"' \
    "$(peer b-dynasn '{myASN: 64500, dynamicASN: ibgp, peerAddress: 192.0.2.254}')"
  rejected "myASN 0" 'spec.myASN: Invalid value: 0: spec.myASN in body should be greater than or equal to 1' \
    "$(peer b-myasn0 '{myASN: 0, peerASN: 64501, peerAddress: 192.0.2.254}')"
  rejected "peerASN above 4294967295" 'spec.peerASN: Invalid value: 4294967296: spec.peerASN in body should be less than or equal to 4294967295' \
    "$(peer b-peerasn-big '{myASN: 64500, peerASN: 4294967296, peerAddress: 192.0.2.254}')"
  rejected "neither peerAddress nor interface" 'spec.peerAddress: Invalid value: "object": set either spec.peerAddress or spec.interface' \
    "$(peer b-noaddr '{myASN: 64500, peerASN: 64501}')"
  rejected "peerAddress and interface" 'spec.peerAddress: Invalid value: "object": peerAddress "192.0.2.254" cannot be set together with spec.interface "eth0"' \
    "$(peer b-addr-if "{$base, interface: eth0}")"
  rejected "peerAddress not an IP" 'spec.peerAddress: Invalid value: "string": "tor-a.example" is not an IP address' \
    "$(peer b-addr '{myASN: 64500, peerASN: 64501, peerAddress: tor-a.example}')"
  rejected "interface too long" 'spec.interface: Invalid value: "string": interface name "averyveryverylongname0" is too long' \
    "$(peer b-iflong '{myASN: 64500, peerASN: 64501, interface: averyveryverylongname0}')"
  rejected "sourceAddress of the other family" "spec.sourceAddress: Invalid value: \"object\": \"2001:db8::1\" is not of the peer address's family (192.0.2.254)" \
    "$(peer b-srcfam "{$base, sourceAddress: \"2001:db8::1\"}")"
  rejected "routerID not IPv4" 'spec.routerID: Invalid value: "string": "2001:db8::1" is not a router ID (an IPv4 address' \
    "$(peer b-rid "{$base, routerID: \"2001:db8::1\"}")"
  rejected "peerPort 0" 'spec.peerPort: Invalid value: 0: spec.peerPort in body should be greater than or equal to 1' \
    "$(peer b-port0 "{$base, peerPort: 0}")"
  rejected "peerPort above 16384" 'spec.peerPort: Invalid value: 16385: spec.peerPort in body should be less than or equal to 16384' \
    "$(peer b-portbig "{$base, peerPort: 16385}")"
  rejected "holdTime 2s" 'spec.holdTime: Invalid value: "string": "2s" is too short: a hold time is 0 (no keepalives) or at least 3s (RFC 4271)' \
    "$(peer b-hold2 "{$base, holdTime: 2s}")"
  rejected "holdTime not whole seconds" 'spec.holdTime: Invalid value: "string": "1500ms" is not a whole number of seconds (BGP timers are)' \
    "$(peer b-holdms "{$base, holdTime: 1500ms}")"
  rejected "holdTime above 65535s" 'spec.holdTime: Invalid value: "string": "20h" is out of range 0s-65535s' \
    "$(peer b-holdbig "{$base, holdTime: 20h}")"
  rejected "holdTime not a duration" 'spec.holdTime: Invalid value: "string": "90" is not a duration (like 90s or 1m30s)' \
    "$(peer b-holdfmt "{$base, holdTime: \"90\"}")"
  rejected "keepaliveTime not below holdTime" 'spec.keepaliveTime: Invalid value: "object": "30s" must be shorter than the hold time ("30s")' \
    "$(peer b-keep "{$base, holdTime: 30s, keepaliveTime: 30s}")"
  rejected "keepaliveTime not below the default hold time" 'spec.keepaliveTime: Invalid value: "object": "2m" must be shorter than the hold time (90s, the default)' \
    "$(peer b-keepdef "{$base, keepaliveTime: 2m}")"
  rejected "connectTime 0" 'spec.connectTime: Invalid value: "string": "0s" is out of range 1s-65535s' \
    "$(peer b-connect0 "{$base, connectTime: 0s}")"
  rejected "disableMP with dualStackAddressFamily" 'spec.dualStackAddressFamily: Invalid value: "object": cannot be set together with spec.disableMP' \
    "$(peer b-mp "{$base, disableMP: true, dualStackAddressFamily: true}")"
  rejected "ebgpMultiHop on an iBGP peer" 'spec.ebgpMultiHop: Invalid value: "object": set for an iBGP peer (peerASN equals myASN)' \
    "$(peer b-ibgp-mh '{myASN: 64500, peerASN: 64500, peerAddress: 192.0.2.254, ebgpMultiHop: true}')"
  rejected "passwordSecret with a bad name" 'spec.passwordSecret.name: Invalid value: "string": "Tor_A" is not a valid Secret name' \
    "$(peer b-secret "{$base, passwordSecret: {name: Tor_A}}")"
  rejected "vrf name with /" 'spec.vrf: Invalid value: "string": "red/1" is not a Linux interface name' \
    "$(peer b-vrf "{$base, vrf: red/1}")"
  rejected "bad node selector operator" 'spec.nodeSelectors[0].matchExpressions[0].operator: Unsupported value: "Gt"' \
    "$(peer b-nodesel "{$base, nodeSelectors: [{matchExpressions: [{key: rack, operator: Gt, values: [\"1\"]}]}]}")"

  local adv=BGPAdvertisement
  rejected "aggregationLength 33" 'spec.aggregationLength: Invalid value: 33: spec.aggregationLength in body should be less than or equal to 32' \
    "$(obj v1beta1 $adv b-agg '{aggregationLength: 33}')"
  rejected "aggregationLength 0" 'spec.aggregationLength: Invalid value: 0: spec.aggregationLength in body should be greater than or equal to 1' \
    "$(obj v1beta1 $adv b-agg0 '{aggregationLength: 0}')"
  rejected "aggregationLengthV6 129" 'spec.aggregationLengthV6: Invalid value: 129: spec.aggregationLengthV6 in body should be less than or equal to 128' \
    "$(obj v1beta1 $adv b-agg6 '{aggregationLengthV6: 129}')"
  rejected "localPref above 4294967295" 'spec.localPref: Invalid value: 4294967296: spec.localPref in body should be less than or equal to 4294967295' \
    "$(obj v1beta1 $adv b-lp '{localPref: 4294967296}')"
  rejected "community part above 65535" 'spec.communities[0]: Invalid value: "string": "65000:70000" is neither a community nor the name of a Community alias: a community is A:B (each 0-65535)' \
    "$(obj v1beta1 $adv b-comm '{communities: ["65000:70000"]}')"
  rejected "malformed large community" 'spec.communities[0]: Invalid value: "string": "large:1:2" is neither a community nor the name of a Community alias' \
    "$(obj v1beta1 $adv b-large '{communities: ["large:1:2"]}')"
  rejected "large community part above 4294967295" '"large:1:2:4294967296" is neither a community' \
    "$(obj v1beta1 $adv b-large-big '{communities: ["large:1:2:4294967296"]}')"
  rejected "duplicate community" 'spec.communities[1]: Duplicate value: "65000:1"' \
    "$(obj v1beta1 $adv b-comm-dup '{communities: ["65000:1", "65000:1"]}')"
  rejected "bad peer name" 'spec.peers[0]: Invalid value: "string": "Tor_A" is not a valid BGPPeer name' \
    "$(obj v1beta1 $adv b-peer '{peers: [Tor_A]}')"

  rejected "BFD receiveInterval 5" 'spec.receiveInterval: Invalid value: 5: spec.receiveInterval in body should be greater than or equal to 10' \
    "$(obj v1beta1 BFDProfile b-bfd-rx '{receiveInterval: 5}')"
  rejected "BFD detectMultiplier 1" 'spec.detectMultiplier: Invalid value: 1: spec.detectMultiplier in body should be greater than or equal to 2' \
    "$(obj v1beta1 BFDProfile b-bfd-mult '{detectMultiplier: 1}')"
  rejected "BFD minimumTtl 255" 'spec.minimumTtl: Invalid value: 255: spec.minimumTtl in body should be less than or equal to 254' \
    "$(obj v1beta1 BFDProfile b-bfd-ttl '{minimumTtl: 255}')"
  rejected "BFD echoInterval 60001" 'spec.echoInterval: Invalid value: 60001: spec.echoInterval in body should be less than or equal to 60000' \
    "$(obj v1beta1 BFDProfile b-bfd-echo '{echoInterval: 60001}')"

  rejected "Community alias named like a value" 'spec.communities[0].name: Invalid value: "string": "65000:1" is itself a community value (or written like one), not a name' \
    "$(obj v1beta1 Community b-alias-name '{communities: [{name: "65000:1", value: "65000:2"}]}')"
  rejected "Community alias with a bad value" 'spec.communities[0].value: Invalid value: "string": "65000:x" is not a community: a community is A:B (each 0-65535) or large:A:B:C' \
    "$(obj v1beta1 Community b-alias-value '{communities: [{name: x, value: "65000:x"}]}')"
  rejected "Community alias defined twice in one object" 'spec.communities[1]: Duplicate value: map[string]interface {}{"name":"x"}' \
    "$(obj v1beta1 Community b-alias-dup '{communities: [{name: x, value: "65000:1"}, {name: x, value: "65000:2"}]}')"

  # Positive marker: the same table's base objects are accepted, so the rejections above are
  # the faults', not the base's.
  if peer g-base "{$base}" | "$kubectl" apply -n "$ns" -f - >/dev/null 2>&1; then
    pass "the base BGPPeer of the table is accepted"
  else
    fail "the base BGPPeer is rejected"
  fi
}

v1beta1_roundtrip() {
  local out
  # Written as v1beta1 (MetalLB's v1beta1 fields, its NodeSelector shape), read as both.
  if out=$(obj v1beta1 BGPPeer old '{myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.254, sourceAddress: 192.0.2.10, peerPort: 1179, holdTime: 90s, keepaliveTime: 30s, routerID: 192.0.2.10, nodeSelectors: [{matchLabels: {rack: r1}, matchExpressions: [{key: zone, operator: In, values: [a, b]}]}], bfdProfile: fast, ebgpMultiHop: true}' |
    "$kubectl" apply -n "$ns" -f - 2>&1); then
    pass "v1beta1 BGPPeer (MetalLB's v1beta1 fields) accepted"
  else
    fail "v1beta1 BGPPeer: $out"
    return
  fi
  local v1 v2
  v1=$(get bgppeers.v1beta1.metallb.io old '{.apiVersion} {.spec}')
  v2=$(get bgppeers.v1beta2.metallb.io old '{.apiVersion} {.spec}')
  expect_eq "written as v1beta1: the same spec read as v1beta1 and v1beta2" "${v1#* }" "${v2#* }"
  expect_eq "read as v1beta1 then v1beta2: apiVersion follows the request" "${v1%% *} ${v2%% *}" "metallb.io/v1beta1 metallb.io/v1beta2"
  # Written as v1beta2 with fields MetalLB's v1beta1 lacks: read, updated and read back as
  # v1beta1 without losing them.
  peer new '{myASN: 64500, dynamicASN: internal, interface: eth1, connectTime: 5s, passwordSecret: {name: tor-auth}, enableGracefulRestart: true, vrf: red, dualStackAddressFamily: true}' |
    "$kubectl" apply -n "$ns" -f - >/dev/null
  v2=$(get bgppeers.v1beta2.metallb.io new '{.spec}')
  if out=$("$kubectl" get -n "$ns" bgppeers.v1beta1.metallb.io new -o json 2>&1 |
    "$kubectl" label --local -f - -o json touched=yes 2>&1 | "$kubectl" replace -f - 2>&1); then
    pass "v1beta2-only fields: read and written back as v1beta1"
  else
    fail "v1beta1 read-modify-write: $out"
  fi
  expect_eq "v1beta2-only fields survive a v1beta1 read-modify-write" "$(get bgppeers.v1beta2.metallb.io new '{.spec}')" "$v2"
  expect_eq "the v1beta1 write took effect" "$(get bgppeers.v1beta2.metallb.io new '{.metadata.labels.touched}')" yes
  # The v1beta1 schema is v1beta2's: its rules apply to v1beta1 writes too.
  if out=$(obj v1beta1 BGPPeer old-pw '{myASN: 64500, peerASN: 64501, peerAddress: 192.0.2.254, password: x}' |
    "$kubectl" apply -n "$ns" -f - 2>&1); then
    fail "v1beta1 BGPPeer with an inline password accepted"
  elif grep -qF 'spec.password: Invalid value: "string": inline passwords are not accepted' <<<"$out"; then
    pass "v1beta1 writes are validated as v1beta2's"
  else
    fail "v1beta1 inline password: $out"
  fi
  expect_eq "BGPPeer conversion strategy" "$("$kubectl" get crd bgppeers.metallb.io -o jsonpath='{.spec.conversion.strategy} {.spec.versions[*].name} {.spec.versions[?(@.storage==true)].name}')" "None v1beta1 v1beta2 v1beta2"
}

case $scenario in
  metallb_manifests_apply) metallb_manifests_apply ;;
  invalid_rejected_with_field) invalid_rejected_with_field ;;
  v1beta1_roundtrip) v1beta1_roundtrip ;;
  *) fail "unknown scenario $scenario" ;;
esac
finish
