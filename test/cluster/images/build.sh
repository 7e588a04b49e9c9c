#!/usr/bin/env bash
# Builds the two images a test cluster runs besides ironlb, with the same writer as the ironlb
# image (config/image/oci_image.py) and nothing from a registry:
#   test/cluster/images/build.sh OUTDIR
# writes
#   OUTDIR/pause.oci.tar   ironlb.test/pause:1   the pod sandbox process (pause.c, static)
#   OUTDIR/hello.oci.tar   ironlb.test/hello:1   Debian's static busybox serving
#                                                "hello from <pod name>" on port 8080
# Load them with `ctr -n k8s.io images import OUTDIR/<name>.oci.tar` (or docker load -i).
# SOURCE_DATE_EPOCH: the environment's, else the HEAD commit's time, else 0.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$(realpath -m -- "$1")

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

for f in /usr/lib/x86_64-linux-gnu/libc.a /bin/busybox; do
  [ -e "$f" ] || { echo "build.sh: $f missing; run test/deps.sh" >&2; exit 1; }
done

work=$(mktemp -d /tmp/ironlb-test-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

write_image() {  # write_image <spec.json> <archive> <reference>: prints reference and digest
  echo "$3 $(/usr/bin/python3 "$root/config/image/oci_image.py" "$1" "$2")"
}

# pause: built here from source (static, so the image is one file); compiled in the work
# directory under a fixed name so no path of this checkout ends up in the binary.
cp "$here/pause.c" "$work/pause.c"
(cd "$work" && gcc -static -Os -Wall -Wextra -Werror -o pause.unstripped pause.c)
strip -o "$work/pause" "$work/pause.unstripped"
ref=ironlb.test/pause:1
cat >"$work/pause.json" <<EOF
{
  "references": ["$ref"],
  "config": {"Entrypoint": ["/pause"], "User": "65534:65534"},
  "layers": [{"comment": "pause (test/cluster/images/pause.c, static glibc)", "entries": [
    {"type": "file", "path": "/pause", "source": "$work/pause", "mode": "0755"},
    {"type": "file", "path": "/usr/share/doc/libc6-dev/copyright",
     "source": "/usr/share/doc/libc6-dev/copyright"}
  ]}]
}
EOF
write_image "$work/pause.json" "$out/pause.oci.tar" "$ref"

# hello: busybox's sh and httpd. The root filesystem may be read-only, so the page is written
# to /tmp at start; /www points there. sh stays PID 1 so SIGTERM ends the pod at once (httpd
# as PID 1 would ignore it and hold the pod for its whole grace period).
start='mkdir -p /tmp/www && echo "hello from ${HOSTNAME:-$(hostname)}" >/www/index.html || exit 1
httpd -f -p 8080 -h /www &
trap "kill $!; exit 0" TERM INT
wait'
start_json=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$start")
ref=ironlb.test/hello:1
cat >"$work/hello.json" <<EOF
{
  "references": ["$ref"],
  "config": {"Entrypoint": ["/bin/sh", "-c", $start_json], "User": "65534:65534",
             "Env": ["PATH=/bin"], "ExposedPorts": {"8080/tcp": {}}},
  "layers": [{"comment": "busybox-static: sh and httpd", "entries": [
    {"type": "file", "path": "/bin/busybox", "source": "/bin/busybox", "mode": "0755"},
    {"type": "symlink", "path": "/bin/sh", "target": "busybox"},
    {"type": "symlink", "path": "/bin/httpd", "target": "busybox"},
    {"type": "symlink", "path": "/bin/mkdir", "target": "busybox"},
    {"type": "symlink", "path": "/bin/hostname", "target": "busybox"},
    {"type": "dir", "path": "/tmp", "mode": "1777"},
    {"type": "symlink", "path": "/www", "target": "tmp/www"},
    {"type": "file", "path": "/usr/share/doc/busybox-static/copyright",
     "source": "/usr/share/doc/busybox-static/copyright"}
  ]}]
}
EOF
write_image "$work/hello.json" "$out/hello.oci.tar" "$ref"
