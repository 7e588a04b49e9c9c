#!/usr/bin/env python3
"""image_accepted_by_tools: the one archive config/image/build.sh writes is read by the tools
users load and push it with, through both of its faces:

  oci-archive     skopeo inspect reports our manifest digest, tag and labels; skopeo copy into
                  an oci: layout keeps the manifest digest
  docker-archive  skopeo finds the image by its RepoTag, reports the same config (digest,
                  labels, layer diff IDs) and copies it into a dir:
  containerd      `ctr -n k8s.io images import` into a private containerd lists
                  docker.io/ironlb/ironlb:<VERSION> with our manifest digest and unpacks it

(docker load reads the same manifest.json as skopeo's docker-archive transport; there is no
Docker daemon here to run it.)

  test_accepted_by_tools.py --image-dir BUILD/image
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
from pathlib import Path

from imagelib import Image, check, log, main_guard, processes_mentioning, run, \
    stop_process, temp_dir, wait_for

# Only what `ctr images import` needs: content, metadata, images, leases, namespaces, the
# native snapshotter and the walking differ. The CRI plugin stays off (were it on, this VM,
# which withholds CAP_SYS_RESOURCE, would need restrict_oom_score_adj = true); so do the other
# snapshotters, the runtimes and the "opt" plugin, which would create /opt/containerd.
CONTAINERD_CONFIG = """\
version = 2
root = "{tmp}/root"
state = "{tmp}/state"
temp = "{tmp}/temp"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.overlayfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.runtime.v1.linux",
  "io.containerd.monitor.v1.cgroups",
]
[grpc]
  address = "{tmp}/c.sock"
[ttrpc]
  address = "{tmp}/c.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
"""


def skopeo_json(*args: str) -> dict:
    return json.loads(run(["skopeo", *args], timeout=120).stdout)


def check_labels(labels: dict, image: Image, where: str) -> None:
    want = {"org.opencontainers.image.version": image.version,
            "org.opencontainers.image.licenses": "Apache-2.0",
            "org.opencontainers.image.title": "ironlb"}
    for key, value in want.items():
        check(labels.get(key) == value, f"{where}: label {key}={labels.get(key)!r}, want {value!r}")
    for key in ("org.opencontainers.image.revision", "org.opencontainers.image.source",
                "org.opencontainers.image.created", "org.opencontainers.image.description"):
        check(bool(labels.get(key)), f"{where}: label {key} missing")


def check_oci_archive(image: Image, tmp: Path) -> None:
    tag = image.version
    for source in (f"oci-archive:{image.archive}", f"oci-archive:{image.archive}:{tag}"):
        info = skopeo_json("inspect", source)
        check(info["Digest"] == image.digest,
              f"skopeo inspect {source}: digest {info['Digest']}, want {image.digest}")
        check_labels(info["Labels"], image, f"skopeo inspect {source}")
    run(["skopeo", "copy", "--quiet", f"oci-archive:{image.archive}:{tag}", f"oci:{tmp}/oci:{tag}"])
    index = json.loads((tmp / "oci" / "index.json").read_text())
    copied = {(m["digest"], m.get("annotations", {}).get("org.opencontainers.image.ref.name"))
              for m in index["manifests"]}
    check((image.digest, tag) in copied,
          f"skopeo copy to oci: wrote {copied}, want {(image.digest, tag)}")
    log(f"oci-archive: skopeo inspect and copy see {image.digest} tagged {tag}")


def check_docker_archive(image: Image, tmp: Path) -> None:
    # docker-archive carries no manifest of its own; skopeo synthesises one from manifest.json,
    # so what must match is the config (digest and content) and the layers' diff IDs.
    source = f"docker-archive:{image.archive}:{image.ref}"
    config_digest = image.manifest["config"]["digest"]
    raw = skopeo_json("inspect", "--raw", source)
    check(raw["config"]["digest"] == config_digest,
          f"skopeo inspect --raw {source}: config {raw['config']['digest']}, want {config_digest}")
    diff_ids = image.config["rootfs"]["diff_ids"]
    check([layer["digest"] for layer in raw["layers"]] == diff_ids,
          f"skopeo inspect --raw {source}: layers {raw['layers']}, want diff IDs {diff_ids}")
    check_labels(skopeo_json("inspect", source)["Labels"], image, f"skopeo inspect {source}")
    run(["skopeo", "copy", "--quiet", source, f"dir:{tmp}/dir"])
    copied = json.loads((tmp / "dir" / "manifest.json").read_text())
    check(copied["config"]["digest"] == config_digest,
          f"skopeo copy to dir: config {copied['config']['digest']}, want {config_digest}")
    check((tmp / "dir" / config_digest.split(":", 1)[1]).is_file(), "dir: has no config blob")
    log(f"docker-archive: skopeo finds {image.ref}, config {config_digest}")


def check_containerd(image: Image, tmp: Path) -> None:
    (tmp / "config.toml").write_text(CONTAINERD_CONFIG.format(tmp=tmp))
    sock = tmp / "c.sock"
    check(len(str(sock)) + len(".ttrpc") < 100, f"socket path {sock} too long for AF_UNIX")
    with open(tmp / "containerd.log", "wb") as logf:
        daemon = subprocess.Popen(["containerd", "--config", str(tmp / "config.toml")],
                                  stdout=logf, stderr=subprocess.STDOUT)
    try:
        ctr = ["ctr", "--address", str(sock), "-n", "k8s.io"]
        wait_for(lambda: daemon.poll() is not None or
                 run(ctr + ["version"], check_rc=False, timeout=10).returncode == 0,
                 20, "containerd to answer on its socket")
        check(daemon.poll() is None,
              "containerd exited:\n" + (tmp / "containerd.log").read_text()[-3000:])
        run(ctr + ["images", "import", "--snapshotter", "native", str(image.archive)],
            timeout=180)
        listing = run(ctr + ["images", "ls"]).stdout
        name = f"docker.io/{image.ref}"
        rows = {tuple(line.split()[:3]) for line in listing.splitlines()[1:]}
        check((name, "application/vnd.oci.image.manifest.v1+json", image.digest) in rows,
              f"ctr images ls shows\n{listing}\nwant {name} {image.digest}")
        # "complete" and unpacked: every blob arrived and every layer applied.
        check_out = run(ctr + ["images", "check", "--snapshotter", "native"]).stdout
        row = next((line.split() for line in check_out.splitlines() if line.startswith(name)), [])
        check(len(row) > 4 and row[3] == "complete" and row[-1] == "true",
              f"ctr images check:\n{check_out}")
        log(f"containerd: imported {name} {image.digest}")
    finally:
        stop_process(daemon)
        # Shims re-parent themselves away from containerd; anything naming our directory goes.
        for pid in processes_mentioning(str(tmp)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-dir", required=True, type=Path)
    args = parser.parse_args()
    image = Image.load(args.image_dir)
    log(f"image {image.ref} {image.digest} ({image.archive})")
    with temp_dir("ilb-img-tools.") as tmp:
        check_oci_archive(image, tmp)
        check_docker_archive(image, tmp)
        (tmp / "ctd").mkdir()
        check_containerd(image, tmp / "ctd")


if __name__ == "__main__":
    main_guard(main)
