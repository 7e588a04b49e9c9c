#!/usr/bin/env bash
# Builds the test control plane's binaries into the cache, skipping those already there:
#   $IRONLB_CACHE/kubernetes-<v>/kube-apiserver, .../kubectl   (from gomod/kubernetes)
#   $IRONLB_CACHE/kubernetes-<v>/{kube-controller-manager,kube-scheduler,kubelet,kube-proxy}
#                                                   (same module; the test cluster, test/cluster)
#   $IRONLB_CACHE/helm-<v>/helm                                (from gomod/helm)
# IRONLB_CACHE defaults to ~/.cache/ironlb. The Go module cache and build cache live under
# $IRONLB_CACHE/go too, so caching that one directory in CI keeps everything. Everything is
# fetched through the Go module proxy; go.sum in each wrapper module pins every checksum.
# Concurrent callers serialise on a lock; the second one finds the binaries built.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$IRONLB_CACHE"
exec {lockfd}>"$IRONLB_CACHE/.build.lock"
if ! flock -n "$lockfd"; then
  cp_log "another build.sh holds $IRONLB_CACHE/.build.lock; waiting"
  flock "$lockfd"
fi

# Already built? Then don't even look for Go.
need=()
for cmd in "${KUBE_COMMANDS[@]}"; do
  [[ -x $KUBE_BIN_DIR/$cmd ]] || need+=("$cmd")
done
[[ -x $HELM_BIN_DIR/helm ]] || need+=(helm)
if ((${#need[@]} == 0)); then
  cp_log "cached: $KUBE_BIN_DIR/{$(IFS=,; echo "${KUBE_COMMANDS[*]}")} $HELM_BIN_DIR/helm"
  exit 0
fi

GO=$(command -v go || echo /usr/local/go/bin/go)
[[ -x $GO ]] || cp_die "Go not found (looked in PATH and /usr/local/go/bin); it is needed to build ${need[*]}"

export GOPATH=$IRONLB_CACHE/go
export GOMODCACHE=$IRONLB_CACHE/go/mod
export GOCACHE=$IRONLB_CACHE/go/build
export GOPROXY=${GOPROXY:-https://proxy.golang.org,direct}
# go.sum is committed and complete; -mod=readonly makes a missing entry an error instead of
# a lookup. "auto" uses the machine's Go when it is new enough for the wrapper's go.mod and
# otherwise fetches that toolchain through the module proxy.
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOTOOLCHAIN=${IRONLB_GOTOOLCHAIN:-auto}
export CGO_ENABLED=0

# build_one MODULE_DIR OUT PACKAGE LDFLAGS: go build into a temporary name, then rename, so
# an interrupted build never leaves a half-written binary that looks cached.
build_one() {
  local moddir=$1 out=$2 pkg=$3 ldflags=$4 start=$SECONDS
  mkdir -p "$(dirname "$out")"
  cp_log "building $pkg -> $out (this takes minutes on a cold cache)"
  (cd "$moddir" && "$GO" build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg") ||
    {
      rm -f "$out.tmp.$$"
      cp_die "building $pkg failed"
    }
  mv -f "$out.tmp.$$" "$out"
  cp_log "built $out in $((SECONDS - start))s"
}

total_start=$SECONDS
cp_log "using $("$GO" version) (GOTOOLCHAIN=$GOTOOLCHAIN), cache $IRONLB_CACHE"

kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$KUBE_MAJOR"
  kube_ldflags+=" -X $pkg.gitMinor=$KUBE_MINOR -X $pkg.gitTreeState=clean"
done
for cmd in "${KUBE_COMMANDS[@]}"; do
  if [[ ! -x $KUBE_BIN_DIR/$cmd ]]; then
    build_one "$CP_DIR/gomod/kubernetes" "$KUBE_BIN_DIR/$cmd" "k8s.io/kubernetes/cmd/$cmd" "$kube_ldflags"
  fi
done

if [[ ! -x $HELM_BIN_DIR/helm ]]; then
  # Helm's Makefile stamps its version and the Kubernetes version its client libraries
  # speak (from client-go v0.M.P -> 1.M), which `helm lint` and .Capabilities default to.
  client_go=$(cd "$CP_DIR/gomod/helm" && "$GO" list -m -f '{{.Version}}' k8s.io/client-go)
  helm_k8s_minor=$(echo "$client_go" | cut -d. -f2)
  helm_ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  helm_ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    helm_ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$helm_k8s_minor"
  done
  build_one "$CP_DIR/gomod/helm" "$HELM_BIN_DIR/helm" helm.sh/helm/v3/cmd/helm "$helm_ldflags"
fi

cp_log "done in $((SECONDS - total_start))s; cache size $(du -sh "$IRONLB_CACHE" | cut -f1)"
