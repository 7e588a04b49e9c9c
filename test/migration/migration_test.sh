#!/usr/bin/env bash
# migration_test.sh REPO_ROOT FIXTURE_STATE WORK_DIR CONTROLLER_BINARY SCENARIO
#
# docs/migrating-from-metallb.md, run as written: each step is the body of the guide's code
# block marked `sh migration-step=NAME` (doc_steps.py), run with bash in a directory that
# stands for the user's clone (config/ links to this repository's). See README.md here.
#
# SCENARIO:
#   crds_adopted_objects_kept  the naive install fails with Helm's ownership error; the guide's
#                              steps keep every pool and advertisement (same uids) through the
#                              removal of MetalLB, and ironlb's release ends up owning the CRDs.
#   services_keep_their_ips    after the switch, ironlb's controller (the binary, with the args
#                              of the chart's Deployment) restores the IPs MetalLB assigned; the
#                              guide's verify step finds no difference; a new Service gets a free IP.
#   rollback_keeps_objects     the switch, the controller run, then the guide's rollback: MetalLB's
#                              release owns the CRDs again, objects and IPs kept, no ironlb
#                              finalizer left on the pools.
#   schema_check_names_what_ironlb_refuses
#                              an object stored under MetalLB's schema that ironlb's refuses: the
#                              guide's check names it; switched anyway, the controller waits and
#                              changes nothing; fixed, everything is restored.
#   keep_annotation_stops_upgrade_not_uninstall
#                              the Helm behaviour step 2 relies on, on a throwaway CRD.
#   plain_manifests_objects_kept
#                              MetalLB installed from its manifests: the guide's variant steps,
#                              objects and IPs kept, and its rollback.
#
# MetalLB itself is not available here. Its install state is reproduced with fake-metallb/, a
# chart named metallb whose CRDs are templates of a `crds` subchart as in MetalLB's chart,
# served from a Helm repository on 127.0.0.1 named `metallb` (so `metallb/metallb` in the
# guide resolves), and Service statuses written as MetalLB's controller writes them. A control
# plane of its own (cluster-scoped CRDs, metallb-system, fixed release names); no kubelet, so no
# pod runs: the test runs the controller binary where the guide's Deployment would run it.
set -euo pipefail

root=$1
fixture=$2
work=$3
controller_bin=$4
scenario=$5
here=$(cd "$(dirname "$0")" && pwd)
doc=$root/docs/migrating-from-metallb.md
cp_dir=$root/test/controlplane

# shellcheck source=../integration/checks.sh
source "$root/test/integration/checks.sh"

mkdir -p "$work"
run=$(mktemp -d "$work/$scenario.XXXXXX")
state=$run/controlplane
started=false
repo_pid=
controller_pid=
cleanup() {
  [ -z "$controller_pid" ] || kill "$controller_pid" 2>/dev/null || true
  [ -z "$repo_pid" ] || kill "$repo_pid" 2>/dev/null || true
  if $started; then "$cp_dir/stop.sh" "$state" --purge >/dev/null 2>&1 || true; fi
  rm -rf "$run"
}
trap cleanup EXIT

# shellcheck disable=SC1091
source "$fixture/env" # names the tools; its cluster is not used
start_own_controlplane "$state" "$run/helm" || { finish; exit 1; }
started=true
# The guide says `kubectl` and `helm`: these two, first in PATH.
mkdir -p "$run/bin"
ln -s "$IRONLB_KUBECTL" "$run/bin/kubectl"
ln -s "$IRONLB_HELM" "$run/bin/helm"
export PATH=$run/bin:$PATH

# The user's working directory: a clone's config/ (the chart) and the files the steps write.
user=$run/user
mkdir -p "$user"
ln -s "$root/config" "$user/config"

