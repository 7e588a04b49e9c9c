"""Where the runtime layer's files come from: this machine, or an unpacked foreign sysroot.

ironlb_image.py builds the image of this machine's architecture from this machine (ldd, dpkg),
and the image of another architecture (arm64) from the sysroot cmake/aarch64-sysroot.sh
unpacks: Debian's arm64 packages, never installed, with their file lists and package records
beside them (var/lib/ironlb-sysroot/files.tsv and packages.tsv). For the sysroot the shared
libraries are resolved as the loader would on the target: the binaries' DT_NEEDED entries
(readelf), each looked up in the target's multiarch directories, transitively, plus the loader
their PT_INTERP names. Both give image paths (/usr/lib/...); `root` is prefixed to read them.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import sbom

# Debian's multiarch triplets of the architectures the images are built for.
TRIPLETS = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
META = "var/lib/ironlb-sysroot"


class SysrootError(RuntimeError):
    pass


def elf_needed(path: str) -> list[str]:
    """DT_NEEDED entries of an ELF file, in order."""
    out = subprocess.run(["readelf", "-dW", path], check=True, capture_output=True,
                         text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def elf_interpreter(path: str) -> str | None:
    """The loader an executable names (PT_INTERP), or None for a shared library."""
    out = subprocess.run(["readelf", "-lW", path], check=True, capture_output=True,
                         text=True).stdout
    m = re.search(r"\[Requesting program interpreter: ([^\]]+)\]", out)
    return m.group(1) if m else None


class SysrootFiles:
    """An unpacked sysroot of another architecture (usrmerged: /lib -> usr/lib)."""

    def __init__(self, root: str, arch: str) -> None:
        if arch not in TRIPLETS:
            raise SysrootError(f"--arch {arch}: no multiarch triplet known for it")
        self.root = os.path.abspath(root)
        self.arch = arch
        self.libdir = f"/usr/lib/{TRIPLETS[arch]}"
        meta = Path(self.root, META)
        if not (meta / "complete").is_file():
            raise SysrootError(f"{self.root}: not a complete sysroot from "
                               "cmake/aarch64-sysroot.sh (no {META}/complete)")
        self.owner: dict[str, str] = {}
        for line in (meta / "files.tsv").read_text(encoding="utf-8").splitlines():
            package, _, path = line.partition("\t")
            self.owner.setdefault(path, package)
        self.records: dict[str, sbom.DebPackage] = {}
        rows = (meta / "packages.tsv").read_text(encoding="utf-8").splitlines()
        for row in rows[1:]:
            fields = row.split("\t")
            if len(fields) != len(sbom.FIELDS):
                raise SysrootError(f"{meta}/packages.tsv: cannot read {row!r}")
            self.records[fields[0]] = sbom.DebPackage(*fields)

    def real(self, path: str) -> str:
        """The file behind an image path, symlinks resolved inside the sysroot."""
        resolved = os.path.realpath(self.root + path)
        if not resolved.startswith(self.root + "/"):
            raise SysrootError(f"{path} resolves outside the sysroot ({resolved})")
        return resolved

    def find_library(self, name: str, needed_by: str) -> str:
        for directory in (self.libdir, "/usr/lib"):
            path = f"{directory}/{name}"
            if os.path.exists(self.root + path):
                return path
        raise SysrootError(f"{needed_by} needs {name}: not in {self.root}{self.libdir}; add its "
                           "package to cmake/aarch64-sysroot.sh")

    def closure(self, files: list[str], loader: bool = True) -> list[str]:
        """Image paths of what the loader maps for files (host paths), the loader included."""
        found: list[str] = []
        queue = [(f, name) for f in files for name in elf_needed(f)]
        for f in files:
            interp = elf_interpreter(f)
            if interp and loader:
                found.append(interp)
        while queue:
            parent, name = queue.pop(0)
            path = self.find_library(name, parent)
            if path in found:
                continue
            found.append(path)
            real = self.real(path)
            queue += [(real, n) for n in elf_needed(real)]
        return found

    def owners(self, paths: set[str]) -> dict[str, str]:
        return {p: self.owner[p] for p in paths if p in self.owner}

    def packages(self, names: set[str]) -> list[sbom.DebPackage]:
        """Sysroot packages from its records; any other (the CA bundle's ca-certificates,
        architecture-independent and generated on this machine) from this machine's dpkg."""
        host = sbom.query_packages({n for n in names if n not in self.records}) \
            if names - self.records.keys() else []
        found = {p.name: p for p in host}
        found.update({n: self.records[n] for n in names if n in self.records})
        return [found[n] for n in sorted(found)]

    def copyright(self, package: str) -> str | None:
        """The package's copyright file in the sysroot, or None if it is not a sysroot one."""
        if package not in self.records:
            return None
        path = f"/usr/share/doc/{package}/copyright"
        if not os.path.exists(self.root + path):
            raise SysrootError(f"{self.root}{path} missing")
        return self.real(path)
