#!/usr/bin/env python3
"""image_frr_contents: the ironlb-frr image holds what FRR's container needs and nothing that
turns it into a general system:

  - no shell (sh, bash, dash, busybox, ...) and no package manager (dpkg, apt, ...) anywhere;
    of FRR only zebra, bgpd, bfdd and vtysh (no other daemon, no watchfrr, no scripts)
  - the config: Entrypoint /usr/local/bin/ironlb-frr-supervisor, User 0:0, the labels; the
    top layer holds only the supervisor under /usr/local/bin
  - users: frr 100:101, frrvty 102 with member frr; an empty /etc/frr/frr.conf
  - the SBOM inside the image equals ironlb-frr.spdx.json beside it; it lists frr and exactly
    the Debian packages that own the image's shared libraries and programs (asked of dpkg
    again here), each with the version and architecture dpkg reports and a purl, plus ironlb;
    every package has its copyright file and a dpkg status.d record, none extra
  - a private containerd imports and unpacks docker.io/ironlb/ironlb-frr:<VERSION> with the
    archive's digest

  test_frr_contents.py --image-dir BUILD/image
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from frrlib import image_from_args
from imagelib import Image, check, containerd_import, log, main_guard, private_containerd, \
    run, temp_dir

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox", "toybox"}
PACKAGE_MANAGERS = {"dpkg", "dpkg-deb", "dpkg-query", "apt", "apt-get", "apt-cache", "rpm",
                    "yum", "dnf", "apk", "pip", "pip3"}
FRR_PROGRAMS = {"usr/lib/frr/zebra", "usr/lib/frr/bgpd", "usr/lib/frr/bfdd", "usr/bin/vtysh"}


def all_paths(rootfs: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(rootfs):
        for name in dirnames + filenames:
            out.append(Path(dirpath) / name)
    return out


def check_no_tools(rootfs: Path) -> None:
    paths = all_paths(rootfs)
    names = {p.name for p in paths if p.is_symlink() or not p.is_dir()}  # /var/lib/dpkg is data
    check(not names & SHELLS, f"shells in the image: {sorted(names & SHELLS)}")
    check(not names & PACKAGE_MANAGERS,
          f"package managers in the image: {sorted(names & PACKAGE_MANAGERS)}")
    executables = sorted(str(p.relative_to(rootfs)) for p in paths
                         if p.is_file() and not p.is_symlink() and os.access(p, os.X_OK)
                         and "/lib/x86_64-linux-gnu/" not in f"/{p.relative_to(rootfs)}")
    want = sorted(FRR_PROGRAMS | {"usr/local/bin/ironlb-frr-supervisor"})
    check(executables == want, f"programs in the image: {executables}, want {want}")
    check(not any(n.endswith((".py", ".sh")) for n in names), "scripts in the image")
    log(f"no shell, no package manager; programs: {', '.join(executables)}")


def check_config(image: Image, rootfs: Path) -> None:
    cfg = image.config["config"]
    check(cfg.get("Entrypoint") == ["/usr/local/bin/ironlb-frr-supervisor"],
          f"Entrypoint {cfg.get('Entrypoint')}")
    check(cfg.get("User") == "0:0", f"User {cfg.get('User')!r}, want '0:0'")
    labels = cfg.get("Labels", {})
    check(labels.get("org.opencontainers.image.title") == "ironlb-frr" and
          labels.get("org.opencontainers.image.version") == image.version,
          f"labels {labels}")
    top = image.layer_members(len(image.manifest["layers"]) - 1)
    binaries = sorted(m for m in top if m.startswith("usr/local/bin/"))
    check(binaries == ["usr/local/bin/ironlb-frr-supervisor"], f"top layer programs {binaries}")
    passwd = (rootfs / "etc/passwd").read_text()
    group = (rootfs / "etc/group").read_text()
    check(re.search(r"^frr:x:100:101:", passwd, re.M) is not None, "no frr 100:101 in passwd")
    check(re.search(r"^frrvty:x:102:frr$", group, re.M) is not None, "no frrvty 102 with frr")
    check(re.search(r"^frr:x:101:", group, re.M) is not None, "no group frr 101")
    conf = rootfs / "etc/frr/frr.conf"
    check(conf.is_file() and conf.stat().st_size == 0, "/etc/frr/frr.conf is not empty")
    log("config: Entrypoint ironlb-frr-supervisor, User 0:0, labels; frr 100:101, frrvty 102; "
        "empty frr.conf")


def owners(rootfs: Path) -> set[str]:
    """Packages dpkg says own the image's libraries and FRR's programs (asked here again)."""
    libdir = rootfs / "usr/lib/x86_64-linux-gnu"
    files = [p for p in libdir.rglob("*") if p.is_file() and not p.is_symlink()]
    query = []
    for p in files:
        rel = "/" + str(p.relative_to(rootfs))
        query += [rel, rel.replace("/usr/lib/", "/lib/", 1)]
    query += ["/" + p for p in FRR_PROGRAMS]
    out = subprocess.run(["dpkg-query", "-S", *query], capture_output=True, text=True).stdout
    return {line.split(":")[0].split(",")[0] for line in out.splitlines() if ": " in line}


def check_sbom(image: Image, image_dir: Path, rootfs: Path) -> None:
    inside = (rootfs / "usr/share/doc/ironlb/sbom.spdx.json").read_text()
    beside = (image_dir / "ironlb-frr.spdx.json").read_text()
    check(inside == beside, "the SBOM in the image differs from ironlb-frr.spdx.json")
    doc = json.loads(inside)
    listed = {p["name"]: p for p in doc["packages"]}
    check(listed.get("ironlb", {}).get("versionInfo") == image.version, "ironlb not listed")
    debs = {n: p for n, p in listed.items() if p["SPDXID"].startswith("SPDXRef-Package-deb-")}
    want = owners(rootfs)
    check("frr" in want and "libyang2" in want, f"dpkg owners {sorted(want)} lack frr/libyang2")
    check(set(debs) == want, f"SBOM lists {sorted(debs)}, dpkg says {sorted(want)}")
    fmt = "${Package}\t${Version}\t${Architecture}\n"
    dpkg = {}
    for line in run(["dpkg-query", "-W", "-f", fmt, *sorted(want)]).stdout.splitlines():
        name, version, arch = line.split("\t")
        dpkg[name] = (version, arch)
    for name, pkg in debs.items():
        version, arch = dpkg[name]
        check(pkg["versionInfo"] == version, f"{name}: SBOM {pkg['versionInfo']}, dpkg {version}")
        purls = [r["referenceLocator"] for r in pkg.get("externalRefs", [])]
        check(any(p.startswith(f"pkg:deb/debian/{name}@") and f"arch={arch}" in p
                  for p in purls), f"{name}: purls {purls}")
        check((rootfs / f"usr/share/doc/{name}/copyright").is_file(), f"{name}: no copyright")
    records = {p.name for p in (rootfs / "var/lib/dpkg/status.d").iterdir()}
    check(records == want, f"status.d records {sorted(records)}, want {sorted(want)}")
    log(f"SBOM: ironlb {image.version} and {len(debs)} Debian packages, frr "
        f"{dpkg['frr'][0]}, each with dpkg's version, a purl, a copyright file and a status.d "
        "record")


def main() -> None:
    image, image_dir = image_from_args()
    with temp_dir("ilb-frr-contents.") as tmp:
        rootfs = tmp / "rootfs"
        image.unpack(rootfs)
        check_no_tools(rootfs)
        check_config(image, rootfs)
        check_sbom(image, image_dir, rootfs)
        (tmp / "ctd").mkdir()
        with private_containerd(tmp / "ctd") as ctr:
            name = f"docker.io/{image.ref}"
            containerd_import(ctr, image.archive, name,
                              "application/vnd.oci.image.manifest.v1+json", image.digest)
        log(f"containerd: imported and unpacked {name} {image.digest}")


if __name__ == "__main__":
    main_guard(main)
