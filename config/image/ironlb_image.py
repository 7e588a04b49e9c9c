#!/usr/bin/env python3
"""What goes into the ironlb image, taken from this Debian machine; oci_image.py writes it.

Two layers, so an upgrade of ironlb replaces only the small one:
  runtime  what the two daemons need from Debian at run time: every shared library they load
           (ldd's closure, which is how the loader resolves DT_NEEDED here), the loader at the
           path the binaries name, the libraries glibc and OpenSSL load by name later (NSS
           files/dns modules, libgcc_s.so.1 for pthread_cancel and unwinding), /etc files for
           users, groups and name lookup, the CA bundle and OpenSSL's configuration, Debian's
           usrmerge symlinks, /tmp, and the Debian copyright file of every package a shipped
           file comes from, with a dpkg status record of each (sbom.py).
  app      /usr/local/bin/ironlb-controller and /usr/local/bin/ironlb-speaker (the paths the
           Helm chart runs), the project's licence and the image's SPDX SBOM (sbom.py).

Files keep the path, mode and symlinks they have in Debian, so `dpkg -S` and the loader see the
same layout as on the build machine.

  ironlb_image.py --controller BIN --speaker BIN --license FILE --version V --revision R
                  --source URL --out ARCHIVE [--summary JSON] [--spec-out JSON]
                  [--sbom-out JSON] [--arch ARCH --sysroot DIR]
prints the manifest digest. With --arch (arm64) the runtime layer comes from the sysroot
cmake/aarch64-sysroot.sh unpacked, not from this machine (sysroot_files.py); the CA bundle,
generated here and the same for every architecture, is still this machine's.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import oci_image  # noqa: E402  (a sibling file, not an installed module)
import sbom  # noqa: E402
from sysroot_files import SysrootError, SysrootFiles  # noqa: E402

REPOSITORY = "ironlb/ironlb"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Debian's usrmerge: these top-level directories are symlinks into /usr.
USRMERGE = {"bin": "usr/bin", "lib": "usr/lib", "lib64": "usr/lib64", "sbin": "usr/sbin"}
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# OpenSSL looks under OPENSSLDIR (/usr/lib/ssl on Debian); Debian points these into /etc/ssl.
OPENSSL_LINKS = ["/usr/lib/ssl/openssl.cnf", "/usr/lib/ssl/cert.pem", "/usr/lib/ssl/certs"]
OPENSSL_CONFIG = "/etc/ssl/openssl.cnf"
# Loaded with dlopen by glibc, so ldd cannot see them.
DLOPENED = ["libnss_files.so.2", "libnss_dns.so.2", "libgcc_s.so.1"]
# Files generated on the machine (no package lists them) and the package they come from.
GENERATED_BY = {CA_BUNDLE: "ca-certificates"}

ETC_FILES = {
    "/etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "/etc/group": "root:x:0:\nnogroup:x:65534:\n",
    "/etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    # The kubelet mounts its own /etc/hosts; this one serves anything else that runs the image.
    "/etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
}


class ImageError(RuntimeError):
    pass


def usr_path(path: str) -> str:
    """The path with the usrmerge symlinks resolved: /lib/x -> /usr/lib/x."""
    norm = os.path.normpath(path)
    parts = norm.lstrip("/").split("/", 1)
    if parts[0] in USRMERGE:
        return "/" + "/".join([USRMERGE[parts[0]], *parts[1:]])
    return norm


def ldd(binary: str) -> list[str]:
    """The shared objects the loader maps for binary (host paths), the loader included."""
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        line = line.strip()
        if "not found" in line:
            raise ImageError(f"{binary}: {line}")
        m = re.match(r"(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$", line)
        if m:
            found.append(m.group(1))
        elif line and not line.startswith("linux-vdso.so"):
            raise ImageError(f"{binary}: cannot read ldd line {line!r}")
    return found


class Layout:
    """Entries of one layer, plus the host files they were copied from."""

    def __init__(self, root: str = "") -> None:
        self.root = root  # where the files are read: "" for this machine, or a sysroot
        self.entries: dict[str, dict[str, Any]] = {}
        self.host_files: set[str] = set()
        self.packages: set[str] = set()  # Debian packages the host files come from

    def add(self, entry: dict[str, Any]) -> None:
        path = entry["path"]
        if path in self.entries and self.entries[path] != entry:
            raise ImageError(f"{path} added twice, differently")
        self.entries[path] = entry

    def content(self, path: str, text: str, mode: str = "0644") -> None:
        self.add({"type": "file", "path": path, "content": text, "mode": mode})

    def host(self, path: str, root: str | None = None) -> None:
        """Copies path from this machine (or the layer's sysroot, or root), symlinks included,
        mode as Debian installed it."""
        root = self.root if root is None else root
        seen = set()
        path = usr_path(path)
        while path not in seen:
            seen.add(path)
            st = os.lstat(root + path)
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(root + path)
                self.add({"type": "symlink", "path": path, "target": target})
                self.host_files.add(path)
                path = usr_path(os.path.join(os.path.dirname(path), target))
                continue
            if not stat.S_ISREG(st.st_mode):
                raise ImageError(f"{path}: not a regular file or symlink")
            self.add({"type": "file", "path": path, "source": root + path,
                      "mode": format(stat.S_IMODE(st.st_mode), "04o")})
            self.host_files.add(path)
            return
        raise ImageError(f"{path}: symlink loop")

    def spec(self, comment: str) -> dict[str, Any]:
        return {"comment": comment, "entries": [self.entries[p] for p in sorted(self.entries)]}


def dpkg_owners(paths: set[str]) -> dict[str, str]:
    """Package owning each path, where dpkg knows one. dpkg records /lib/... paths under the
    name the package shipped them with, which usrmerge may have moved, so both are asked."""
    candidates: dict[str, str] = {}
    for path in paths:
        candidates[path] = path
        for top, under_usr in USRMERGE.items():
            if path.startswith(f"/{under_usr}/"):
                candidates[f"/{top}/" + path[len(under_usr) + 2:]] = path
    res = subprocess.run(["dpkg-query", "-S", *sorted(candidates)], capture_output=True,
                         text=True)
    owners: dict[str, str] = {}
    for line in res.stdout.splitlines():
        if line.startswith("diversion "):
            continue
        pkgs, _, listed = line.partition(": ")
        if listed in candidates:
            # "libc6:amd64" -> "libc6"; a path shared by several packages takes the first.
            owners[candidates[listed]] = pkgs.split(", ")[0].split(":")[0]
    return owners


def copyright_source(package: str) -> str:
    path = Path(f"/usr/share/doc/{package}/copyright")
    if not path.is_file():
        raise ImageError(f"{path} missing: reinstall {package}")
    return str(path.resolve())  # some doc directories are symlinks to a sibling package's


def runtime_layer(binaries: list[str], sysroot: SysrootFiles | None = None) -> Layout:
    """From this machine, or for another architecture from its sysroot (sysroot_files.py)."""
    layer = Layout(sysroot.root if sysroot else "")
    for top, target in USRMERGE.items():
        layer.add({"type": "dir", "path": f"/{target}"})
        layer.add({"type": "symlink", "path": f"/{top}", "target": target})
    layer.add({"type": "dir", "path": "/tmp", "mode": "1777"})
    layer.add({"type": "dir", "path": "/root", "mode": "0700"})
    for path, text in ETC_FILES.items():
        layer.content(path, text)

    objects: list[str] = []
    for binary in binaries:  # ldd cannot run a foreign binary: readelf walks its DT_NEEDED
        objects += sysroot.closure([binary]) if sysroot else ldd(binary)
    libc = next((o for o in objects if os.path.basename(o) == "libc.so.6"), None)
    if libc is None:
        raise ImageError("the daemons do not load libc.so.6?")
    libdir = os.path.dirname(usr_path(libc))
    for name in DLOPENED:
        path = os.path.join(libdir, name)
        if os.path.isfile(layer.root + path):  # libnss_* may be built into libc some day
            objects.append(path)
            objects += sysroot.closure([sysroot.real(path)], loader=False) if sysroot \
                else ldd(path)
        elif name == "libgcc_s.so.1":
            raise ImageError(f"{path} missing: pthread_cancel and unwinding need it")
    for obj in sorted(set(objects)):
        layer.host(obj)

    layer.host(CA_BUNDLE, root="")  # generated here, and the same for every architecture
    layer.host(OPENSSL_CONFIG)
    for link in OPENSSL_LINKS:
        if not os.path.islink(layer.root + link):
            raise ImageError(f"{link}: expected Debian's symlink into /etc/ssl")
        layer.add({"type": "symlink", "path": link, "target": os.readlink(layer.root + link)})
        layer.host_files.add(link)

    owners = sysroot.owners(layer.host_files) if sysroot else dpkg_owners(layer.host_files)
    for path in layer.host_files:
        if path not in owners and path in GENERATED_BY:
            owners[path] = GENERATED_BY[path]
    unowned = sorted(p for p in layer.host_files if p not in owners
                     and layer.entries[p]["type"] == "file")
    if unowned:
        raise ImageError("no Debian package ships " + ", ".join(unowned))
    layer.packages = set(owners.values())
    for package in sorted(layer.packages):
        source = sysroot.copyright(package) if sysroot else None
        layer.add({"type": "file", "path": f"/usr/share/doc/{package}/copyright",
                   "source": source or copyright_source(package), "mode": "0644"})
    return layer


def add_package_records(layer: Layout, packages: list[sbom.DebPackage]) -> None:
    """dpkg status stanzas for image scanners (sbom.py)."""
    layer.add({"type": "dir", "path": "/var/lib/dpkg/status.d"})
    for pkg in packages:
        layer.content(f"/var/lib/dpkg/status.d/{pkg.name}", pkg.status_stanza())


def app_layer(controller: str, speaker: str, license_file: str, sbom_text: str) -> Layout:
    layer = Layout()
    layer.content("/usr/share/doc/ironlb/sbom.spdx.json", sbom_text)
    layer.add({"type": "file", "path": "/usr/local/bin/ironlb-controller", "source": controller,
               "mode": "0755"})
    layer.add({"type": "file", "path": "/usr/local/bin/ironlb-speaker", "source": speaker,
               "mode": "0755"})
    layer.add({"type": "file", "path": "/usr/share/doc/ironlb/copyright", "source": license_file,
               "mode": "0644"})
    return layer


def image_sbom(args: argparse.Namespace, epoch: int,
               packages: list[sbom.DebPackage]) -> str:
    return sbom.render(sbom.spdx_document(
        packages, version=args.version, revision=args.revision, source=args.source,
        reference=f"{REPOSITORY}:{args.version}", created=oci_image.rfc3339(epoch),
        distro=sbom.distro_id()))


def image_spec(args: argparse.Namespace, epoch: int) -> tuple[dict[str, Any], str]:
    """The image spec, and the SBOM it ships (also written beside the archive)."""
    sysroot = SysrootFiles(args.sysroot, args.arch) if args.sysroot else None
    runtime = runtime_layer([args.controller, args.speaker], sysroot)
    packages = sysroot.packages(runtime.packages) if sysroot \
        else sbom.query_packages(runtime.packages)
    add_package_records(runtime, packages)
    sbom_text = image_sbom(args, epoch, packages)
    app = app_layer(args.controller, args.speaker, args.license, sbom_text)
    labels = {
        "org.opencontainers.image.title": "ironlb",
        "org.opencontainers.image.description":
            "Bare-metal LoadBalancer for Kubernetes (MetalLB-compatible layer 2): "
            "ironlb-controller and ironlb-speaker",
        "org.opencontainers.image.version": args.version,
        "org.opencontainers.image.revision": args.revision,
        "org.opencontainers.image.source": args.source,
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.created": oci_image.rfc3339(epoch),
    }
    spec: dict[str, Any] = {
        "references": [f"{REPOSITORY}:{args.version}"],
        "config": {
            # The controller runs as nobody; the chart runs the speaker as root holding only
            # NET_RAW (config/helm/ironlb/templates/speaker.yaml).
            "User": "65534:65534",
            "Entrypoint": ["/usr/local/bin/ironlb-controller"],
            "Env": [PATH_ENV],
            "WorkingDir": "/",
            "Labels": labels,
        },
        "layers": [runtime.spec("runtime: Debian libraries, /etc files, copyright files, "
                                "dpkg status records"),
                   app.spec(f"app: ironlb-controller and ironlb-speaker {args.version}, SBOM")],
    }
    if sysroot:  # else this machine's architecture (oci_image.py)
        spec["architecture"] = sysroot.arch
    return spec, sbom_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("controller", "speaker", "license", "version", "revision", "source", "out"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--summary", help="write digests and sizes here (JSON)")
    parser.add_argument("--spec-out", help="also write the image spec here (JSON)")
    parser.add_argument("--sbom-out", help="also write the image's SPDX SBOM here (JSON)")
    parser.add_argument("--arch", help="another architecture (arm64): its files come from "
                        "--sysroot, not from this machine")
    parser.add_argument("--sysroot", help="the sysroot cmake/aarch64-sysroot.sh printed")
    args = parser.parse_args()
    if bool(args.arch) != bool(args.sysroot):
        parser.error("--arch and --sysroot go together")
    try:
        epoch = oci_image.source_date_epoch()
        spec, sbom_text = image_spec(args, epoch)
        if args.sbom_out:
            Path(args.sbom_out).write_text(sbom_text, encoding="utf-8")
        if args.spec_out:
            Path(args.spec_out).write_bytes(oci_image.canonical_json(spec) + b"\n")
        summary = oci_image.write_image(spec, args.out, epoch=epoch)
    except (ImageError, SysrootError, oci_image.SpecError, OSError, ValueError,
            subprocess.CalledProcessError) as e:
        print(f"ironlb_image.py: {e}", file=sys.stderr)
        return 1
    if args.summary:
        Path(args.summary).write_bytes(oci_image.canonical_json(summary) + b"\n")
    print(summary["digest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
