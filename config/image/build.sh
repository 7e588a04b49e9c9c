#!/usr/bin/env bash
# Builds the ironlb container image without a container engine or a base image from a registry:
#   config/image/build.sh [--build-dir DIR] [--no-build] [--out DIR] [--arm64-build-dir DIR]
#
# Unless --no-build, installs the build dependencies (test/deps.sh) and builds the release
# daemons in DIR (default build/) exactly as test/sandbox.sh does. Then it writes, under --out
# (default DIR/image):
#   ironlb-<VERSION>.oci.tar   the image: an OCI image layout and a docker-archive in one tar
#   ironlb.ref                 its reference, ironlb/ironlb:<VERSION>
#   ironlb.digest              its manifest digest, sha256:...
#   ironlb.spec.json, ironlb.summary.json   what went in and the sizes, for inspection
#   ironlb.spdx.json           the SBOM (SPDX 2.3): the Debian packages and ironlb it ships
#   bin/                       the stripped daemons the spec names
# With --arm64-build-dir (the cross-built tree, test/build-env.sh ironlb_build_arm64, built
# unless --no-build) also the linux/arm64 image, and one index of both:
#   arm64/                     the same files for the arm64 image (its runtime layer from
#                              Debian's arm64 packages, cmake/aarch64-sysroot.sh)
#   ironlb-<VERSION>.multiarch.oci.tar   an OCI image index of both, tagged ironlb/ironlb:<VERSION>
#   ironlb.multiarch.digest    the index's digest
# The content comes from the release build (stripped copies) and this Debian machine
# (config/image/ironlb_image.py); the archive from config/image/oci_image.py. The same
# sources, Debian packages and SOURCE_DATE_EPOCH give the same digest (docs/image.md).
#
# SOURCE_DATE_EPOCH (every timestamp in the image) is taken from the environment, else from the
# HEAD commit, else 0.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
out=""
no_build=false
arm64_build=""

usage() {
  echo "usage: $0 [--build-dir DIR] [--no-build] [--out DIR] [--arm64-build-dir DIR]" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --build-dir) [ $# -ge 2 ] || usage; build=$2; shift ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift ;;
    --arm64-build-dir) [ $# -ge 2 ] || usage; arm64_build=$(realpath -m -- "$2"); shift ;;
    --no-build) no_build=true ;;
    *) usage ;;
  esac
  shift
done
# Relative paths mean relative to where the command was typed, not to the repository.
build=$(realpath -m -- "$build")
out=$(realpath -m -- "${out:-$build/image}")
cd "$root"

