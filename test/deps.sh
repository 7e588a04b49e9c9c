#!/usr/bin/env bash
# Installs every Debian package that building, testing and the sandbox need.
# Idempotent and quiet when everything is already there; both README commands call it.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache clang clang-format libclang-rt-14-dev
  clang-tidy-14
  # libraries (product)
  libpcap-dev libnl-3-dev libnl-route-3-dev libboost-dev libyaml-cpp-dev
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libspdlog-dev
  # libraries (tests, benchmarks)
  libgtest-dev libgmock-dev libbenchmark-dev
  # test control plane and sandbox
  etcd-server openssl curl ca-certificates
  # network namespaces and real clients
  iproute2 iputils-ping iputils-arping ndisc6 python3 python3-scapy tcpdump procps psmisc
  # CRD generator (crds/generate.py) and the Helm chart tests read and write YAML
  python3-yaml
  # container images without a registry: test-cluster images, runtimes and the image tests
  busybox-static containerd runc skopeo strace
  # BGP mode (docs/bgp.md): FRR on the test nodes (its parser also checks ironlb's
  # configurations) and BIRD 2 as the test router, an implementation that is not FRR
  frr bird2
  # the test cluster's nodes (test/cluster): pod networking and kube-proxy's iptables mode
  containernetworking-plugins iptables conntrack
  # the arm64 image: Debian's cross compiler, and qemu to start its daemons in a test
  # (the arm64 libraries are unpacked, not installed: cmake/aarch64-sysroot.sh)
  g++-aarch64-linux-gnu qemu-user-static
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages (${missing[*]}); run as root" >&2
    exit 1
  fi
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages such as frr start their daemons on install; none may run on this machine's own
  # interfaces, so package scripts are refused service starts while we install (Debian's
  # policy-rc.d convention), unless the machine already has a policy of its own.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubectl: the machine's own if present (it drives the real API server); Debian's
# kubernetes-client is too old (1.20) to talk to a 1.32 server, so we don't fall back to it.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "deps.sh: kubectl not found; test/controlplane builds one into the cache" >&2
fi

# promtool (the alert tests evaluate the chart's PrometheusRule with it): Debian's prometheus
# package, unpacked into the cache rather than installed, because installing it starts a
# Prometheus server listening on every interface. Keyed by the package version.
cache=${IRONLB_CACHE:-$HOME/.cache/ironlb}
prom_version=$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^ *Candidate: *//p')
if [ -z "$prom_version" ] || [ "$prom_version" = "(none)" ]; then
  [ "$(id -u)" -ne 0 ] || apt-get update -qq
  prom_version=$(apt-cache policy prometheus 2>/dev/null | sed -n 's/^ *Candidate: *//p')
fi
prom_dir=$cache/prometheus-${prom_version//[^A-Za-z0-9.+-]/_}
if [ ! -x "$prom_dir/usr/bin/promtool" ]; then
  echo "deps.sh: unpacking promtool from Debian's prometheus $prom_version into $prom_dir"
  tmp=$(mktemp -d)
  chmod 0777 "$tmp"  # apt-get download writes as the _apt user
  (cd "$tmp" && apt-get download -qq "prometheus=$prom_version" >/dev/null) &&
    mkdir -p "$prom_dir" && dpkg-deb -x "$tmp"/prometheus_*.deb "$prom_dir"
  rm -rf "$tmp"
  [ -x "$prom_dir/usr/bin/promtool" ] || { echo "deps.sh: no promtool in $prom_dir" >&2; exit 1; }
fi
mkdir -p "$cache/bin"
ln -sfn "$prom_dir/usr/bin/promtool" "$cache/bin/promtool"
