#!/usr/bin/env bash
# smoke.sh: builds (if not cached) and starts a throwaway control plane, then checks with the
# real kubectl and Helm that it does what ironlb's tests need. Prints "N passed, N failed"
# and exits non-zero on any failure. The control plane is always stopped on exit; its state
# directory (with logs) is removed on success and kept, and named, on failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

"$here/build.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/ironlb-cp-smoke.XXXXXX")
state=$work/state
passed=0
failed=0
cleanup() {
  local rc=$?
  "$here/stop.sh" "$work/second" >/dev/null 2>&1 || true
  "$here/stop.sh" "$state" || rc=1
  if ((rc == 0 && failed == 0)); then
    rm -rf "$work"
  else
    echo "smoke: state and logs kept in $work" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
# Bash skips the EXIT trap when a signal kills it; turn INT/TERM into an exit.
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/start.sh" "$state"
# shellcheck disable=SC1091
source "$state/env"
ns=smoke

k() { "$IRONLB_KUBECTL" --request-timeout=30s --cache-dir="$work/kube-cache" "$@"; }
helm() { "$IRONLB_HELM" "$@"; }
fail() {
  echo "  $*" >&2
  return 1
}
# CMD | has GREP-ARGS...: CMD's output matches. Reads all of it first: `grep -q` alone would
# exit at the first match and, under pipefail, fail the pipeline when CMD gets SIGPIPE.
has() {
  local out
  out=$(cat)
  grep -q "$@" <<<"$out"
}
# poll SECONDS CMD...: run CMD until it succeeds or SECONDS pass.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# run NAME FUNCTION: runs FUNCTION in a background subshell so that `set -e` holds inside it
# (it would be suspended in an `if`/`||` context), and reports PASS or FAIL with its output.
run() {
  local name=$1 fn=$2 rc=0 log=$work/$2.log
  ("$fn") >"$log" 2>&1 &
  wait "$!" || rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name (exit $rc)"
    sed 's/^/    /' "$log"
  fi
}

t_version() {
  k version
  k version -o json | has '"gitVersion": "v1.32.13"' || fail "server is not v1.32.13"
}

t_readyz() {
  [[ $(k get --raw /readyz) == ok ]] || fail "/readyz is not ok"
  k get --raw '/readyz?verbose' | has 'etcd ok'
}

t_namespace() {
  k create namespace "$ns"
  k get namespace "$ns" -o jsonpath='{.status.phase}' | has -x Active
}

t_loadbalancer_service() {
  k -n "$ns" create -f - <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: lb
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
EOF
  k -n "$ns" get service lb
  k -n "$ns" get service lb --no-headers | awk '{print $4}' | has -x '<pending>' ||
    fail "EXTERNAL-IP is not <pending>"
  k -n "$ns" get service lb -o jsonpath='{.spec.clusterIP}' | has '^10\.96\.' ||
    fail "clusterIP not from 10.96.0.0/16"
  k -n "$ns" get service lb -o jsonpath='{.spec.ports[0].nodePort}' | has -E '^[0-9]+$' ||
    fail "no nodePort allocated"
  # What ironlb's controller does: write the status subresource.
  k -n "$ns" patch service lb --subresource=status --type=merge \
    -p '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10","ipMode":"VIP"}]}}}'
  k -n "$ns" get service lb --no-headers | awk '{print $4}' | has -x 192.0.2.10 ||
    fail "EXTERNAL-IP does not show the status patch"
}

t_dualstack_service() {
  k -n "$ns" create -f - <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: dual
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  selector: {app: web}
  ports: [{port: 443}]
EOF
  local ips
  ips=$(k -n "$ns" get service dual -o jsonpath='{.spec.clusterIPs}')
  echo "clusterIPs: $ips"
  [[ $ips =~ \"10\.96\.[0-9.]+\",\"fd00:10:96::[0-9a-f:]+\" ]] || fail "not dual-stack: $ips"
}

apply_good_widget() {
  k -n "$ns" apply -f - <<'EOF'
apiVersion: smoke.ironlb.test/v1
kind: Widget
metadata: {name: good}
spec: {min: 1, max: 2}
EOF
}

t_crd_cel() {
  k create -f - <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.ironlb.test
spec:
  group: smoke.ironlb.test
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [min, max]
            x-kubernetes-validations:
            - rule: "self.min <= self.max"
              message: "min must not exceed max"
            properties:
              min: {type: integer}
              max: {type: integer}
EOF
  k wait --for=condition=Established --timeout=60s crd/widgets.smoke.ironlb.test
  # The CRD is Established, but a fresh kubectl discovery may lag a moment behind.
  poll 30 apply_good_widget || fail "good object not accepted"
  k -n "$ns" get widget good
  local out
  if out=$(k -n "$ns" apply -f - 2>&1 <<'EOF'
apiVersion: smoke.ironlb.test/v1
kind: Widget
metadata: {name: bad}
spec: {min: 3, max: 2}
EOF
  ); then
    fail "bad object was accepted: $out"
  fi
  echo "$out"
  grep -q 'min must not exceed max' <<<"$out" || fail "rejected, but not by the CEL rule"
  ! k -n "$ns" get widget bad 2>/dev/null || fail "bad object exists"
}

t_serviceaccount_token() {
  k -n "$ns" create serviceaccount robot
  local tok out
  tok=$(k -n "$ns" create token robot --duration=10m)
  out=$(k --token="$tok" auth whoami -o jsonpath='{.status.userInfo.username}')
  [[ $out == system:serviceaccount:$ns:robot ]] || fail "token authenticates as '$out'"
  if k --token="$tok" -n "$ns" get configmaps 2>"$work/sa.err"; then
    fail "unprivileged service account may list configmaps"
  fi
  grep -q Forbidden "$work/sa.err" || fail "expected Forbidden: $(cat "$work/sa.err")"
  k -n "$ns" create role cm-reader --verb=get,list,watch --resource=configmaps
  k -n "$ns" create rolebinding robot-cm-reader --role=cm-reader --serviceaccount="$ns:robot"
  poll 30 k --token="$tok" -n "$ns" get configmaps || fail "RBAC grant not honoured"
}

t_rbac_denies_user() {
  local out
  out=$(k --kubeconfig="$IRONLB_KUBECONFIG_USER" auth whoami -o jsonpath='{.status.userInfo.username}')
  [[ $out == ironlb-user ]] || fail "user token authenticates as '$out'"
  if k --kubeconfig="$IRONLB_KUBECONFIG_USER" -n "$ns" get services 2>"$work/user.err"; then
    fail "ironlb-user may list services"
  fi
  grep -q 'Forbidden' "$work/user.err" || fail "expected Forbidden: $(cat "$work/user.err")"
  [[ $(k --kubeconfig="$IRONLB_KUBECONFIG_USER" auth can-i create services -n "$ns" || true) == no ]]
}

t_client_cert() {
  local out
  out=$(k --kubeconfig="$IRONLB_KUBECONFIG_CERT" auth whoami -o jsonpath='{.status.userInfo.username}')
  [[ $out == admin ]] || fail "client certificate authenticates as '$out'"
  k --kubeconfig="$IRONLB_KUBECONFIG_CERT" get namespaces >/dev/null
  # And plain curl with the PEM files, as a C++ client would.
  curl -fsS --cacert "$IRONLB_CA_CERT" --cert "$IRONLB_ADMIN_CERT" --key "$IRONLB_ADMIN_KEY" \
    "$IRONLB_APISERVER_URL/api/v1/namespaces/$ns" | has "\"name\": \"$ns\""
}

t_watch() {
  k -n "$ns" create configmap watched --from-literal=v=one
  local out=$work/watch.out pid
  k -n "$ns" get configmap watched --watch -o jsonpath='{.data.v}{"\n"}' >"$out" &
  pid=$!
  # The initial list prints "one"; the watch starts from that list's resourceVersion, so an
  # update made after it is seen is delivered.
  poll 30 grep -qx one "$out" || fail "watch did not list the object"
  k -n "$ns" patch configmap watched --type=merge -p '{"data":{"v":"two"}}'
  poll 30 grep -qx two "$out" || fail "watch did not see the update: $(cat "$out")"
  kill "$pid"
  wait "$pid" || true
}

t_lease() {
  k -n "$ns" create -f - <<EOF
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: ironlb-leader}
spec:
  holderIdentity: speaker-a
  leaseDurationSeconds: 15
  acquireTime: "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)"
  renewTime: "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)"
EOF
  local rv holder
  rv=$(k -n "$ns" get lease ironlb-leader -o jsonpath='{.metadata.resourceVersion}')
  # Leader election's optimistic concurrency: an update conditioned on the resourceVersion
  # wins once; a second one with the same, now stale, version must conflict.
  k -n "$ns" patch lease ironlb-leader --type=merge \
    -p "{\"metadata\":{\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":\"speaker-b\"}}"
  if k -n "$ns" patch lease ironlb-leader --type=merge \
    -p "{\"metadata\":{\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":\"speaker-c\"}}" \
    2>"$work/lease.err"; then
    fail "stale update was accepted"
  fi
  grep -qi conflict "$work/lease.err" || fail "expected a conflict: $(cat "$work/lease.err")"
  holder=$(k -n "$ns" get lease ironlb-leader -o jsonpath='{.spec.holderIdentity}')
  [[ $holder == speaker-b ]] || fail "holder is '$holder'"
}

t_events_endpointslices() {
  k -n "$ns" create -f - <<EOF
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: lb.smoke}
eventTime: "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)"
reportingController: ironlb.io/controller
reportingInstance: smoke
action: Assign
reason: IPAllocated
note: Assigned IP 192.0.2.10
type: Normal
regarding: {apiVersion: v1, kind: Service, name: lb, namespace: $ns}
EOF
  k -n "$ns" get events --field-selector reason=IPAllocated | has 'Assigned IP'
  k -n "$ns" create -f - <<'EOF'
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: lb-abc
  labels: {kubernetes.io/service-name: lb}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- addresses: [10.244.1.5]
  nodeName: node-1
  conditions: {ready: true}
EOF
  k -n "$ns" get endpointslices -l kubernetes.io/service-name=lb -o name |
    has -x endpointslice.discovery.k8s.io/lb-abc
}

t_helm() {
  helm version
  helm version --template '{{.Version}}' | has -x 'v3\.[0-9.]*' || fail "not Helm 3"
  helm create "$work/smokechart" >/dev/null
  helm install smoke "$work/smokechart" -n "$ns" --wait=false
  helm status smoke -n "$ns" | has 'STATUS: deployed'
  helm list -n "$ns" | has '^smoke'
  k -n "$ns" get deployment/smoke-smokechart service/smoke-smokechart serviceaccount/smoke-smokechart
  helm uninstall smoke -n "$ns"
  poll 30 bash -c "! '$IRONLB_KUBECTL' -n '$ns' get deployment smoke-smokechart 2>/dev/null" ||
    fail "helm uninstall left the deployment"
}

t_restart_apiserver() {
  local port_before=$IRONLB_APISERVER_PORT uid_before uid_after
  uid_before=$(k -n "$ns" get service lb -o jsonpath='{.metadata.uid}')
  "$here/restart-apiserver.sh" "$state"
  # shellcheck disable=SC1091
  source "$state/env"
  [[ $IRONLB_APISERVER_PORT == "$port_before" ]] || fail "port changed"
  [[ $(k get --raw /readyz) == ok ]]
  uid_after=$(k -n "$ns" get service lb -o jsonpath='{.metadata.uid}')
  [[ $uid_before == "$uid_after" ]] || fail "service lost across the restart"
}

t_restart_etcd() {
  local uid_before uid_after
  uid_before=$(k -n "$ns" get service lb -o jsonpath='{.metadata.uid}')
  "$here/restart-etcd.sh" "$state"
  [[ $(k get --raw /readyz) == ok ]]
  uid_after=$(k -n "$ns" get service lb -o jsonpath='{.metadata.uid}')
  [[ $uid_before == "$uid_after" ]] || fail "service lost across the etcd restart"
  k -n "$ns" create configmap after-etcd-restart --from-literal=ok=1
}

t_second_controlplane() {
  "$here/start.sh" "$work/second"
  local port
  port=$(sed -n 's/^export IRONLB_APISERVER_PORT=//p' "$work/second/env")
  [[ $port != "$IRONLB_APISERVER_PORT" ]] || fail "same port as the first"
  k --kubeconfig="$work/second/kubeconfig" get namespaces default
  # The two are separate: the first one's namespace is not in the second.
  ! k --kubeconfig="$work/second/kubeconfig" get namespace "$ns" 2>/dev/null ||
    fail "the second control plane shares data with the first"
  "$here/stop.sh" "$work/second" --purge
  "$here/stop.sh" "$work/second" # twice, and on a directory that is gone: no error
}

t_no_apiserver_errors() {
  # Error lines that a healthy start logs anyway: controllers racing the creation of
  # kube-system during bootstrap, and "Found stale data", which the kubernetes-Service
  # controller prints whenever the "none" endpoint reconciler (see start.sh) reports success.
  # Anything else (loopback endpoints, etcd trouble, ...) fails the check.
  local benign='namespaces \\"?kube-system\\"? not found|Found stale data, removed previous endpoints'
  if grep -E '^E[0-9]{4} ' "$IRONLB_APISERVER_LOG" | grep -v -E "$benign" | grep .; then
    fail "unexpected errors in $IRONLB_APISERVER_LOG"
  fi
}

run "kubectl version reports server v1.32.13" t_version
run "/readyz via kubectl get --raw" t_readyz
run "create namespace" t_namespace
run "LoadBalancer Service is <pending>, status patch shows" t_loadbalancer_service
run "dual-stack Service gets IPv4 and IPv6 cluster IPs" t_dualstack_service
run "CRD with CEL rule: good accepted, bad rejected" t_crd_cel
run "ServiceAccount token (TokenRequest) and RBAC grant" t_serviceaccount_token
run "RBAC denies the non-admin static token user" t_rbac_denies_user
run "client certificate authentication" t_client_cert
run "watch sees an update" t_watch
run "Lease create and conflicting update" t_lease
run "Events and EndpointSlices" t_events_endpointslices
run "helm version, install and uninstall a chart" t_helm
# Before the restarts, which log connection errors on purpose.
run "no unexpected errors in the apiserver log" t_no_apiserver_errors
run "restart-apiserver.sh keeps port and data" t_restart_apiserver
run "restart-etcd.sh keeps data" t_restart_etcd
run "a second control plane alongside" t_second_controlplane

echo "$passed passed, $failed failed"
((failed == 0))
