#!/usr/bin/env bash
# helm_test.sh REPO_ROOT FIXTURE_STATE WORK_DIR
#
# The ironlb Helm chart, with the real Helm and kubectl:
#   1. helm lint (default values, non-default values, a value the schema refuses);
#   2. helm template with default and non-default values, checked object by object
#      (render_checks.py: RBAC rules, capabilities, hostNetwork, values wiring);
#   3. against a real kube-apiserver of its own (test/controlplane/start.sh in WORK_DIR):
#      helm install (--wait=false: there is no kubelet, pods never start, so the test asserts
#      the objects), a MetalLB chart values file through a server-side dry run (objects
#      accepted, notes list the ignored keys), an RBAC matrix with `kubectl auth can-i
#      --as=system:serviceaccount:...`, helm upgrade, a second
#      release next to the first, helm uninstall, then the plain manifests
#      (config/manifests/ironlb.yaml) into metallb-system with the users' example applied
#      verbatim.
#
# Why a control plane of its own rather than the shared fixture: the release owns the
# cluster-scoped CRDs (Helm refuses to adopt CRDs that another test applied with kubectl), and
# the plain manifests need the metallb-system namespace to itself. The fixture is still
# required so that build.sh has run (two concurrent builds into one cache would race).
set -euo pipefail

root=$1
fixture=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)
chart=$root/config/helm/ironlb
cp_dir=$root/test/controlplane

# shellcheck source=../checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

mkdir -p "$work"
run=$(mktemp -d "$work/run.XXXXXX")
state=$run/controlplane
started=false
cleanup() {
  if $started; then
    "$cp_dir/stop.sh" "$state" --purge >/dev/null 2>&1 || true
  fi
  rm -rf "$run"
}
trap cleanup EXIT

# The fixture's env names the tools (helm, kubectl); its cluster is not used.
# shellcheck disable=SC1091
source "$fixture/env"
helm=$IRONLB_HELM
unset KUBECONFIG
export HELM_CACHE_HOME=$run/helm/cache HELM_CONFIG_HOME=$run/helm/config HELM_DATA_HOME=$run/helm/data

# ---- 1. lint -----------------------------------------------------------------------------------
if out=$("$helm" lint "$chart" 2>&1); then pass "helm lint (defaults)"; else fail "helm lint: $out"; fi
if out=$("$helm" lint "$chart" -f "$here/custom-values.yaml" 2>&1); then
  pass "helm lint (non-default values)"
else
  fail "helm lint custom values: $out"
fi
if out=$("$helm" lint "$chart" --set logLevel=verbose 2>&1); then
  fail "helm lint accepted logLevel=verbose"
elif grep -qF "at '/logLevel': value must be one of 'debug', 'info', 'warn', 'error'" <<<"$out"; then
  pass "values schema rejects logLevel=verbose, naming the value"
else
  fail "logLevel=verbose: unexpected message: $out"
fi

# ---- 2. template -------------------------------------------------------------------------------
render_check() {  # render_check MODE [helm template flags...]
  local mode=$1 out line
  shift
  if ! "$helm" template ironlb "$chart" --namespace metallb-system "$@" >"$run/$mode.yaml" 2>"$run/$mode.err"; then
    fail "helm template ($mode): $(cat "$run/$mode.err")"
    return
  fi
  out=$(/usr/bin/python3 "$here/render_checks.py" "$mode" "$run/$mode.yaml" "$root" || true)
  while IFS= read -r line; do
    case $line in
      PASS:*) pass "template $mode: ${line#PASS: }" ;;
      FAIL:*) fail "template $mode: ${line#FAIL: }" ;;
      *) [ -z "$line" ] || fail "template $mode: unexpected output: $line" ;;
    esac
  done <<<"$out"
}
render_check default
render_check custom -f "$here/custom-values.yaml"

# The memberlist key is made by the controller at run time, so renders are stable
# (chart_template_is_stable) and an upgrade from a chart that rendered it keeps it
# (memberlist_upgrade_test.sh).

# ---- 3. a real API server ---------------------------------------------------------------------
start_own_controlplane "$state" "$run/helm" || { finish; exit 1; }
started=true
kubectl=$IRONLB_KUBECTL
helm=$IRONLB_HELM

suffix=$$-$RANDOM
ns=ironlb-helm-$suffix
rel=ilb-$suffix
full=$rel-ironlb
ctrl_sa=$full-controller
spk_sa=$full-speaker

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or time runs out.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail "$what (not within ${secs}s)"
      return 1
    fi
    "$kubectl" get --raw /readyz >/dev/null 2>&1 || true # a round trip paces the loop
  done
  pass "$what"
}
exists() { "$kubectl" get "$@" >/dev/null 2>&1; }
absent() { ! "$kubectl" get "$@" >/dev/null 2>&1; }

