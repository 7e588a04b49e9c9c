# shellcheck shell=bash disable=SC2034  # variables here are used by the scripts sourcing it
# Shared settings and helpers for the test control plane scripts. Sourced, never run.
#
# Versions (keep in step with gomod/*/go.mod):
#   kube-apiserver, kubectl  k8s.io/kubernetes v1.32.13, built with the machine's Go (1.26 here);
#                            kubernetes' go.mod says go 1.23.0, so GOTOOLCHAIN=auto only
#                            downloads a toolchain (through the module proxy) on older Go.
#   helm                     helm.sh/helm/v3 v3.20.2: the newest Helm 3 minor whose supported
#                            Kubernetes range (1.35-1.32) includes our 1.32 server.
#   etcd                     Debian's etcd-server 3.4.23 (/usr/bin/etcd). kube-apiserver 1.32
#                            runs on it: the smoke test's lists, watches, CRDs, leases and
#                            TokenRequest all work, and the apiserver log shows no etcd errors.
#                            Its only reaction to 3.4 is that it cannot use etcd's
#                            RequestWatchProgress (needs 3.4.31+/3.5.13+), so consistent lists
#                            are served from etcd instead of the watch cache: a little slower,
#                            same results. Building etcd 3.5 was therefore not needed.
#                            IRONLB_ETCD=/path/to/etcd overrides.

KUBE_VERSION=v1.32.13
KUBE_MAJOR=1
KUBE_MINOR=32
HELM_VERSION=v3.20.2
# Built from gomod/kubernetes into $KUBE_BIN_DIR: the light control plane uses the first two,
# the multi-node test cluster (test/cluster) all of them.
KUBE_COMMANDS=(kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy)

CP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IRONLB_CACHE=${IRONLB_CACHE:-$HOME/.cache/ironlb}
KUBE_BIN_DIR=$IRONLB_CACHE/kubernetes-$KUBE_VERSION
HELM_BIN_DIR=$IRONLB_CACHE/helm-$HELM_VERSION

# Seconds to wait for a component to become healthy, and for one to exit after SIGTERM.
CP_START_TIMEOUT=${IRONLB_START_TIMEOUT:-180}
CP_STOP_TIMEOUT=${IRONLB_STOP_TIMEOUT:-30}

cp_log() { echo "controlplane: $*" >&2; }

# A control plane normally runs on the host's loopback. start.sh with IRONLB_CONTROLPLANE_NETNS
# runs it inside that network namespace instead (the multi-node test cluster, test/cluster) and
# records the name in STATE/netns; cp_use_state reads it, and cp_in runs a command there.
CP_NS=
cp_use_state() {
  CP_NS=
  if [[ -s $1/netns ]]; then
    CP_NS=$(<"$1/netns")
  fi
}
cp_in() {
  if [[ -n $CP_NS ]]; then
    nsenter --net="/run/netns/$CP_NS" -- "$@"
  else
    "$@"
  fi
}
cp_die() {
  echo "controlplane: error: $*" >&2
  exit 1
}

cp_etcd_bin() {
  if [[ -n ${IRONLB_ETCD:-} ]]; then
    echo "$IRONLB_ETCD"
  else
    command -v etcd || echo /usr/bin/etcd
  fi
}

# The machine's kubectl when its minor version is within one of the server's (kubectl's
# supported skew), else the one build.sh put in the cache. IRONLB_KUBECTL overrides.
cp_kubectl_bin() {
  if [[ -n ${IRONLB_KUBECTL:-} ]]; then
    echo "$IRONLB_KUBECTL"
    return
  fi
  local k out minor
  k=$(command -v kubectl || true)
  if [[ -n $k ]]; then
    out=$("$k" version --client -o json 2>/dev/null || true)
    if [[ $out =~ \"minor\":\ *\"([0-9]+) ]]; then
      minor=${BASH_REMATCH[1]}
    fi
    if [[ -n ${minor:-} ]] && ((minor >= KUBE_MINOR - 1 && minor <= KUBE_MINOR + 1)); then
      echo "$k"
      return
    fi
  fi
  echo "$KUBE_BIN_DIR/kubectl"
}

# Is $1 a live process whose command line mentions the state dir $2? (Guards against a
# recycled PID: we never signal a process that is not ours.)
cp_pid_is_ours() {
  local pid=$1 state=$2
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *"$state/"* ]]
}

# cp_stop_pid NAME STATE: TERM the process in STATE/NAME.pid, KILL it after the deadline,
# remove the pid file. Quiet and successful when there is nothing to stop.
cp_stop_pid() {
  local name=$1 state=$2 pidfile pid deadline
  pidfile=$state/$name.pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if cp_pid_is_ours "$pid" "$state"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + CP_STOP_TIMEOUT))
    while cp_pid_is_ours "$pid" "$state" && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if cp_pid_is_ours "$pid" "$state"; then
      cp_log "$name (pid $pid) ignored SIGTERM for ${CP_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while cp_pid_is_ours "$pid" "$state" && ((SECONDS < deadline)); do
        sleep 0.1
      done
      cp_pid_is_ours "$pid" "$state" && cp_die "$name (pid $pid) survived SIGKILL"
    fi
  fi
  rm -f "$pidfile"
}

