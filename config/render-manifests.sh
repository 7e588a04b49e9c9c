#!/usr/bin/env bash
# Regenerates everything in the repository that is derived from other files:
#   crds/*.yaml                       from crds/generate.py
#   config/helm/ironlb/files/crds/    copies of crds/*.yaml (the chart cannot reach outside itself)
#   config/manifests/ironlb.yaml      the chart rendered for `kubectl apply` into metallb-system
#   config/helm/ironlb/Chart.yaml     version and appVersion from VERSION (the one version number;
#                                     the chart's default image tag is appVersion)
#   config/helm/ironlb/files/dashboards/ironlb.json   from config/dashboards/generate.py
#
#   config/render-manifests.sh          rewrite the files
#   config/render-manifests.sh --check  change nothing; exit 1 and show a diff if any is stale
#
# Needs /usr/bin/python3 with PyYAML (Debian python3-yaml) and helm: $IRONLB_HELM, else helm on
# PATH, else the one test/controlplane/build.sh puts in ${IRONLB_CACHE:-~/.cache/ironlb}/helm-<v>.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

helm=${IRONLB_HELM:-}
if [ -z "$helm" ]; then
  if command -v helm >/dev/null 2>&1; then
    helm=$(command -v helm)
  else
    # shellcheck source=../test/controlplane/lib.sh
    helm=$(source "$root/test/controlplane/lib.sh" >/dev/null 2>&1 && echo "$HELM_BIN_DIR/helm")
  fi
  if [ ! -x "$helm" ]; then
    echo "render-manifests.sh: no helm; set IRONLB_HELM or run test/controlplane/build.sh" >&2
    exit 1
  fi
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/crds" "$out/chart-crds" "$out/manifests"

/usr/bin/python3 "$root/crds/generate.py" "$out/crds"
cp "$out/crds/"*.yaml "$out/chart-crds/"
/usr/bin/python3 "$root/config/dashboards/generate.py" "$out/dashboard.json"

# Render from a copy of the chart that carries the freshly generated CRDs, so one run is enough
# even when the committed copies are stale.
cp -r "$root/config/helm/ironlb" "$out/chart"
# The chart's version and appVersion are VERSION, set before rendering so the labels carry it.
version=$(tr -d '[:space:]' <"$root/VERSION")
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "render-manifests.sh: VERSION '$version' is not X.Y.Z" >&2
  exit 1
fi
for key in version appVersion; do
  grep -q "^$key:" "$out/chart/Chart.yaml" ||
    { echo "render-manifests.sh: no $key: line in Chart.yaml" >&2; exit 1; }
done
sed -i -E -e "s/^version:.*/version: $version/" -e "s/^appVersion:.*/appVersion: \"$version\"/" \
  "$out/chart/Chart.yaml"
rm -f "$out/chart/files/crds/"*.yaml
cp "$out/crds/"*.yaml "$out/chart/files/crds/"
cp "$out/dashboard.json" "$out/chart/files/dashboards/ironlb.json"
{
  cat <<'HEADER'
# ironlb plain manifests, rendered from config/helm/ironlb by config/render-manifests.sh.
# Do not edit; change the chart and re-run the script.
#
# Installs into namespace metallb-system, so MetalLB IPAddressPool/L2Advertisement manifests apply
# unchanged. The speakers' membership key is not included (a published key would be no secret):
# the controller creates Secret ironlb-memberlist with a random key when it is absent and never
# overwrites it; speakers wait for it (docs/membership.md, "The key"). To use your own key,
# create the Secret (key "secretkey", at least 16 bytes) before applying:
#
#   kubectl apply -f ironlb.yaml
HEADER
  "$helm" template ironlb "$out/chart" --namespace metallb-system \
    --set namespace.create=true
} >"$out/manifests/ironlb.yaml"

stale=0
compare() {  # compare <generated> <committed>
  if ! diff -u "$2" "$1" >"$out/diff" 2>&1; then
    stale=1
    if $check; then
      echo "stale: ${2#"$root"/}" >&2
      head -n 40 "$out/diff" >&2
    fi
  fi
}

for f in "$out/crds/"*.yaml; do
  compare "$f" "$root/crds/$(basename "$f")"
  compare "$f" "$root/config/helm/ironlb/files/crds/$(basename "$f")"
done
compare "$out/manifests/ironlb.yaml" "$root/config/manifests/ironlb.yaml"
compare "$out/chart/Chart.yaml" "$root/config/helm/ironlb/Chart.yaml"
compare "$out/dashboard.json" "$root/config/helm/ironlb/files/dashboards/ironlb.json"
# A CRD file that generate.py no longer writes is stale too.
for f in "$root/crds/"*.yaml "$root/config/helm/ironlb/files/crds/"*.yaml; do
  [ -e "$f" ] || continue
  if [ ! -e "$out/crds/$(basename "$f")" ]; then
    stale=1
    $check && echo "stale: ${f#"$root"/} (no longer generated)" >&2
  fi
done

if $check; then
  if [ "$stale" -ne 0 ]; then
    echo "generated files are stale: run config/render-manifests.sh and commit the result" >&2
    exit 1
  fi
  echo "generated files are up to date"
  exit 0
fi

rm -f "$root/crds/"*.yaml "$root/config/helm/ironlb/files/crds/"*.yaml
cp "$out/crds/"*.yaml "$root/crds/"
cp "$out/crds/"*.yaml "$root/config/helm/ironlb/files/crds/"
mkdir -p "$root/config/manifests"
cp "$out/manifests/ironlb.yaml" "$root/config/manifests/ironlb.yaml"
cp "$out/chart/Chart.yaml" "$root/config/helm/ironlb/Chart.yaml"
cp "$out/dashboard.json" "$root/config/helm/ironlb/files/dashboards/ironlb.json"
echo "rendered crds/, config/helm/ironlb/files/crds/, config/manifests/ironlb.yaml, the" \
  "dashboard and the version in config/helm/ironlb/Chart.yaml ($version)"
