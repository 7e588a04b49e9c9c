#!/usr/bin/env bash
# start.sh STATE_DIR: starts etcd and kube-apiserver on 127.0.0.1 (free ports, so several
# control planes can run at once), waits for /readyz, and writes into STATE_DIR:
#   env                 shell `export` lines (KUBECONFIG, IRONLB_APISERVER_URL, ...; see README)
#   kubeconfig          admin by static token, context ironlb-test
#   kubeconfig-cert     admin by client certificate (CN=admin, O=system:masters)
#   kubeconfig-user     ironlb-user by static token: authenticated, but no RBAC grants
#   pki/                ca.crt (signs the serving and client certs), apiserver.*, admin.*, sa.*
#   tokens/             admin.token, user.token, tokens.csv
#   etcd.cmdline, kube-apiserver.cmdline   exact command lines (component.sh restarts reuse them)
#   etcd.pid, kube-apiserver.pid, ports, logs/
# Binaries come from build.sh's cache. On failure it prints the logs' tails, stops what it
# started and exits non-zero. Stop with stop.sh STATE_DIR.
#
# IRONLB_APISERVER_EXTRA_SANS: extra subjectAltNames for the serving cert, in openssl form
# ("IP:10.0.0.1,DNS:host"), for clients that will reach the server under another name.
# IRONLB_APISERVER_BIND_PORT: use this port for the API server instead of a free one (not
# IRONLB_APISERVER_PORT, which every env file exports: a shell that sourced one would reuse it).
# IRONLB_APISERVER_EXTRA_ARGS: more kube-apiserver flags, space-separated, after the defaults
# (a later flag wins), e.g. "--enable-priority-and-fairness=true" for tests of API Priority and
# Fairness, which is off by default here.
#
# For a cluster with nodes (test/cluster), two more settings:
#   IRONLB_CONTROLPLANE_NETNS   run etcd and kube-apiserver inside this network namespace (which
#                               must exist); recorded in STATE/netns for the other scripts
#   IRONLB_APISERVER_ADVERTISE  the address nodes and pods reach the API server at: it binds
#                               0.0.0.0, advertises this address (so the `kubernetes` Service
#                               has real endpoints), authorizes with Node,RBAC plus the
#                               NodeRestriction admission plugin like a production cluster,
#                               reaches kubelets with pki/kubelet-client.{crt,key}, and writes
#                               what service accounts do to logs/audit.log (Metadata level)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# == 1)) || cp_die "usage: $0 STATE_DIR"
mkdir -p "$1"
state=$(cd "$1" && pwd)

for name in etcd kube-apiserver; do
  if [[ -f $state/$name.pid ]] && cp_pid_is_ours "$(<"$state/$name.pid")" "$state"; then
    cp_die "$name is already running for $state (pid $(<"$state/$name.pid")); run stop.sh first"
  fi
done

apiserver_bin=$KUBE_BIN_DIR/kube-apiserver
etcd_bin=$(cp_etcd_bin)
[[ -x $apiserver_bin ]] || cp_die "$apiserver_bin missing; run $CP_DIR/build.sh first"
[[ -x $HELM_BIN_DIR/helm ]] || cp_die "$HELM_BIN_DIR/helm missing; run $CP_DIR/build.sh first"
[[ -x $etcd_bin ]] || cp_die "etcd not found ($etcd_bin); install the Debian package etcd-server"
kubectl_bin=$(cp_kubectl_bin)
[[ -x $kubectl_bin ]] || cp_die "kubectl not found ($kubectl_bin); run $CP_DIR/build.sh first"
for tool in openssl curl setsid ss; do
  command -v "$tool" >/dev/null || cp_die "$tool not found"
done

started=0
on_exit() {
  local rc=$?
  if ((started == 0)); then
    ((rc != 0)) || rc=1
    cp_log "start failed for $state"
    cp_tail_logs "$state"
    cp_stop_pid kube-apiserver "$state" || true
    cp_stop_pid etcd "$state" || true
    rm -rf "$state/etcd-data"
    exit "$rc"
  fi
}
trap on_exit EXIT
# Bash skips the EXIT trap when a signal kills it; turn INT/TERM into an exit.
trap 'exit 130' INT
trap 'exit 143' TERM

