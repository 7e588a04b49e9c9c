"""The image's software bill of materials: what Debian packages (and which ironlb) it ships.

Two forms, both written by ironlb_image.py:
  - an SPDX 2.3 JSON document, inside the image at /usr/share/doc/ironlb/sbom.spdx.json and
    beside the archive as ironlb.spdx.json: the image, ironlb, and every Debian package a
    shipped file comes from, each with its version, architecture, source package and a purl;
  - one dpkg status stanza per package under /var/lib/dpkg/status.d/<package> (the layout
    distroless images use), so image scanners that read dpkg's database find the packages and
    their versions although the image has no dpkg.
Licences are given as NOASSERTION: Debian's copyright files (shipped in the image) are the
authority and are not machine-parsed here. Everything is derived from dpkg-query and
SOURCE_DATE_EPOCH, so the same packages give the same bytes (docs/image.md).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

# dpkg-query fields, in the order of the status stanza.
FIELDS = ["Package", "Version", "Architecture", "Source", "Maintainer", "Homepage"]
SPDX_NAMESPACE = "https://ironlb.invalid/spdx/ironlb"


@dataclass(frozen=True)
class DebPackage:
    name: str
    version: str
    architecture: str
    source: str  # "" when the source package has the binary package's name
    maintainer: str
    homepage: str

    @property
    def source_name(self) -> str:
        """Source package name without dpkg's "(version)" suffix, e.g. "openssl"."""
        return (self.source or self.name).split(" ")[0]

    def purl(self, distro: str) -> str:
        qualifiers = f"arch={self.architecture}&distro={distro}"
        if self.source and self.source_name != self.name:
            qualifiers += f"&upstream={self.source_name}"
        return f"pkg:deb/debian/{self.name}@{quote_version(self.version)}?{qualifiers}"

    def status_stanza(self) -> str:
        lines = [f"Package: {self.name}", "Status: install ok installed",
                 f"Version: {self.version}", f"Architecture: {self.architecture}"]
        if self.source:
            lines.append(f"Source: {self.source}")
        if self.maintainer:
            lines.append(f"Maintainer: {self.maintainer}")
        if self.homepage:
            lines.append(f"Homepage: {self.homepage}")
        return "\n".join(lines) + "\n"


def quote_version(version: str) -> str:
    """purl percent-encoding for the characters Debian versions may hold (':' and '+')."""
    return version.replace("%", "%25").replace(":", "%3A").replace("+", "%2B")


def query_packages(names: set[str]) -> list[DebPackage]:
    """Each named package as installed on this machine, sorted by name."""
    fmt = "\t".join("${" + f + "}" for f in FIELDS) + "\n"
    out = subprocess.run(["dpkg-query", "-W", "-f", fmt, *sorted(names)], check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != len(FIELDS):
            raise ValueError(f"dpkg-query: cannot read {line!r}")
        pkg = DebPackage(*parts)
        found[pkg.name] = pkg
    missing = sorted(names - found.keys())
    if missing:
        raise ValueError("dpkg-query knows no package " + ", ".join(missing))
    return [found[n] for n in sorted(found)]


def distro_id() -> str:
    """debian-<VERSION_ID> from /etc/os-release, e.g. debian-12."""
    values = {}
    with open("/etc/os-release", encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            values[key] = value.strip('"')
    return f"{values.get('ID', 'debian')}-{values.get('VERSION_ID', 'unknown')}"


def spdx_id(name: str) -> str:
    return "SPDXRef-Package-deb-" + "".join(c if c.isalnum() or c in ".-" else "-" for c in name)


def spdx_document(packages: list[DebPackage], *, version: str, revision: str, source: str,
                  reference: str, created: str, distro: str) -> dict[str, Any]:
    image_id = "SPDXRef-Image"
    ironlb_id = "SPDXRef-Package-ironlb"
    doc_packages: list[dict[str, Any]] = [
        {
            "SPDXID": image_id,
            "name": reference,
            "versionInfo": version,
            "primaryPackagePurpose": "CONTAINER",
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
        },
        {
            "SPDXID": ironlb_id,
            "name": "ironlb",
            "versionInfo": version,
            "primaryPackagePurpose": "APPLICATION",
            "downloadLocation": source or "NOASSERTION",
            "sourceInfo": f"built from revision {revision}",
            "filesAnalyzed": False,
            "licenseConcluded": "Apache-2.0",
            "licenseDeclared": "Apache-2.0",
            "copyrightText": "NOASSERTION",
        },
    ]
    relationships = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
         "relatedSpdxElement": image_id},
        {"spdxElementId": image_id, "relationshipType": "CONTAINS",
         "relatedSpdxElement": ironlb_id},
    ]
    for pkg in packages:
        doc_packages.append({
            "SPDXID": spdx_id(pkg.name),
            "name": pkg.name,
            "versionInfo": pkg.version,
            "supplier": f"Organization: {pkg.maintainer}" if pkg.maintainer else "NOASSERTION",
            "downloadLocation": "NOASSERTION",
            "homepage": pkg.homepage or "NOASSERTION",
            "sourceInfo": f"Debian source package {pkg.source_name}",
            "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": pkg.purl(distro)}],
        })
        relationships.append({"spdxElementId": image_id, "relationshipType": "CONTAINS",
                              "relatedSpdxElement": spdx_id(pkg.name)})
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{reference} ({revision})",
        "documentNamespace": f"{SPDX_NAMESPACE}-{version}-{revision}",
        "creationInfo": {"created": created,
                         "creators": ["Tool: ironlb config/image/ironlb_image.py"]},
        "packages": doc_packages,
        "relationships": relationships,
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"
