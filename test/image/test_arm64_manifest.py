#!/usr/bin/env python3
"""image_arm64_manifest_declares_arch: the arm64 image says it is linux/arm64, and the
multi-arch archive's index offers both images under the one tag the chart pulls.

  - arm64/ironlb-<V>.oci.tar: the image config says architecture arm64, os linux; its SBOM
    and dpkg records name arm64 packages; the amd64 archive's config still says amd64
  - ironlb-<V>.multiarch.oci.tar: index.json tags ironlb/ironlb:<V> (the chart's image) with
    an image index listing exactly linux/amd64 and linux/arm64, each platform pointing at
    the manifest digest its own archive has (ironlb.digest, arm64/ironlb.digest) and at a
    config that declares the same platform; every blob the index reaches is in the archive
    and matches its digest
  - writing the index again from the two archives gives the same bytes (deterministic)
  - skopeo reads the index and copies both platforms out of the archive (--all)
  - a private containerd imports the multi-arch archive as docker.io/ironlb/ironlb:<V> (the
    name the chart's pods pull) and unpacks it for this machine's platform: what a node does
    with the tag when a registry serves the index

  test_arm64_manifest.py --image-dir BUILD/image
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tarfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imagelib import Image, check, containerd_import, log, main_guard, private_containerd, \
    run, temp_dir

PY = "/usr/bin/python3"
OCI_IMAGE = Path(__file__).resolve().parents[2] / "config/image/oci_image.py"
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def check_arm64_image(image: Image, amd64: Image) -> None:
    platform = (image.config.get("os"), image.config.get("architecture"))
    check(platform == ("linux", "arm64"), f"{image.archive}: config says {platform}, want "
          "('linux', 'arm64')")
    amd64_platform = (amd64.config.get("os"), amd64.config.get("architecture"))
    check(amd64_platform == ("linux", "amd64"),
          f"{amd64.archive}: config says {amd64_platform}, want ('linux', 'amd64')")
    check(image.ref == amd64.ref, f"arm64 image tagged {image.ref}, amd64 {amd64.ref}")
    sbom = json.loads((image.archive.parent / "ironlb.spdx.json").read_text())
    purls = [ref["referenceLocator"] for pkg in sbom["packages"]
             for ref in pkg.get("externalRefs", [])]
    arches = {p.split("arch=", 1)[1].split("&", 1)[0] for p in purls}
    check("arm64" in arches and "amd64" not in arches,
          f"the arm64 image's SBOM names architectures {sorted(arches)}: want arm64 "
          "(and 'all'), no amd64")
    log(f"arm64 archive: config linux/arm64, {len(purls)} SBOM packages of {sorted(arches)}; "
        "amd64 archive: config linux/amd64")


def check_index(archive: Path, expected: dict[tuple[str, str], str], ref: str) -> None:
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())

        def blob(digest: str) -> bytes:
            name = "blobs/sha256/" + digest.split(":", 1)[1]
            check(name in names, f"{archive}: {name} missing")
            data = tar.extractfile(name).read()
            check("sha256:" + hashlib.sha256(data).hexdigest() == digest,
                  f"{archive}: {name} does not match its digest")
            return data

        top = json.loads(tar.extractfile("index.json").read())
        check(len(top["manifests"]) == 1, f"{archive}: index.json lists "
              f"{len(top['manifests'])} entries, want one (the tag)")
        tagged = top["manifests"][0]
        check(tagged["mediaType"] == MEDIA_INDEX,
              f"{archive}: the tag points at {tagged['mediaType']}, want an image index")
        name = tagged.get("annotations", {}).get("io.containerd.image.name", "")
        check(name == f"docker.io/{ref}", f"{archive}: tagged {name!r}, want docker.io/{ref}")
        index = json.loads(blob(tagged["digest"]))
        found: dict[tuple[str, str], str] = {}
        for entry in index["manifests"]:
            check(entry["mediaType"] == MEDIA_MANIFEST, f"{archive}: index entry {entry}")
            platform = (entry["platform"]["os"], entry["platform"]["architecture"])
            check(platform not in found, f"{archive}: {platform} listed twice")
            manifest = json.loads(blob(entry["digest"]))
            config = json.loads(blob(manifest["config"]["digest"]))
            check((config["os"], config["architecture"]) == platform,
                  f"{archive}: index says {platform} for a config of "
                  f"{(config['os'], config['architecture'])}")
            for layer in manifest["layers"]:
                blob(layer["digest"])
            found[platform] = entry["digest"]
    check(found == expected, f"{archive}: index lists {found}, want {expected}")
    log(f"multi-arch archive: {ref} -> index of {sorted('/'.join(p) for p in found)}, each "
        "the digest of its own archive, every blob present and intact")


def check_rewrite(archive: Path, amd64: Image, arm64: Image) -> None:
    with temp_dir("ilb-img-index-again.") as tmp:
        again = tmp / archive.name
        run([PY, str(OCI_IMAGE), "--index", str(again), str(amd64.archive), str(arm64.archive),
             "--reference", amd64.ref], env={**os.environ, "SOURCE_DATE_EPOCH": str(
                 int(datetime.strptime(amd64.config["created"], "%Y-%m-%dT%H:%M:%SZ")
                     .replace(tzinfo=timezone.utc).timestamp()))})
        same = again.read_bytes() == archive.read_bytes()
    check(same, f"{archive}: writing the index again gave different bytes")
    log("the index written again from the two archives: identical bytes")


def check_skopeo(archive: Path) -> None:
    raw: dict[str, Any] = json.loads(run(["skopeo", "inspect", "--raw",
                                          f"oci-archive:{archive}"]).stdout)
    arches = sorted(m["platform"]["architecture"] for m in raw.get("manifests", []))
    check(arches == ["amd64", "arm64"], f"skopeo inspect --raw: platforms {arches}")
    with temp_dir("ironlb-image-index-") as tmp:
        run(["skopeo", "copy", "--quiet", "--all", f"oci-archive:{archive}",
             f"oci:{tmp}/copy:latest"], timeout=300)
        copied = json.loads((tmp / "copy" / "index.json").read_text())
        check(copied["manifests"][0]["mediaType"] == MEDIA_INDEX,
              "skopeo copy --all did not keep the image index")
    log("skopeo reads the index and copies both platforms (--all)")


def check_containerd(archive: Path, ref: str, index_digest: str) -> None:
    with temp_dir("ilb-img-index.") as tmp, private_containerd(tmp) as ctr:
        name = f"docker.io/{ref}"
        containerd_import(ctr, archive, name, MEDIA_INDEX, index_digest)
    log(f"containerd: imported {name} as the index {index_digest}, unpacked for this machine")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image-dir", type=Path, required=True)
    args = parser.parse_args()
    amd64 = Image.load(args.image_dir)
    arm64 = Image.load(args.image_dir / "arm64")
    check_arm64_image(arm64, amd64)
    multiarch = args.image_dir / f"ironlb-{amd64.version}.multiarch.oci.tar"
    check(multiarch.is_file(), f"{multiarch} missing")
    check_index(multiarch, {("linux", "amd64"): amd64.digest, ("linux", "arm64"): arm64.digest},
                amd64.ref)
    check_rewrite(multiarch, amd64, arm64)
    check_skopeo(multiarch)
    index_digest = (args.image_dir / "ironlb.multiarch.digest").read_text().strip()
    check_containerd(multiarch, amd64.ref, index_digest)


if __name__ == "__main__":
    main_guard(main)