netns=${IRONLB_CONTROLPLANE_NETNS:-}
advertise=${IRONLB_APISERVER_ADVERTISE:-}
rm -f "$state/netns"
if [[ -n $netns ]]; then
  [[ -e /run/netns/$netns ]] || cp_die "network namespace $netns does not exist"
  echo "$netns" >"$state/netns"
fi
cp_use_state "$state"

rm -rf "$state/etcd-data" "$state/pki" "$state/tokens" "$state/env"
rm -f "$state"/kubeconfig*
mkdir -p "$state/logs" "$state/pki" "$state/tokens" "$state/helm"
: >"$state/logs/etcd.log"
: >"$state/logs/kube-apiserver.log"

# ---- credentials
pki=$state/pki
(
  umask 077
  openssl_quiet() {
    local out
    out=$(openssl "$@" 2>&1) || {
      echo "$out" >&2
      cp_die "openssl $1 failed"
    }
  }
  openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 3650 -subj "/CN=ironlb-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

  # leaf NAME SUBJECT EXTENSIONS: key + CSR + certificate signed by the CA.
  leaf() {
    local name=$1 subj=$2 ext=$3
    openssl_quiet req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subj"
    printf '%s\n' "$ext" >"$pki/$name.ext"
    openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
      -CAcreateserial -days 3650 -out "$pki/$name.crt" -extfile "$pki/$name.ext"
    rm -f "$pki/$name.csr" "$pki/$name.ext"
  }
  sans="IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default"
  sans+=",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  [[ -z ${IRONLB_APISERVER_EXTRA_SANS:-} ]] || sans+=",$IRONLB_APISERVER_EXTRA_SANS"
  [[ -z $advertise ]] || sans+=",IP:$advertise"
  leaf apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans"
  leaf admin "/O=system:masters/CN=admin" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  if [[ -n $advertise ]]; then
    leaf kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  fi
  # Service-account token signing key pair (RS256, the usual choice).
  openssl_quiet genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key"
  openssl_quiet pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
  rm -f "$pki/ca.srl"

  # Static tokens: token,user,uid,"groups". ironlb-user has no RBAC grants at all.
  openssl rand -hex 24 >"$state/tokens/admin.token"
  openssl rand -hex 24 >"$state/tokens/user.token"
  {
    echo "$(<"$state/tokens/admin.token"),admin,admin-uid,\"system:masters\""
    echo "$(<"$state/tokens/user.token"),ironlb-user,ironlb-user-uid"
  } >"$state/tokens/tokens.csv"
)
chmod 0644 "$pki"/*.crt "$pki/sa.pub"

# ---- etcd
etcd_extra=()
# --unsafe-no-fsync (etcd 3.5+) spares the disk; Debian's 3.4 does not have it.
etcd_help=$("$etcd_bin" --help 2>&1 || true)
if [[ $etcd_help == *--unsafe-no-fsync* ]]; then
  etcd_extra+=(--unsafe-no-fsync)
fi

# start_etcd: picks ports, writes the command line, starts etcd, waits for /health.
# Retries with other ports when a port was taken between choosing and binding it.
start_etcd() {
  local attempt rc
  for attempt in 1 2 3 4 5; do
    ETCD_PORT=$(cp_free_port)
    ETCD_PEER_PORT=$(cp_free_port "$ETCD_PORT")
    local cmd=(
      "$etcd_bin"
      --name=ironlb-test
      --data-dir="$state/etcd-data"
      --listen-client-urls="http://127.0.0.1:$ETCD_PORT"
      --advertise-client-urls="http://127.0.0.1:$ETCD_PORT"
      --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"
      --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"
      --initial-cluster="ironlb-test=http://127.0.0.1:$ETCD_PEER_PORT"
      --initial-cluster-state=new
      --initial-cluster-token="ironlb-test-$ETCD_PORT"
      --logger=zap
      --log-outputs=stderr
      --log-level=warn
      --snapshot-count=10000
      --quota-backend-bytes=$((2 * 1024 * 1024 * 1024))
      "${etcd_extra[@]}"
    )
    printf '%q ' "${cmd[@]}" >"$state/etcd.cmdline"
    rm -rf "$state/etcd-data"
    cp_spawn etcd "$state"
    rc=0
    cp_wait etcd "$state" cp_etcd_healthy "$ETCD_PORT" || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) || return 1
    cp_log "etcd: port $ETCD_PORT or $ETCD_PEER_PORT was taken; retrying ($attempt)"
  done
  return 1
}

# ---- kube-apiserver
start_apiserver() {
  local attempt rc
  for attempt in 1 2 3 4 5; do
    APISERVER_PORT=${IRONLB_APISERVER_BIND_PORT:-$(cp_free_port "$ETCD_PORT" "$ETCD_PEER_PORT")}
    local where=(--bind-address=127.0.0.1 --advertise-address=127.0.0.1
      --authorization-mode=RBAC
      # The "kubernetes" Service's Endpoints would have to hold the advertise address, and
      # the API rejects loopback addresses there; nothing here needs those Endpoints.
      --endpoint-reconciler-type=none)
    if [[ -n $advertise ]]; then
      # An audit log of what service accounts do (who, with which token, answered how), so
      # tests can check which credentials workloads really use and that nothing is denied.
      cat >"$state/audit-policy.yaml" <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    userGroups: ["system:serviceaccounts:kube-system"]
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
POLICY
      where=(--bind-address=0.0.0.0 --advertise-address="$advertise"
        --audit-policy-file="$state/audit-policy.yaml"
        --audit-log-path="$state/logs/audit.log" --audit-log-maxsize=100
        --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction
        --kubelet-client-certificate="$pki/kubelet-client.crt"
        --kubelet-client-key="$pki/kubelet-client.key"
        --kubelet-preferred-address-types=InternalIP,Hostname)
    fi
    # shellcheck disable=SC2054  # the commas are inside flag values
    local cmd=(
      "$apiserver_bin"
      --etcd-servers="http://127.0.0.1:$ETCD_PORT"
      "${where[@]}"
      --secure-port="$APISERVER_PORT"
      --tls-cert-file="$pki/apiserver.crt"
      --tls-private-key-file="$pki/apiserver.key"
      --client-ca-file="$pki/ca.crt"
      --token-auth-file="$state/tokens/tokens.csv"
      --service-account-issuer=https://kubernetes.default.svc.cluster.local
      --service-account-key-file="$pki/sa.pub"
      --service-account-signing-key-file="$pki/sa.key"
      --service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/108
      --allow-privileged=true
      # Lighter on a 2-core machine: no API priority & fairness bookkeeping, no profiling
      # endpoints. The watch cache stays on: it is what real clusters run.
      --enable-priority-and-fairness=false
      --profiling=false
      --event-ttl=1h
      --v=1
    )
    local extra=()
    read -r -a extra <<<"${IRONLB_APISERVER_EXTRA_ARGS:-}"
    cmd+=("${extra[@]}")
    printf '%q ' "${cmd[@]}" >"$state/kube-apiserver.cmdline"
    cp_spawn kube-apiserver "$state"
    rc=0
    cp_wait kube-apiserver "$state" cp_apiserver_ready "$state" "$APISERVER_PORT" || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) || return 1
    [[ -z ${IRONLB_APISERVER_BIND_PORT:-} ]] || return 1
    cp_log "kube-apiserver: port $APISERVER_PORT was taken; retrying ($attempt)"
  done
  return 1
}

begin=$SECONDS
start_etcd || cp_die "etcd did not start (log: $state/logs/etcd.log)"
start_apiserver || cp_die "kube-apiserver did not become ready (log: $state/logs/kube-apiserver.log)"
{
  echo "APISERVER_PORT=$APISERVER_PORT"
  echo "ETCD_PORT=$ETCD_PORT"
  echo "ETCD_PEER_PORT=$ETCD_PEER_PORT"
} >"$state/ports"

# ---- kubeconfigs
b64() { base64 -w0 <"$1"; }
# write_kubeconfig FILE USER-YAML-LINES
write_kubeconfig() {
  local file=$1 user_lines=$2
  (
    umask 077
    cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ironlb-test
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: ironlb-test-user
  user:
$user_lines
contexts:
- name: ironlb-test
  context:
    cluster: ironlb-test
    user: ironlb-test-user
current-context: ironlb-test
EOF
  )
}
write_kubeconfig "$state/kubeconfig" "    token: $(<"$state/tokens/admin.token")"
write_kubeconfig "$state/kubeconfig-cert" "    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")"
write_kubeconfig "$state/kubeconfig-user" "    token: $(<"$state/tokens/user.token")"

cp_write_env "$state"
started=1
cp_log "ready in $((SECONDS - begin))s: https://127.0.0.1:$APISERVER_PORT (etcd 127.0.0.1:$ETCD_PORT); source $state/env"
