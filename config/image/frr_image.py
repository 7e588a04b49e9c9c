#!/usr/bin/env python3
"""What goes into the ironlb-frr image (FRR beside the speaker, docs/bgp.md), taken from this
Debian machine's `frr` package; oci_image.py writes it, as for the ironlb image.

Two layers:
  runtime  FRR's zebra, bgpd and bfdd (/usr/lib/frr) and vtysh (/usr/bin), every shared
           library they load (ldd's closure, libfrr and libyang included), the loader, the
           libraries glibc loads by name, /etc/passwd and /etc/group with FRR's users (frr
           100:101, group frrvty 102 owning the control sockets), an empty /etc/frr/frr.conf
           (the speaker applies everything), a vtysh.conf that lets root in without PAM, the directories FRR writes
           (/var/run/frr, /var/lib/frr, /var/tmp/frr), and each package's copyright file and
           dpkg status record (sbom.py). No shell, no package manager, none of FRR's other
           daemons, scripts or Python tools.
  app      /usr/local/bin/ironlb-frr-supervisor (the entrypoint), the project's licence and the
           SBOM.

  frr_image.py --supervisor BIN --license FILE --version V --revision R --source URL
               --out ARCHIVE [--summary JSON] [--spec-out JSON] [--sbom-out JSON]
prints the manifest digest.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import oci_image  # noqa: E402  (sibling files, not installed modules)
import sbom  # noqa: E402
from ironlb_image import PATH_ENV, ImageError, Layout, add_base, add_copyrights, \
    add_output_args, add_package_records, add_shared_objects, ldd, write_outputs  # noqa: E402

REPOSITORY = "ironlb/ironlb-frr"
# The daemons the speaker drives, and the client that talks to their control sockets.
FRR_PROGRAMS = ["/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "/usr/lib/frr/bfdd",
                "/usr/bin/vtysh"]
FRR_UID, FRR_GID, FRRVTY_GID = 100, 101, 102
ENTRYPOINT = "/usr/local/bin/ironlb-frr-supervisor"
# vtysh asks PAM to authenticate whoever runs it unless vtysh.conf says `nopassword`; the image
# has no PAM configuration, and whoever can exec into FRR's container is trusted anyway.
VTYSH_CONF = "service integrated-vtysh-config\nusername root nopassword\n"

ETC_FILES = {
    "/etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
                   f"frr:x:{FRR_UID}:{FRR_GID}:FRR:/nonexistent:/sbin/nologin\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n",
    # FRR (Debian builds it --enable-vty-group=frrvty) makes its control sockets 0770
    # frr:frrvty and refuses to start unless frr is a member of frrvty.
    "/etc/group": f"root:x:0:\nfrr:x:{FRR_GID}:\nfrrvty:x:{FRRVTY_GID}:frr\n"
                  "nogroup:x:65534:\n",
    "/etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    "/etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
}


def runtime_layer() -> Layout:
    layer = Layout()
    add_base(layer)
    layer.add({"type": "dir", "path": "/var/tmp", "mode": "1777"})
    layer.add({"type": "dir", "path": "/run"})
    layer.add({"type": "symlink", "path": "/var/run", "target": "../run"})
    frr_owned = {"uid": FRR_UID, "gid": FRR_GID}
    # /var/run/frr is where the pod's shared volume (an emptyDir: root, 0777) goes; the image's
    # own is the same, so a plain run behaves alike. Root without CAP_DAC_OVERRIDE (the
    # supervisor removing a stale marker, the speaker writing one) may write there, the
    # daemons as frr too; the sockets themselves are 0770 frr:frrvty.
    layer.add({"type": "dir", "path": "/run/frr", "mode": "0777"})
    layer.add({"type": "dir", "path": "/var/lib/frr", "mode": "0750", **frr_owned})
    # Each daemon makes its crash log directory here (<daemon>.<pid>) while still root, before
    # it drops to frr; without CAP_DAC_OVERRIDE root may only write where it owns.
    layer.add({"type": "dir", "path": "/var/tmp/frr", "mode": "0755"})
    for path, text in ETC_FILES.items():
        layer.content(path, text)
    layer.add({"type": "dir", "path": "/etc/frr", "mode": "0755", **frr_owned})
    layer.add({"type": "file", "path": "/etc/frr/frr.conf", "content": "", "mode": "0640",
               **frr_owned})
    layer.content("/etc/frr/vtysh.conf", VTYSH_CONF)
    for program in FRR_PROGRAMS:
        layer.host(program)
    add_shared_objects(layer, FRR_PROGRAMS)
    add_copyrights(layer)
    return layer


def app_layer(supervisor: str, license_file: str, sbom_text: str) -> Layout:
    layer = Layout()
    layer.add({"type": "file", "path": ENTRYPOINT, "source": supervisor, "mode": "0755"})
    layer.content("/usr/share/doc/ironlb/sbom.spdx.json", sbom_text)
    layer.add({"type": "file", "path": "/usr/share/doc/ironlb/copyright", "source": license_file,
               "mode": "0644"})
    return layer


def image_spec(args: argparse.Namespace, epoch: int) -> tuple[dict[str, Any], str]:
    runtime = runtime_layer()
    supervisor_libs = {os.path.basename(o) for o in ldd(args.supervisor)}
    missing = sorted(n for n in supervisor_libs
                     if not any(os.path.basename(p) == n for p in runtime.entries))
    if missing:
        raise ImageError(f"{args.supervisor} loads {missing}, which FRR does not")
    packages = sbom.query_packages(runtime.packages)
    add_package_records(runtime, packages)
    reference = f"{REPOSITORY}:{args.version}"
    sbom_text = sbom.render(sbom.spdx_document(
        packages, version=args.version, revision=args.revision, source=args.source,
        reference=reference, created=oci_image.rfc3339(epoch), distro=sbom.distro_id()))
    app = app_layer(args.supervisor, args.license, sbom_text)
    frr_version = next((p.version for p in packages if p.name == "frr"), None)
    if frr_version is None:
        raise ImageError("no file of Debian's frr package in the image?")
    labels = {
        "org.opencontainers.image.title": "ironlb-frr",
        "org.opencontainers.image.description":
            f"FRR {frr_version} (Debian) zebra, bgpd and bfdd for ironlb's BGP mode, run "
            "beside ironlb-speaker",
        "org.opencontainers.image.version": args.version,
        "org.opencontainers.image.revision": args.revision,
        "org.opencontainers.image.source": args.source,
        "org.opencontainers.image.licenses": "Apache-2.0 AND GPL-2.0-or-later",
        "org.opencontainers.image.created": oci_image.rfc3339(epoch),
    }
    spec: dict[str, Any] = {
        "references": [reference],
        "config": {
            # Root with only the capabilities the chart grants (docs/image.md): the supervisor
            # starts the daemons, which drop to frr, then drops to frr itself.
            "User": "0:0",
            "Entrypoint": [ENTRYPOINT],
            "Env": [PATH_ENV],
            "WorkingDir": "/",
            "Labels": labels,
        },
        "layers": [runtime.spec(f"runtime: FRR {frr_version} zebra, bgpd, bfdd, vtysh "
                                "and their Debian libraries, copyright files, dpkg "
                                "status records"),
                   app.spec(f"app: ironlb-frr-supervisor {args.version}, SBOM")],
    }
    return spec, sbom_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("supervisor", "license", "version", "revision", "source", "out"):
        parser.add_argument(f"--{name}", required=True)
    add_output_args(parser)
    return write_outputs(parser.parse_args(), "frr_image.py", image_spec)


if __name__ == "__main__":
    sys.exit(main())