if out=$("$helm" install "$rel" "$chart" --namespace "$ns" --create-namespace --wait=false 2>&1); then
  pass "helm install $rel into $ns"
else
  fail "helm install: $out"
  finish
  exit 1
fi
for obj in "deployment/$full-controller" "daemonset/$full-speaker" "serviceaccount/$ctrl_sa" \
  "serviceaccount/$spk_sa" "role/$full-controller" "role/$full-speaker" \
  "rolebinding/$full-controller" "rolebinding/$full-speaker"; do
  if exists -n "$ns" "$obj"; then pass "installed: $obj"; else fail "missing after install: $obj"; fi
done
# No controller runs here (no kubelet): the Secret it makes at run time does not exist.
if absent -n "$ns" "secret/$rel-memberlist"; then
  pass "install renders no memberlist Secret (the controller makes it)"
else
  fail "install made a memberlist Secret"
fi
for obj in "clusterrole/$ns:$full-controller" "clusterrole/$ns:$full-speaker" \
  "clusterrolebinding/$ns:$full-controller" "clusterrolebinding/$ns:$full-speaker"; do
  if exists "$obj"; then pass "installed: $obj"; else fail "missing after install: $obj"; fi
done
for crd in ipaddresspools l2advertisements servicel2statuses; do
  if "$kubectl" wait --for=condition=Established "crd/$crd.metallb.io" --timeout=60s >/dev/null 2>&1; then
    pass "installed with the release: CRD $crd.metallb.io (established)"
  else
    fail "CRD $crd.metallb.io not established"
  fi
done
# What the API server stored (after its defaulting) still says what the chart said.
got=$("$kubectl" get daemonset -n "$ns" "$full-speaker" -o jsonpath='{.spec.template.spec.hostNetwork}/{.spec.template.spec.containers[0].securityContext.capabilities.add}' 2>&1 || true)
expect_eq "stored DaemonSet: hostNetwork, NET_RAW only" "$got" 'true/["NET_RAW"]'
got=$("$kubectl" get deployment -n "$ns" "$full-controller" -o jsonpath='{.spec.template.spec.securityContext.runAsNonRoot}/{.spec.template.spec.containers[0].securityContext.capabilities.drop}' 2>&1 || true)
expect_eq "stored Deployment: non-root, all capabilities dropped" "$got" 'true/["ALL"]'
# The pool CRDs answer in the release namespace (what the daemons will list).
if out=$("$kubectl" apply -n "$ns" -f - 2>&1 <<EOF
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool-a}
spec: {addresses: [198.51.100.0/28]}
EOF
); then pass "IPAddressPool accepted in the release namespace"; else fail "IPAddressPool: $out"; fi

# A MetalLB chart values file (docs/metallb-chart-values.md): the API server accepts every object
# it renders (server-side dry run; the Prometheus Operator kinds are not installed here), and the
# notes `helm install` prints list the keys ironlb does not apply.
mlv=$root/test/chart/metallb-values/full-v0.16.yaml
if out=$("$helm" install "ml-$suffix" "$chart" --namespace "$ns" -f "$mlv" --dry-run=server \
  --set prometheus.serviceMonitor.enabled=false --set prometheus.prometheusRule.enabled=false 2>&1); then
  pass "MetalLB values file: the API server accepts the rendered objects (dry run)"
  if grep -qF "IGNORED VALUES" <<<"$out" &&
    grep -qF -- "- speaker.frr.image.repository=quay.io/frrouting/frr: FRR's own image has no ironlb supervisor" <<<"$out"; then
    pass "MetalLB values file: helm install notes list the ignored keys"
  else
    fail "MetalLB values file: no ignored-keys list in the notes: $(tail -30 <<<"$out")"
  fi
else
  fail "MetalLB values file: helm install --dry-run=server: $out"
fi

# BGP mode (docs/bgp.md): the API server accepts the speaker DaemonSet with FRR's container
# (capability names, the shared volume; server-side dry run of the rendered objects).
if out=$("$helm" template "$rel" "$chart" --namespace "$ns" --set speaker.frr.enabled=true \
  --show-only templates/speaker.yaml 2>&1 | "$kubectl" apply --dry-run=server -n "$ns" -f - 2>&1) &&
  grep -q "daemonset.apps/$full-speaker .*(server dry run)" <<<"$out"; then
  pass "speaker.frr.enabled: the API server accepts the speaker DaemonSet (dry run)"
