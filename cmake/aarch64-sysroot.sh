#!/usr/bin/env bash
# Builds (once) the arm64 sysroot the cross build links against and the arm64 image is made
# from, and prints its path:
#   cmake/aarch64-sysroot.sh
# It holds Debian's arm64 packages of every library the daemons use (and what their -dev
# packages need), unpacked, never installed: installing them beside the amd64 ones would
# make apt remove packages that are not co-installable (libyaml-cpp-dev is not Multi-Arch:
# same). apt resolves and downloads them from this machine's own package lists, which is why
# arm64 is added to dpkg's architectures (docs/image.md, "arm64").
#
# Cached under $IRONLB_CACHE/sysroot-aarch64-<key>, the key being the exact package versions
# apt resolves: a Debian update gives a new sysroot, anything else reuses the old one.
# Beside the files it records, under var/lib/ironlb-sysroot/:
#   files.tsv      <package>\t<path> for every file and symlink (paths after usrmerge)
#   packages.tsv   Package, Version, Architecture, Source, Maintainer, Homepage of each package
# which config/image/ironlb_image.py --sysroot reads instead of dpkg's database.
set -euo pipefail

packages=(
  # C and C++ runtime and headers (the cross compiler brings its own, for its own use)
  libc6-dev libstdc++-12-dev
  # the daemons' libraries, as in test/deps.sh
  libpcap-dev libnl-3-dev libnl-route-3-dev libboost-dev libyaml-cpp-dev libcpp-httplib-dev
  libssl-dev nlohmann-json3-dev libspdlog-dev
  # CMakeLists.txt finds GTest unconditionally (no test is built in the cross tree)
  libgtest-dev libgmock-dev
  # OpenSSL's configuration file and its /usr/lib/ssl links, for the image
  openssl
)

cache=${IRONLB_CACHE:-$HOME/.cache/ironlb}
apt_dir=$cache/apt-aarch64
mkdir -p "$apt_dir/archives/partial" "$apt_dir/cache"
exec 9>"$apt_dir/lock"  # one builder at a time (clones share the cache)
flock 9
: >"$apt_dir/status"  # an empty dpkg database: apt resolves every dependency
apt_opts=(-o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::archives=$apt_dir/archives" -o APT::Architecture=arm64
  -o APT::Architectures::=arm64 -o APT::Architectures::=all -o APT::Install-Recommends=false
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$(id -u)" -eq 0 ] || { echo "aarch64-sysroot.sh: run as root once (dpkg --add-architecture arm64)" >&2; exit 1; }
  dpkg --add-architecture arm64
fi
resolve() {  # name=version lines of everything apt would download
  apt-get "${apt_opts[@]}" -s install "${packages[@]}" 2>/dev/null |
    sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' | sort
}
resolved=$(resolve || true)
if [ -z "$resolved" ]; then  # no arm64 package lists yet
  apt-get update -qq >&2
  resolved=$(resolve)
fi
key=$(sha256sum <<<"$resolved" | cut -c1-16)
sysroot=$cache/sysroot-aarch64-$key
if [ -f "$sysroot/var/lib/ironlb-sysroot/complete" ]; then
  echo "$sysroot"
  exit 0
fi

echo "aarch64-sysroot.sh: unpacking $(wc -l <<<"$resolved") arm64 packages into $sysroot" >&2
if ! apt-get "${apt_opts[@]}" -qq --download-only -y install "${packages[@]}" >&2; then
  # Lists older than the mirror name files it no longer has: refresh, resolve again, retry.
  apt-get update -qq >&2
  resolved=$(resolve)
  apt-get "${apt_opts[@]}" -qq --download-only -y install "${packages[@]}" >&2
  key=$(sha256sum <<<"$resolved" | cut -c1-16)
  sysroot=$cache/sysroot-aarch64-$key
fi
rm -rf "$sysroot" "$sysroot.tmp"
mkdir -p "$sysroot.tmp/var/lib/ironlb-sysroot"
meta=$sysroot.tmp/var/lib/ironlb-sysroot
for top in bin lib sbin; do  # Debian's usrmerge, as on the build machine and in the image
  mkdir -p "$sysroot.tmp/usr/$top"
  ln -s "usr/$top" "$sysroot.tmp/$top"
done
printf 'Package\tVersion\tArchitecture\tSource\tMaintainer\tHomepage\n' >"$meta/packages.tsv"
unpack=$(mktemp -d)
trap 'rm -rf "$unpack"' EXIT
while IFS='=' read -r name version; do
  deb=$(ls "$apt_dir/archives/${name}_${version//:/%3a}_"*.deb)
  rm -rf "$unpack/root" && mkdir "$unpack/root"
  dpkg-deb -x "$deb" "$unpack/root"
  # /lib/x -> /usr/lib/x: moved before copying so the sysroot's own symlinks stay in place.
  for top in bin lib sbin; do
    if [ -d "$unpack/root/$top" ] && [ ! -L "$unpack/root/$top" ]; then
      mkdir -p "$unpack/root/usr/$top"
      cp -a "$unpack/root/$top/." "$unpack/root/usr/$top/"
      rm -rf "${unpack:?}/root/$top"
    fi
  done
  (cd "$unpack/root" && find . ! -type d | sed "s|^\.|$name\t|") >>"$meta/files.tsv"
  cp -a "$unpack/root/." "$sysroot.tmp/"
  fields=()
  for f in Package Version Architecture Source Maintainer Homepage; do
    fields+=("$(dpkg-deb -f "$deb" "$f")")
  done
  (IFS=$'\t' && echo "${fields[*]}") >>"$meta/packages.tsv"
done <<<"$resolved"
# Absolute library symlinks (libz.so -> /lib/aarch64-linux-gnu/libz.so.1) would point into
# this machine's own /lib: relative ones stay inside the sysroot.
find "$sysroot.tmp/usr/lib" "$sysroot.tmp/usr/include" -type l -lname '/*' | while read -r link; do
  target=$(readlink "$link")
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot.tmp$target")" "$link"
done
sort -o "$meta/files.tsv" "$meta/files.tsv"
touch "$meta/complete"
mv "$sysroot.tmp" "$sysroot"
echo "$sysroot"