# cp_spawn NAME STATE: start the command saved in STATE/NAME.cmdline, detached in its own
# session (so the caller's process group, e.g. ctest's, can end without taking it along),
# stdin from /dev/null and output appended to STATE/logs/NAME.log (so no caller waits on a
# pipe it holds). Writes STATE/NAME.pid.
cp_spawn() {
  local name=$1 state=$2 log args
  log=$state/logs/$name.log
  eval "args=($(<"$state/$name.cmdline"))"
  echo "---- $(date -u +%FT%TZ) starting $name" >>"$log"
  if [[ -n $CP_NS ]]; then
    args=(nsenter --net="/run/netns/$CP_NS" -- "${args[@]}")
  fi
  setsid "${args[@]}" </dev/null >>"$log" 2>&1 &
  echo "$!" >"$state/$name.pid"
}

cp_etcd_healthy() {
  local port=$1
  [[ $(cp_in curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null) == *'"health":"true"'* ]]
}

cp_apiserver_ready() {
  local state=$1 port=$2
  [[ $(cp_in curl -sS --max-time 5 --cacert "$state/pki/ca.crt" \
    -H "Authorization: Bearer $(<"$state/tokens/admin.token")" \
    "https://127.0.0.1:$port/readyz" 2>/dev/null) == ok ]]
}

# cp_wait NAME STATE CHECK...: poll CHECK until it succeeds; fail if NAME's process dies or
# the deadline passes. Returns 2 when the process died of "address already in use" (the
# caller may pick another port), 1 on any other failure.
cp_wait() {
  local name=$1 state=$2 pid deadline
  shift 2
  pid=$(<"$state/$name.pid")
  deadline=$((SECONDS + CP_START_TIMEOUT))
  until "$@"; do
    if ! cp_pid_is_ours "$pid" "$state"; then
      if [[ $(tail -n 50 "$state/logs/$name.log") == *"address already in use"* ]]; then
        return 2
      fi
      cp_log "$name (pid $pid) exited before it became ready"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      cp_log "$name (pid $pid) not ready after ${CP_START_TIMEOUT}s"
      return 1
    fi
    sleep 0.2
  done
}

# A TCP port in 20000-32767 (below the kernel's ephemeral range) nobody listens on now. A
# concurrent caller may still take it first; start.sh retries on "address already in use".
cp_free_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12768))
    if [[ " $* " == *" $port "* ]]; then continue; fi
    if [[ -z $(cp_in ss -Htln "sport = :$port") ]]; then
      echo "$port"
      return 0
    fi
  done
  cp_die "no free TCP port found"
}

cp_tail_logs() {
  local state=$1 f
  for f in "$state"/logs/*.log; do
    [[ -f $f ]] || continue
    echo "==== last 40 lines of $f" >&2
    tail -n 40 "$f" >&2
  done
}

# Writes STATE/env: shell `export` lines describing a running control plane.
cp_write_env() {
  local state=$1 tmp
  # shellcheck disable=SC1091
  source "$state/ports"
  tmp=$state/env.tmp
  {
    echo "# Written by test/controlplane/start.sh; source it."
    printf 'export %s=%q\n' \
      IRONLB_CONTROLPLANE_STATE "$state" \
      KUBECONFIG "$state/kubeconfig" \
      IRONLB_KUBECONFIG "$state/kubeconfig" \
      IRONLB_KUBECONFIG_CERT "$state/kubeconfig-cert" \
      IRONLB_KUBECONFIG_USER "$state/kubeconfig-user" \
      IRONLB_APISERVER_URL "https://127.0.0.1:$APISERVER_PORT" \
      IRONLB_APISERVER_PORT "$APISERVER_PORT" \
      IRONLB_ETCD_URL "http://127.0.0.1:$ETCD_PORT" \
      IRONLB_ETCD_PORT "$ETCD_PORT" \
      IRONLB_ETCD_PEER_PORT "$ETCD_PEER_PORT" \
      IRONLB_CA_CERT "$state/pki/ca.crt" \
      IRONLB_ADMIN_CERT "$state/pki/admin.crt" \
      IRONLB_ADMIN_KEY "$state/pki/admin.key" \
      IRONLB_ADMIN_TOKEN_FILE "$state/tokens/admin.token" \
      IRONLB_ADMIN_TOKEN "$(<"$state/tokens/admin.token")" \
      IRONLB_USER_NAME "ironlb-user" \
      IRONLB_USER_TOKEN_FILE "$state/tokens/user.token" \
      IRONLB_USER_TOKEN "$(<"$state/tokens/user.token")" \
      IRONLB_SA_ISSUER "https://kubernetes.default.svc.cluster.local" \
      IRONLB_KUBECTL "$(cp_kubectl_bin)" \
      IRONLB_HELM "$HELM_BIN_DIR/helm" \
      IRONLB_KUBE_APISERVER "$KUBE_BIN_DIR/kube-apiserver" \
      IRONLB_ETCD "$(cp_etcd_bin)" \
      IRONLB_APISERVER_PID "$(cat "$state/kube-apiserver.pid" 2>/dev/null || true)" \
      IRONLB_ETCD_PID "$(cat "$state/etcd.pid" 2>/dev/null || true)" \
      IRONLB_APISERVER_LOG "$state/logs/kube-apiserver.log" \
      IRONLB_ETCD_LOG "$state/logs/etcd.log" \
      HELM_CACHE_HOME "$state/helm/cache" \
      HELM_CONFIG_HOME "$state/helm/config" \
      HELM_DATA_HOME "$state/helm/data"
  } >"$tmp"
  mv -f "$tmp" "$state/env"
}