else
  fail "speaker.frr.enabled: server dry run of the speaker DaemonSet: $out"
fi

# ---- RBAC matrix: what each ServiceAccount may and may not do.
# can SA yes|no VERB RESOURCE [flags...]
can() {
  local sa=$1 want=$2 verb=$3 res=$4 got
  shift 4
  got=$("$kubectl" auth can-i "$verb" "$res" "$@" --as="system:serviceaccount:$ns:$sa" 2>/dev/null || true)
  if [ "$got" = "$want" ]; then
    pass "can-i $sa $verb $res $* = $want"
  else
    fail "can-i $sa $verb $res $*: got '$got', want $want"
  fi
}
lease=$full-controller
for verb in get list watch; do
  can "$ctrl_sa" yes "$verb" services -A
  can "$ctrl_sa" yes "$verb" namespaces
  can "$ctrl_sa" no "$verb" nodes
  can "$ctrl_sa" yes "$verb" ipaddresspools.metallb.io -n "$ns"
  can "$ctrl_sa" yes "$verb" l2advertisements.metallb.io -n "$ns"
  can "$ctrl_sa" yes "$verb" bgppeers.metallb.io -n "$ns"
  can "$ctrl_sa" yes "$verb" communities.metallb.io -n "$ns"
done
can "$ctrl_sa" yes update services -n default --subresource=status
can "$ctrl_sa" yes create events -n default
can "$ctrl_sa" yes patch events -n default
can "$ctrl_sa" no update ipaddresspools.metallb.io -n "$ns" --subresource=status
can "$ctrl_sa" yes patch ipaddresspools.metallb.io -n "$ns" --subresource=status
can "$ctrl_sa" yes create leases.coordination.k8s.io -n "$ns"
can "$ctrl_sa" yes get "leases.coordination.k8s.io/$lease" -n "$ns"
can "$ctrl_sa" yes update "leases.coordination.k8s.io/$lease" -n "$ns"
can "$ctrl_sa" yes watch "leases.coordination.k8s.io/$lease" -n "$ns"
can "$ctrl_sa" no watch leases.coordination.k8s.io -n "$ns"
can "$ctrl_sa" yes get "deployments.apps/$lease" -n "$ns"
can "$ctrl_sa" no get deployments.apps -n "$ns"
can "$ctrl_sa" no update "deployments.apps/$lease" -n "$ns"
can "$ctrl_sa" no update services -n default
can "$ctrl_sa" no patch services -n default
can "$ctrl_sa" no delete services -n default
can "$ctrl_sa" no create services -n default
can "$ctrl_sa" no delete nodes
can "$ctrl_sa" no update nodes
can "$ctrl_sa" no get secrets -n "$ns"
# The speaker reads Secrets only in BGP mode (speaker.frr.enabled; test/chart/frr_test.py).
can "$spk_sa" no get secrets -n "$ns"
# The memberlist Secret: created when absent (create cannot be limited to a name), read by name,
# never updated or deleted.
can "$ctrl_sa" yes get "secrets/$rel-memberlist" -n "$ns"
can "$ctrl_sa" yes create secrets -n "$ns"
can "$ctrl_sa" no create secrets -n default
can "$ctrl_sa" no get secrets/some-other-secret -n "$ns"
can "$ctrl_sa" no update "secrets/$rel-memberlist" -n "$ns"
can "$ctrl_sa" no patch "secrets/$rel-memberlist" -n "$ns"
can "$ctrl_sa" no delete "secrets/$rel-memberlist" -n "$ns"
can "$ctrl_sa" no list secrets -n "$ns"
can "$ctrl_sa" no list secrets -A
can "$ctrl_sa" no create ipaddresspools.metallb.io -n "$ns"
can "$ctrl_sa" no update ipaddresspools.metallb.io -n "$ns"
can "$ctrl_sa" no delete ipaddresspools.metallb.io -n "$ns"
can "$ctrl_sa" no list ipaddresspools.metallb.io -n default
can "$ctrl_sa" no list ipaddresspools.metallb.io -A
can "$ctrl_sa" no update leases.coordination.k8s.io/someone-elses -n "$ns"
can "$ctrl_sa" no delete "leases.coordination.k8s.io/$lease" -n "$ns"
can "$ctrl_sa" no create leases.coordination.k8s.io -n default
can "$ctrl_sa" no create servicel2statuses.metallb.io -n "$ns"
can "$ctrl_sa" no list pods -A
# docs/webhook.md: the certificate Secret and the release's webhook configuration, nothing more.
can "$ctrl_sa" yes create secrets -n "$ns"
can "$ctrl_sa" yes get "secrets/$full-webhook-cert" -n "$ns"
can "$ctrl_sa" yes update "secrets/$full-webhook-cert" -n "$ns"
can "$ctrl_sa" no delete "secrets/$full-webhook-cert" -n "$ns"
can "$ctrl_sa" no update "secrets/$rel-memberlist" -n "$ns"
can "$ctrl_sa" yes get "validatingwebhookconfigurations.admissionregistration.k8s.io/$ns-$full-webhook"
can "$ctrl_sa" yes patch "validatingwebhookconfigurations.admissionregistration.k8s.io/$ns-$full-webhook"
can "$ctrl_sa" no patch validatingwebhookconfigurations.admissionregistration.k8s.io/someone-elses
can "$ctrl_sa" no list validatingwebhookconfigurations.admissionregistration.k8s.io
can "$ctrl_sa" no list endpointslices.discovery.k8s.io -A

