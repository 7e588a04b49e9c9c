#!/usr/bin/env python3
"""image_sbom_lists_shipped_packages: the SBOM names exactly what the image ships.

  - the SPDX document inside the image (/usr/share/doc/ironlb/sbom.spdx.json) and the one
    beside the archive (ironlb.spdx.json) are the same bytes, SPDX 2.3, and describe the image
  - its Debian packages are exactly the packages whose copyright files the image carries (the
    packages of every shipped library and file), each with the version and architecture dpkg
    reports on this machine, asked here again, and a pkg:deb purl
  - ironlb itself is listed with the image's version and Apache-2.0
  - /var/lib/dpkg/status.d/<package> exists for each, with the same version, so scanners that
    read dpkg's database (the distroless layout) find them

  test_sbom.py --image-dir BUILD/image
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from imagelib import Image, check, log, main_guard, temp_dir


def dpkg_version(package: str) -> tuple[str, str]:
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}\t${Architecture}", package],
                         check=True, capture_output=True, text=True).stdout
    version, arch = out.split("\t")
    return version, arch


def stanza_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields


def body(image_dir: Path) -> None:
    image = Image.load(image_dir)
    beside = (image_dir / "ironlb.spdx.json").read_bytes()
    with temp_dir("ironlb-sbom-") as tmp:
        rootfs = tmp / "rootfs"
        image.unpack(rootfs)
        inside = (rootfs / "usr/share/doc/ironlb/sbom.spdx.json").read_bytes()
        check(inside == beside, "the SBOM in the image differs from ironlb.spdx.json")
        doc = json.loads(inside)
        check(doc.get("spdxVersion") == "SPDX-2.3", f"spdxVersion {doc.get('spdxVersion')!r}")
        described = [r["relatedSpdxElement"] for r in doc["relationships"]
                     if r["relationshipType"] == "DESCRIBES"]
        check(described == ["SPDXRef-Image"], f"document describes {described}")
        by_name = {p["name"]: p for p in doc["packages"]}
        ironlb = by_name.get("ironlb")
        check(ironlb is not None and ironlb["versionInfo"] == image.version
              and ironlb["licenseDeclared"] == "Apache-2.0",
              f"ironlb entry {ironlb} (image version {image.version})")

        doc_dir = rootfs / "usr/share/doc"
        shipped = {d.name for d in doc_dir.iterdir()
                   if (d / "copyright").is_file() and d.name != "ironlb"}
        deb = {n: p for n, p in by_name.items()
               if any(ref["referenceLocator"].startswith("pkg:deb/")
                      for ref in p.get("externalRefs", []))}
        check(set(deb) == shipped,
              f"SBOM lists {sorted(set(deb) - shipped)} not shipped, misses "
              f"{sorted(shipped - set(deb))}")
        status_dir = rootfs / "var/lib/dpkg/status.d"
        for name in sorted(shipped):
            version, arch = dpkg_version(name)
            check(deb[name]["versionInfo"] == version,
                  f"{name}: SBOM version {deb[name]['versionInfo']}, dpkg says {version}")
            purl = deb[name]["externalRefs"][0]["referenceLocator"]
            check(purl.startswith(f"pkg:deb/debian/{name}@") and f"arch={arch}" in purl,
                  f"{name}: purl {purl}")
            record = status_dir / name
            check(record.is_file(), f"no /var/lib/dpkg/status.d/{name}")
            fields = stanza_fields(record.read_text())
            check(fields.get("Package") == name and fields.get("Version") == version
                  and fields.get("Architecture") == arch,
                  f"status.d/{name} says {fields}")
        extra = sorted(p.name for p in status_dir.iterdir() if p.name not in shipped)
        check(not extra, f"status.d records for packages not shipped: {extra}")
        log(f"SBOM: ironlb {image.version} and {len(shipped)} Debian packages, each with its "
            f"dpkg version and a status.d record")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-dir", type=Path, required=True)
    args = parser.parse_args()
    main_guard(lambda: body(args.image_dir))


if __name__ == "__main__":
    main()
