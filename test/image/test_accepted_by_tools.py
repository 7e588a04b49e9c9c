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
from pathlib import Path

from imagelib import Image, check, containerd_import, log, main_guard, private_containerd, \
    run, temp_dir


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
    with private_containerd(tmp) as ctr:
        name = f"docker.io/{image.ref}"
        containerd_import(ctr, image.archive, name, "application/vnd.oci.image.manifest.v1+json",
                          image.digest)
        log(f"containerd: imported {name} {image.digest}")


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