for verb in get list watch; do
  can "$spk_sa" yes "$verb" services -A
  can "$spk_sa" yes "$verb" nodes
  can "$spk_sa" yes "$verb" namespaces
  can "$spk_sa" yes "$verb" endpointslices.discovery.k8s.io -A
  can "$spk_sa" yes "$verb" ipaddresspools.metallb.io -n "$ns"
  can "$spk_sa" yes "$verb" l2advertisements.metallb.io -n "$ns"
done
for verb in get list watch create delete; do
  can "$spk_sa" yes "$verb" servicel2statuses.metallb.io -n "$ns"
done
for verb in update patch deletecollection; do
  can "$spk_sa" no "$verb" servicel2statuses.metallb.io -n "$ns"
done
can "$spk_sa" yes update servicel2statuses.metallb.io -n "$ns" --subresource=status
can "$spk_sa" yes create events -n default
can "$spk_sa" yes patch events -n default
can "$spk_sa" no get "secrets/$rel-memberlist" -n "$ns"
can "$spk_sa" no get secrets/some-other-secret -n "$ns"
can "$spk_sa" no list secrets -n "$ns"
can "$spk_sa" no watch secrets -n "$ns"
can "$spk_sa" no get secrets -n kube-system
can "$spk_sa" no update "secrets/$rel-memberlist" -n "$ns"
can "$spk_sa" no update services -n default
can "$spk_sa" no update services -n default --subresource=status
can "$spk_sa" no update nodes
can "$spk_sa" no patch nodes
can "$spk_sa" no delete nodes
can "$spk_sa" no update ipaddresspools.metallb.io -n "$ns"
can "$spk_sa" no update ipaddresspools.metallb.io -n "$ns" --subresource=status
can "$spk_sa" no create l2advertisements.metallb.io -n "$ns"
can "$spk_sa" no create servicel2statuses.metallb.io -n default
can "$spk_sa" no create leases.coordination.k8s.io -n "$ns"
can "$spk_sa" no create pods -n "$ns"

# ---- upgrade: new values reach the objects.
# docs/webhook.md: the caBundle the controller patches in (no controller runs here: patched by
# hand the way it does) survives helm upgrade's three-way merge, the chart never setting it.
vwc="validatingwebhookconfiguration/$ns-$full-webhook"
bundle=$(printf 'ironlb-helm-test-bundle' | base64 -w0)
if out=$("$kubectl" patch "$vwc" --type=json \
  -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$bundle\"}]" 2>&1); then
  pass "caBundle patched as the controller does"
else
  fail "caBundle patch: $out"
fi
if out=$("$helm" upgrade "$rel" "$chart" --namespace "$ns" --reuse-values --set logLevel=debug \
  --set speaker.ignoreExcludeLB=true --wait=false 2>&1); then
  pass "helm upgrade"
else
  fail "helm upgrade: $out"
fi
args=$("$kubectl" get daemonset -n "$ns" "$full-speaker" -o jsonpath='{.spec.template.spec.containers[0].args}' 2>&1 || true)
if grep -qF -- '--log-level=debug' <<<"$args" && grep -qF -- '--ignore-exclude-lb=true' <<<"$args"; then
  pass "upgrade: new values in the speaker's arguments"
else
  fail "upgrade: speaker args $args"