read_version() {  # the one version number (VERSION), checked so a typo cannot become a tag
  local v
  v=$(tr -d '[:space:]' <VERSION)
  if ! [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "build.sh: VERSION '$v' is not X.Y.Z" >&2
    exit 1
  fi
  echo "$v"
}

revision() {  # the commit, marked -dirty when the work tree differs from it
  local rev
  rev=$(git rev-parse HEAD 2>/dev/null) || { echo unknown; return; }
  [ -z "$(git status --porcelain 2>/dev/null)" ] || rev+=-dirty
  echo "$rev"
}

source_url() {  # the first entry of sources: in the chart, so the image and chart agree
  awk '/^sources:/ {s = 1; next} s && /^ *- / {print $2; exit} s && !/^ *- / {exit}' \
    config/helm/ironlb/Chart.yaml
}

mib() { numfmt --to=iec-i --suffix=B --round=nearest --format=%.1f "$1"; }

if ! $no_build; then
  bash test/deps.sh
  # shellcheck source=../../test/build-env.sh
  source test/build-env.sh
  echo "== building ironlb-controller and ironlb-speaker ($build)"
  ironlb_configure_build "$build" ironlb-daemons "${IRONLB_RELEASE_ARGS[@]}"
  if [ -n "$arm64_build" ]; then
    echo "== cross-building the arm64 daemons ($arm64_build)"
    ironlb_build_arm64 "$arm64_build"
  fi
fi

for tree in "$build" ${arm64_build:+"$arm64_build"}; do
  hint="build it or drop --no-build"
  [ "$tree" = "$build" ] ||
    hint="build it (root=\$PWD; source test/build-env.sh; ironlb_build_arm64 $tree) or drop --no-build"
  for bin in "$tree/controller/daemon/ironlb-controller" "$tree/speaker/daemon/ironlb-speaker"; do
    [ -x "$bin" ] || { echo "build.sh: $bin missing; $hint" >&2; exit 1; }
  done
done

version=$(read_version)
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
source=$(source_url)
if [ -z "$source" ]; then
  echo "build.sh: no sources: entry in config/helm/ironlb/Chart.yaml" >&2
  exit 1
fi
# The chart pulls ironlb/ironlb:<appVersion>: an image tagged otherwise would never be used.
chart_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' \
  config/helm/ironlb/Chart.yaml)
if [ "$chart_version" != "$version" ]; then
  echo "build.sh: Chart.yaml appVersion '$chart_version' is not VERSION '$version';" \
    "run config/render-manifests.sh" >&2
  exit 1
fi

ref=ironlb/ironlb:$version
archive=$out/ironlb-$version.oci.tar

assemble() {  # <tree> <out> <strip> [ironlb_image.py args]: one image from one build tree
  local tree=$1 dir=$2 strip_tool=$3
  shift 3
  # Stripped copies, kept beside the archive so ironlb.spec.json stays a complete record of
  # what went in (and can be written again, e.g. under another tag): the image carries no
  # debug info, and the build tree stays untouched.
  local work=$dir/bin digest
  mkdir -p "$work"
  "$strip_tool" -o "$work/ironlb-controller" "$tree/controller/daemon/ironlb-controller"
  "$strip_tool" -o "$work/ironlb-speaker" "$tree/speaker/daemon/ironlb-speaker"
  digest=$(/usr/bin/python3 config/image/ironlb_image.py \
    --controller "$work/ironlb-controller" --speaker "$work/ironlb-speaker" --license LICENSE \
    --version "$version" --revision "$(revision)" --source "$source" \
    --out "$dir/ironlb-$version.oci.tar" --spec-out "$dir/ironlb.spec.json" \
    --summary "$dir/ironlb.summary.json" --sbom-out "$dir/ironlb.spdx.json" "$@")
  echo "$ref" >"$dir/ironlb.ref"
  echo "$digest" >"$dir/ironlb.digest"
}

assemble "$build" "$out" strip
digest=$(cat "$out/ironlb.digest")
if [ -n "$arm64_build" ]; then
  assemble "$arm64_build" "$out/arm64" aarch64-linux-gnu-strip --arch arm64 \
    --sysroot "$(bash cmake/aarch64-sysroot.sh)"
  index_digest=$(/usr/bin/python3 config/image/oci_image.py --index \
    "$out/ironlb-$version.multiarch.oci.tar" "$archive" "$out/arm64/ironlb-$version.oci.tar" \
    --reference "$ref")
  echo "$index_digest" >"$out/ironlb.multiarch.digest"
fi

sizes=$(/usr/bin/python3 -c '
import json, sys
layers = json.load(open(sys.argv[1]))["layers"]
print(sum(l["content_size"] for l in layers), *(l["content_size"] for l in layers))
' "$out/ironlb.summary.json")
read -r unpacked runtime app <<<"$sizes"
echo "image     $ref"
echo "digest    $digest"
echo "archive   $archive ($(mib "$(stat -c %s "$archive")"))"
echo "unpacked  $(mib "$unpacked") (runtime layer $(mib "$runtime"), app layer $(mib "$app"))"
echo "sbom      $out/ironlb.spdx.json ($(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["packages"]) - 2)' "$out/ironlb.spdx.json") Debian packages)"
echo "push      skopeo copy oci-archive:$archive docker://<registry>/$ref"
echo "load      docker load -i $archive   or   ctr -n k8s.io images import $archive"
if [ -n "$arm64_build" ]; then
  echo "arm64     $out/arm64/ironlb-$version.oci.tar ($(mib "$(stat -c %s "$out/arm64/ironlb-$version.oci.tar")")), digest $(cat "$out/arm64/ironlb.digest")"
  echo "index     $out/ironlb-$version.multiarch.oci.tar (linux/amd64 + linux/arm64), digest $index_digest"
  echo "push all  skopeo copy --all oci-archive:$out/ironlb-$version.multiarch.oci.tar docker://<registry>/$ref"
fi