# step NAME: runs the guide's step NAME in $user; PASS/FAIL with its output on failure.
step() {
  local name=$1 body
  if ! body=$(/usr/bin/python3 "$here/doc_steps.py" "$doc" "$name" 2>&1); then
    fail "guide step $name: $body"
    return 1
  fi
  if (cd "$user" && bash -euo pipefail -c "$body") >"$run/step-$name.log" 2>&1; then
    pass "guide step $name"
    sed 's/^/    | /' "$run/step-$name.log"
  else
    fail "guide step $name failed:
$body
--- output:
$(tail -30 "$run/step-$name.log")"
    return 1
  fi
}
# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or time runs out.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail "$what (not within ${secs}s)"
      return 1
    fi
    kubectl get --raw /readyz >/dev/null 2>&1 || true # a round trip paces the loop
  done
  pass "$what"
}
exists() { kubectl get "$@" >/dev/null 2>&1; }
absent() { ! kubectl get "$@" >/dev/null 2>&1; }
abort() {
  finish || true
  exit 1
}

# ---- MetalLB's chart in a Helm repository named metallb on 127.0.0.1 -----------------------
chart_src=$run/fake-metallb
cp -r "$here/fake-metallb" "$chart_src"
mkdir -p "$chart_src/charts/crds/files"
for f in "$root"/config/helm/ironlb/files/crds/*.yaml; do
  case $(basename "$f") in
    # MetalLB's own forms of these (BGPPeer with its conversion webhook): bgp-crds.yaml.
    metallb.io_bgppeers.yaml | metallb.io_bgpadvertisements.yaml | metallb.io_bfdprofiles.yaml | \
      metallb.io_communities.yaml) continue ;;
  esac
  /usr/bin/python3 "$here/metallb_like_crd.py" "$f" "$chart_src/charts/crds/files/$(basename "$f")"
done
mkdir -p "$run/repo"
helm package "$chart_src" -d "$run/repo" >/dev/null
helm repo index "$run/repo" >/dev/null
/usr/bin/python3 -m http.server 0 --bind 127.0.0.1 --directory "$run/repo" >"$run/repo.log" 2>&1 &
repo_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$run/repo.log" | head -1)
  [ -n "$port" ] && break
  kubectl get --raw /readyz >/dev/null 2>&1 || true
done
[ -n "$port" ] || { fail "chart repository did not start: $(cat "$run/repo.log")"; abort; }
helm repo add metallb "http://127.0.0.1:$port" >/dev/null || { fail "helm repo add"; abort; }

# ---- the cluster as MetalLB left it ----------------------------------------------------------
if [ "$scenario" = plain_manifests_objects_kept ]; then
  # As from MetalLB's manifests (metallb-native.yaml): no Helm release owns anything.
  kubectl create namespace metallb-system >/dev/null
  helm template metallb metallb/metallb -n metallb-system --set nativeManifest=true \
    >"$user/metallb-native.yaml"
  if out=$(kubectl apply -f "$user/metallb-native.yaml" 2>&1); then
    pass "stand-in MetalLB installed from plain manifests"
  else
    fail "kubectl apply metallb-native.yaml: $out"
    abort
  fi
elif out=$(helm install metallb metallb/metallb -n metallb-system --create-namespace \
  -f "$here/metallb-user-values.yaml" 2>&1); then
  pass "stand-in MetalLB release installed (CRDs from its crds subchart)"
  got=$(kubectl get crd ipaddresspools.metallb.io -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}')
  expect_eq "ipaddresspools.metallb.io belongs to the metallb release" "$got" metallb
else
  fail "helm install metallb: $out"
  abort
fi
for crd in ipaddresspools l2advertisements servicel2statuses bgppeers; do
  kubectl wait --for=condition=Established "crd/$crd.metallb.io" --timeout=60s >/dev/null
done
if [ "$scenario" = plain_manifests_objects_kept ]; then
  metallb_workloads=(deployment/controller daemonset/speaker)
else
  metallb_workloads=(deployment/metallb-controller daemonset/metallb-speaker)
fi
if exists -n metallb-system "${metallb_workloads[@]}" && exists validatingwebhookconfiguration metallb-webhook-configuration; then
  pass "MetalLB's controller, speakers and webhook in metallb-system"
else
  fail "MetalLB's workloads missing: $(kubectl get deploy,ds -A -o name)"
fi
kubectl apply -f "$here/metallb-objects.yaml" >/dev/null
kubectl apply -f "$here/services.yaml" >/dev/null
# What MetalLB's controller wrote: the IPs (not the first free ones, so a controller that
# re-allocated instead of restoring would show) and the pool annotation.
metallb_assigned() { # NAME POOL IP...
  local name=$1 pool=$2 ingress="" ip
  shift 2
  for ip in "$@"; do ingress+="${ingress:+,}{\"ip\":\"$ip\",\"ipMode\":\"VIP\"}"; done
  kubectl patch service -n shop "$name" --subresource=status --type=merge \
    -p "{\"status\":{\"loadBalancer\":{\"ingress\":[$ingress]}}}" >/dev/null
  kubectl annotate service -n shop "$name" "metallb.io/ip-allocated-from-pool=$pool" >/dev/null
}
metallb_assigned web production 192.0.2.7
metallb_assigned api production 192.0.2.3
metallb_assigned dns-tcp production 192.0.2.9
metallb_assigned dns-udp production 192.0.2.9
metallb_assigned legacy reserved 198.51.100.5
metallb_assigned dual production 192.0.2.12 2001:db8:1::c
want_ips='shop/api 192.0.2.3
shop/dns-tcp 192.0.2.9
shop/dns-udp 192.0.2.9
shop/dual 192.0.2.12 2001:db8:1::c
shop/legacy 198.51.100.5
shop/web 192.0.2.7'

lb_ips() {
  kubectl get services -A -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}/{.metadata.name} {.status.loadBalancer.ingress[*].ip}{"\n"}{end}' | sort
}
# The pools and advertisement: kind, name, uid and spec (the same objects, unchanged).
objects() {
  kubectl get ipaddresspools.metallb.io,l2advertisements.metallb.io -n metallb-system \
    -o jsonpath='{range .items[*]}{.kind}/{.metadata.name} {.metadata.uid} {.spec}{"\n"}{end}'
}
objects_before=$(objects)
expect_eq "MetalLB's assignments written" "$(lb_ips)" "$want_ips"

# ---- the forward steps -------------------------------------------------------------------------
forward() {
  step check || abort
  if grep -qF "No resources found" "$run/step-check.log"; then
    pass "check: no BGP objects"
  else
    fail "check: $(cat "$run/step-check.log")"
  fi
  step backup || abort
  step backup-helm || abort
  if [ "$(cat "$user/metallb-version.txt")" = 0.16.0 ] && grep -q 'mlBindPort: 7946' "$user/metallb-values.yaml" &&
    grep -q 'name: production' "$user/metallb-objects.yaml"; then
    pass "backup: chart version, values and objects saved"
  else
    fail "backup files: $(head -5 "$user"/metallb-*)"
  fi
  step handover || abort
  step release-crds-from-metallb || abort
  if exists crd/bgppeers.metallb.io && ! helm get manifest metallb -n metallb-system | grep -q '^kind: CustomResourceDefinition'; then
    pass "MetalLB's release holds no CRD any more; all kept, BGP ones too"
  else
    fail "after release-crds-from-metallb: $(kubectl get crd -o name)"
  fi
  step install || abort
  step schema-check || abort
  expect_eq "schema check: ironlb's schema accepts every object" "$(cat "$user/schema-problems.txt")" ""
  step uninstall-metallb || abort
  step remove-bgp-crds || abort
  step start-ironlb || abort
}
# The same for MetalLB installed from its manifests.
forward_manifests() {
  step check || abort
  step backup || abort
  step backup-manifests || abort
  step handover || abort
  step install || abort
  step schema-check || abort
  expect_eq "schema check: ironlb's schema accepts every object" "$(cat "$user/schema-problems.txt")" ""
  step uninstall-metallb-manifests || abort
  step remove-bgp-crds || abort
  step start-ironlb || abort
}

# The controller of the chart's Deployment, run here (no kubelet): its args as rendered, the
# probe/metrics ports moved to free loopback ports, the admin kubeconfig.
start_controller() {
  local args
  args=$(kubectl get deployment -n metallb-system ironlb-controller \
    -o jsonpath='{.spec.template.spec.containers[0].args}') || {
    fail "no ironlb-controller Deployment"
    abort
  }
  read -r mport pport < <(/usr/bin/python3 -c '
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  mapfile -t argv < <(/usr/bin/python3 -c '
import json, sys
for a in json.loads(sys.argv[1]):
    if a.startswith(("--metrics-address=", "--probe-address=")):
        continue
    # What the kubelet expands from the env of the container (fieldRefs of the pod).
    a = a.replace("$(POD_NAMESPACE)", "metallb-system")
    print(a.replace("$(POD_NAME)", "ironlb-controller-migration-test"))' "$args")
  POD_NAMESPACE=metallb-system "$controller_bin" "${argv[@]}" --kubeconfig="$KUBECONFIG" \
    --metrics-address="127.0.0.1:$mport" --probe-address="127.0.0.1:$pport" \
    >"$run/controller.log" 2>&1 &
  controller_pid=$!
  pass "controller started with the Deployment's args: ${argv[*]}"
  [ "${1:-}" != nowait ] || return 0
  wait_for "controller ready (leading, configuration valid, assignments restored)" 60 \
    curl -fsS "http://127.0.0.1:$pport/readyz" || {
    tail -30 "$run/controller.log"
    abort
  }
}
stop_controller() {
  kill "$controller_pid" 2>/dev/null || true
  wait "$controller_pid" 2>/dev/null || true
  controller_pid=
}
# MetalLB's BGP CRDs, which ironlb's chart ships too (docs/bgp.md): handed over and kept.
bgp_crds="bgppeers bgpadvertisements bfdprofiles communities"
has_finalizer() {
  [ "$(kubectl get ipaddresspool -n metallb-system production -o jsonpath='{.metadata.finalizers}')" = '["ironlb.io/pool-protection"]' ]
}

case $scenario in
  crds_adopted_objects_kept)
    # The trap: ironlb's chart next to MetalLB's CRDs.
    if out=$(cd "$user" && helm install ironlb config/helm/ironlb -n metallb-system 2>&1); then
      fail "helm install ironlb succeeded while the metallb release owns the CRDs"
    elif grep -qF 'CustomResourceDefinition "bfdprofiles.metallb.io" in namespace "" exists and cannot be imported into the current release' <<<"$out" &&
      grep -qF 'key "meta.helm.sh/release-name" must equal "ironlb": current value is "metallb"' <<<"$out"; then
      pass "without the guide: helm install ironlb fails with the error the guide quotes"
    else
      fail "naive install: unexpected message: $out"
    fi
    if [ -z "$(helm list -n metallb-system -a -q --filter '^ironlb$')" ]; then
      pass "the failed install left no ironlb release behind"
    else
      fail "a failed ironlb release exists: $(helm list -n metallb-system -a)"
    fi
    forward
    for crd in ipaddresspools l2advertisements servicel2statuses $bgp_crds; do
      got=$(kubectl get crd "$crd.metallb.io" -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}/{.metadata.labels.app\.kubernetes\.io/instance}/{.metadata.annotations.helm\.sh/resource-policy}' 2>&1 || true)
      expect_eq "CRD $crd.metallb.io owned and rendered by the ironlb release, kept on uninstall" "$got" ironlb/ironlb/keep
    done
    # grep without -q reads to the end, so helm never dies of SIGPIPE (pipefail).
    if helm get manifest ironlb -n metallb-system | grep -F 'name: ipaddresspools.metallb.io' >/dev/null; then
      pass "ironlb's release manifest holds the CRDs (a later helm upgrade updates them)"
    else
      fail "ironlb's manifest lacks the CRDs"
    fi
    expect_eq "pools and advertisement: the same objects (uids), specs unchanged" "$(objects)" "$objects_before"
    got=$(kubectl get crd bgppeers.metallb.io -o jsonpath='{.spec.conversion.strategy} {.spec.versions[?(@.storage==true)].name}' 2>&1 || true)
    expect_eq "BGPPeer's CRD is ironlb's: no conversion webhook, v1beta2 stored" "$got" "None v1beta2"
    if [ -z "$(helm list -n metallb-system -a -q --filter '^metallb$')" ] && absent deployment -n metallb-system metallb-controller &&
      absent daemonset -n metallb-system metallb-speaker && absent validatingwebhookconfiguration metallb-webhook-configuration; then
      pass "MetalLB's release, controller, webhook and speakers are gone"
    else
      fail "MetalLB still installed: $(helm list -n metallb-system -a)"
    fi
    if exists deployment -n metallb-system ironlb-controller && exists daemonset -n metallb-system ironlb-speaker; then
      pass "ironlb's controller and speakers are installed"
    else
      fail "ironlb's workloads missing"
    fi
    if grep -qF -- "- crds.validationFailurePolicy: ironlb's webhook takes" "$run/step-install.log"; then
      pass "install notes list the MetalLB values ironlb ignores"
    else
      fail "install notes: $(tail -20 "$run/step-install.log")"
    fi
    expect_eq "Service statuses untouched" "$(lb_ips)" "$want_ips"
    ;;

  services_keep_their_ips)
    forward
    start_controller
    if grep -q 'restored assignments from Service statuses.*restored=6.*failed=0' "$run/controller.log"; then
      pass "controller log: 6 assignments restored, none failed"
    else
      fail "restore log: $(grep -i restor "$run/controller.log" || tail -20 "$run/controller.log")"
    fi
    # The controller has reconciled every Service once the pool status counts them (and the
    # pool carries the finalizer): then the guide's check.
    wait_for "pool status counts MetalLB's assignments" 60 eval \
      '[ "$(kubectl get ipaddresspool -n metallb-system production -o jsonpath="{.status.assignedIPv4}/{.status.assignedIPv6}")" = 4/1 ]'
    wait_for "pool in use carries ironlb's finalizer" 30 has_finalizer
    step verify
    expect_eq "every Service shows the IPs MetalLB assigned" "$(lb_ips)" "$want_ips"
    got=$(kubectl get events -n shop --field-selector reason=ClearAssignment -o name | wc -l)
    expect_eq "no ClearAssignment event" "$got" 0
    got=$(kubectl get service -n shop web -o jsonpath='{.metadata.annotations.metallb\.io/ip-allocated-from-pool}')
    expect_eq "ip-allocated-from-pool kept" "$got" production
    # A positive marker: the controller allocates, and around MetalLB's IPs.
    kubectl create service loadbalancer -n shop fresh --tcp=80:80 >/dev/null
    wait_for "a new Service gets the first free IP (192.0.2.0)" 30 eval \
      '[ "$(kubectl get service -n shop fresh -o jsonpath="{.status.loadBalancer.ingress[0].ip}")" = 192.0.2.0 ]'
    expect_eq "MetalLB's assignments still unchanged" "$(lb_ips | grep -v '^shop/fresh ')" "$want_ips"
    ;;

  rollback_keeps_objects)
    forward
    start_controller
    wait_for "pool in use carries ironlb's finalizer" 60 has_finalizer
    # The rollback's first step removes the controller's Deployment; its stand-in goes too.
    stop_controller
    step rollback-handover || abort
    got=$(kubectl get ipaddresspools -n metallb-system -o jsonpath='{.items[*].metadata.finalizers}')
    expect_eq "no finalizer left on the pools" "$got" ""
    step rollback-install-metallb || abort
    for crd in ipaddresspools l2advertisements servicel2statuses $bgp_crds; do
      got=$(kubectl get crd "$crd.metallb.io" -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}' 2>&1 || true)
      expect_eq "CRD $crd.metallb.io owned by the metallb release again" "$got" metallb
    done
    if helm get manifest metallb -n metallb-system | grep -F 'name: ipaddresspools.metallb.io' >/dev/null &&
      [ "$(kubectl get crd bgppeers.metallb.io -o jsonpath='{.spec.conversion.strategy}')" = Webhook ]; then
      pass "MetalLB's release holds its CRDs again, BGP ones included"
    else
      fail "MetalLB's CRDs after rollback"
    fi
    expect_eq "pools and advertisement: the same objects (uids), specs unchanged" "$(objects)" "$objects_before"
    if [ -z "$(helm list -n metallb-system -a -q --filter '^ironlb$')" ] && absent daemonset -n metallb-system ironlb-speaker; then
      pass "ironlb's release and speakers are gone"
    else
      fail "ironlb still installed: $(helm list -n metallb-system -a)"
    fi
    got=$(kubectl get daemonset -n metallb-system metallb-speaker -o name 2>&1 || true)
    expect_eq "MetalLB's speakers are back" "$got" daemonset.apps/metallb-speaker
    step verify
    expect_eq "every Service still shows its IPs" "$(lb_ips)" "$want_ips"
    ;;

  schema_check_names_what_ironlb_refuses)
    # Stored while MetalLB's schema was in force: a pool named twice (ironlb's schema and
    # configuration refuse it).
    kubectl patch l2advertisement -n metallb-system l2 --type=merge \
      -p '{"spec":{"ipAddressPools":["production","reserved","production"]}}' >/dev/null
    step check || abort
    step backup || abort
    step backup-helm || abort
    step handover || abort
    step release-crds-from-metallb || abort
    step install || abort
    step schema-check || abort
    got=$(cat "$user/schema-problems.txt")
    if grep -qF 'L2Advertisement.metallb.io "l2" is invalid' <<<"$got" &&
      grep -qF 'spec.ipAddressPools[2]: Duplicate value: "production"' <<<"$got" &&
      [ "$(wc -l <<<"$got")" = 1 ]; then
      pass "schema check names the one object ironlb refuses, its field and value"
    else
      fail "schema check: '$got'"
    fi
    # What the check spares: switched anyway, ironlb's controller waits for a valid
    # configuration, says why, and changes no Service.
    step uninstall-metallb || abort
    step remove-bgp-crds || abort
    step start-ironlb || abort
    start_controller nowait
    wait_for "InvalidConfiguration event on the advertisement" 60 eval \
      'kubectl get events -n metallb-system --field-selector reason=InvalidConfiguration,involvedObject.name=l2 -o jsonpath="{.items[*].message}" | grep -q "ipAddressPools"'
    got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pport/readyz" || true)
    expect_eq "controller not ready while the configuration is invalid" "$got" 503
    expect_eq "no Service changed meanwhile" "$(lb_ips)" "$want_ips"
    # The fix the guide describes, then its check again.
    kubectl patch l2advertisement -n metallb-system l2 --type=merge \
      -p '{"spec":{"ipAddressPools":["production","reserved"]}}' >/dev/null
    (cd "$user" && kubectl get -n metallb-system -o yaml ipaddresspools.metallb.io,l2advertisements.metallb.io >metallb-objects.yaml)
    step schema-check || abort
    expect_eq "schema check after the fix: nothing to report" "$(cat "$user/schema-problems.txt")" ""
    wait_for "controller ready once the advertisement is fixed" 60 curl -fsS "http://127.0.0.1:$pport/readyz"
    if grep -q 'restored assignments from Service statuses.*restored=6.*failed=0' "$run/controller.log"; then
      pass "then it restores the 6 assignments, none failed"
    else
      fail "restore log: $(grep -i restor "$run/controller.log" || tail -20 "$run/controller.log")"
    fi
    expect_eq "every Service shows the IPs MetalLB assigned" "$(lb_ips)" "$want_ips"
    ;;

  keep_annotation_stops_upgrade_not_uninstall)
    # The guide's first trap, on a throwaway CRD: helm.sh/resource-policy=keep set on the live
    # object does not stop `helm uninstall` (Helm reads the release's manifest) but does stop
    # `helm upgrade` from deleting what left the chart (Helm reads the live object).
    demo=$run/demo
    mkdir -p "$demo/templates"
    printf 'apiVersion: v2\nname: demo\nversion: 0.1.0\n' >"$demo/Chart.yaml"
    printf 'crd: true\n' >"$demo/values.yaml"
    cat >"$demo/templates/crd.yaml" <<'YAML'
{{- if .Values.crd }}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.migration-test.example.com}
spec:
  group: migration-test.example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
{{- end }}
YAML
    crd=crd/widgets.migration-test.example.com
    helm install demo "$demo" -n default >/dev/null
    kubectl annotate "$crd" helm.sh/resource-policy=keep >/dev/null
    helm uninstall demo -n default >/dev/null
    wait_for "helm uninstall deletes a CRD annotated keep on the live object only" 30 absent "$crd"
    helm install demo "$demo" -n default >/dev/null
    kubectl annotate "$crd" helm.sh/resource-policy=keep >/dev/null
    helm upgrade demo "$demo" -n default --set crd=false >/dev/null
    helm uninstall demo -n default >/dev/null
    # A positive marker first: the release is gone, so every delete Helm meant to make is done.
    if [ -z "$(helm list -n default -a -q --filter '^demo$')" ] && exists "$crd"; then
      pass "helm upgrade that drops it keeps a CRD annotated keep on the live object (and uninstall then leaves it)"
    else
      fail "the CRD annotated keep did not survive the upgrade that dropped it"
    fi
    ;;

  plain_manifests_objects_kept)
    forward_manifests
    for crd in ipaddresspools l2advertisements servicel2statuses $bgp_crds; do
      got=$(kubectl get crd "$crd.metallb.io" -o jsonpath='{.metadata.annotations.meta\.helm\.sh/release-name}/{.metadata.labels.app\.kubernetes\.io/instance}' 2>&1 || true)
      expect_eq "CRD $crd.metallb.io adopted by the ironlb release" "$got" ironlb/ironlb
    done
    expect_eq "pools and advertisement: the same objects (uids), specs unchanged" "$(objects)" "$objects_before"
    if absent deployment -n metallb-system controller && absent daemonset -n metallb-system speaker &&
      absent validatingwebhookconfiguration metallb-webhook-configuration; then
      pass "MetalLB's workloads and webhook are gone"
    else
      fail "MetalLB leftovers: $(kubectl get deploy,ds -n metallb-system -o name; kubectl get crd -o name)"
    fi
    start_controller
    step verify
    expect_eq "every Service shows the IPs MetalLB assigned" "$(lb_ips)" "$want_ips"
    wait_for "pool in use carries ironlb's finalizer" 60 has_finalizer
    stop_controller
    step rollback-handover || abort
    step rollback-install-metallb-manifests || abort
    if exists deployment -n metallb-system controller && exists daemonset -n metallb-system speaker &&
      exists crd/bgppeers.metallb.io && [ -z "$(helm list -n metallb-system -a -q)" ]; then
      pass "rollback: MetalLB's manifests applied again, no Helm release left"
    else
      fail "rollback: $(helm list -n metallb-system -a; kubectl get deploy,ds -n metallb-system -o name)"
    fi
    got=$(kubectl get ipaddresspools -n metallb-system -o jsonpath='{.items[*].metadata.finalizers}')
    expect_eq "rollback: no finalizer left on the pools" "$got" ""
    expect_eq "rollback: the same objects (uids), specs unchanged" "$(objects)" "$objects_before"
    step verify
    expect_eq "rollback: every Service still shows its IPs" "$(lb_ips)" "$want_ips"
    ;;

  *)
    fail "unknown scenario $scenario"
    ;;
esac

finish