fi
got=$("$kubectl" get "$vwc" -o jsonpath='{.webhooks[0].clientConfig.caBundle}' 2>&1 || true)
expect_eq "helm upgrade keeps the controller's caBundle" "$got" "$bundle"
rev=$("$helm" status "$rel" -n "$ns" -o json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])' || true)
expect_eq "release at revision 2" "$rev" 2

# ---- a second release (another namespace, e.g. another loadBalancerClass) next to the first.
ns2=ironlb-helm2-$suffix
rel2=ilb2-$suffix
if out=$("$helm" install "$rel2" "$chart" --namespace "$ns2" --create-namespace --wait=false \
  --set crds.enabled=false --set loadBalancerClass=example.com/second 2>&1); then
  pass "second release with crds.enabled=false installs next to the first"
else
  fail "second release: $out"
fi
if exists "clusterrole/$ns2:$rel2-ironlb-controller" && exists "clusterrole/$ns:$full-controller"; then
  pass "cluster-scoped RBAC of the two releases does not collide"
else
  fail "cluster roles of two releases"
fi

# ---- uninstall: everything goes but the CRDs (and with them the users' pools).
if out=$("$helm" uninstall "$rel" --namespace "$ns" 2>&1); then pass "helm uninstall"; else fail "helm uninstall: $out"; fi
for obj in "deployment/$full-controller" "daemonset/$full-speaker" "serviceaccount/$ctrl_sa" \
  "serviceaccount/$spk_sa" "role/$full-controller" "rolebinding/$full-speaker"; do
  wait_for "uninstalled: $obj" 30 absent -n "$ns" "$obj" || true
done
wait_for "uninstalled: clusterrole/$ns:$full-speaker" 30 absent "clusterrole/$ns:$full-speaker" || true
if exists crd/ipaddresspools.metallb.io && exists -n "$ns" ipaddresspool/pool-a; then
  pass "uninstall keeps the CRDs and the pools (helm.sh/resource-policy: keep)"
else
  fail "CRDs or pools gone after uninstall"
fi
"$helm" uninstall "$rel2" --namespace "$ns2" >/dev/null 2>&1 || fail "uninstall of the second release"

# ---- the plain manifests, as a user without Helm would apply them.
if out=$("$kubectl" apply -f "$root/config/manifests/ironlb.yaml" 2>&1); then
  pass "kubectl apply config/manifests/ironlb.yaml"
else
  fail "plain manifests: $out"
fi
label=$("$kubectl" get namespace metallb-system -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}' 2>&1 || true)
expect_eq "metallb-system: Pod Security privileged" "$label" privileged
for obj in deployment/ironlb-controller daemonset/ironlb-speaker serviceaccount/ironlb-speaker role/ironlb-speaker; do
  if exists -n metallb-system "$obj"; then pass "plain manifests: $obj"; else fail "plain manifests: missing $obj"; fi
done
if absent -n metallb-system secret/ironlb-memberlist; then
  pass "plain manifests: no published memberlist key"
else
  fail "plain manifests contain a memberlist Secret"
fi
# The controller makes the key at run time (no controller runs here); the RBAC that implies.
ns=metallb-system
can ironlb-controller yes create secrets -n metallb-system
can ironlb-controller yes get secrets/ironlb-memberlist -n metallb-system
can ironlb-speaker no get secrets/ironlb-memberlist -n metallb-system
can ironlb-speaker no list secrets -n metallb-system
can ironlb-controller yes update services -n default --subresource=status
can ironlb-controller no update services -n default
can ironlb-controller yes get leases.coordination.k8s.io/ironlb-controller -n metallb-system

# The users' classic example, verbatim.
if out=$("$kubectl" apply -f "$root/config/samples/first-pool.yaml" 2>&1); then
  pass "users' example applies verbatim"
else
  fail "users' example: $out"
fi
out=$("$kubectl" get ipaddresspools -n metallb-system first-pool 2>&1 || true)
if grep -qE '^first-pool +true +false +\["192\.168\.2\.130/28"\]' <<<"$out"; then
  pass "kubectl get ipaddresspools shows first-pool with its columns"
else
  fail "kubectl get ipaddresspools: $out"
fi
got=$("$kubectl" get service -n default my-lb -o jsonpath='{.spec.type}/{.spec.ports[0].port}' 2>&1 || true)
expect_eq "Service my-lb: LoadBalancer on port 80" "$got" LoadBalancer/80
if out=$("$kubectl" apply -f "$root/config/samples/sandbox-pool.yaml" 2>&1); then
  pass "sandbox sample applies"
else
  fail "sandbox sample: $out"
fi

finish
