#!/usr/bin/env python3
"""image_arm64_binaries_start_under_qemu: the linux/arm64 image (config/image/build.sh
--arm64-build-dir) is self-contained and its daemons are real arm64 programs that start.

The arm64 image's layers are unpacked into a directory; Debian's statically linked
qemu-aarch64-static is copied into it (under a name no image path uses) and the daemons run
under it inside a chroot of that directory: the arm64 loader, libc, libstdc++, OpenSSL,
libpcap, libnl, yaml-cpp, spdlog and fmt they map can only come from the image, since the
chroot shows nothing of this machine (which has no arm64 libraries of its own either).
  - ironlb-speaker --help as root and ironlb-controller --help as the image's User (65534)
    exit 0 and print their usage
  - both are AArch64 ELF files (e_machine 183), so nothing of this machine's runs instead

  test_arm64_runs_under_qemu.py --image-dir BUILD/image [--remove PATH ...]
--remove deletes PATH from the unpacked image first: how to see the check fail when a library
is missing (e.g. --remove /usr/lib/aarch64-linux-gnu/libpcap.so.0.8).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
from pathlib import Path

from imagelib import Image, check, log, main_guard, run, temp_dir

CHROOT = "/usr/sbin/chroot"
QEMU = "/usr/bin/qemu-aarch64-static"
QEMU_IN_IMAGE = "/ironlb-test-qemu-aarch64"  # test-only, removed with the directory
EM_AARCH64 = 183


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    check(header[:4] == b"\x7fELF", f"{path}: not an ELF file")
    return struct.unpack_from("<H", header, 18)[0]  # e_machine, little-endian ELF


def static_qemu() -> str:
    check(os.access(QEMU, os.X_OK), f"{QEMU} missing: apt-get install qemu-user-static "
          "(test/deps.sh installs it)")
    headers = run(["readelf", "-lW", QEMU]).stdout
    check("program interpreter" not in headers,
          f"{QEMU} names a program interpreter: it is not static and could not run in the chroot")
    return QEMU


def run_help(rootfs: Path, binary: str, user: str | None) -> None:
    spec = ["--userspec", user, "--groups", user.split(":")[1]] if user else []
    cmd = [CHROOT, *spec, str(rootfs), QEMU_IN_IMAGE, binary, "--help"]
    res = run(cmd, check_rc=False, timeout=60, env={"PATH": "/usr/bin:/bin"})
    name = os.path.basename(binary)
    check(res.returncode == 0 and f"usage: {name}" in res.stdout,
          f"{name} --help under qemu-aarch64 in the arm64 image (user {user or 'root'}): "
          f"exit {res.returncode}\n{res.stdout[-2000:]}{res.stderr[-2000:]}")
    log(f"{name} --help under qemu-aarch64 (user {user or 'root'}): usage printed, exit 0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image-dir", type=Path, required=True)
    parser.add_argument("--remove", action="append", default=[])
    args = parser.parse_args()
    check(os.geteuid() == 0, "run as root (chroot)")
    image = Image.load(args.image_dir / "arm64")
    arch = image.config.get("architecture")
    check(arch == "arm64", f"{image.archive}: image config architecture {arch!r}, want arm64")
    qemu = static_qemu()
    with temp_dir("ironlb-image-arm64-") as tmp:
        rootfs = tmp / "rootfs"
        image.unpack(rootfs, args.remove)
        shutil.copy2(qemu, rootfs / QEMU_IN_IMAGE.lstrip("/"))

        for binary in ("usr/local/bin/ironlb-speaker", "usr/local/bin/ironlb-controller"):
            machine = elf_machine(rootfs / binary)
            check(machine == EM_AARCH64, f"/{binary}: ELF e_machine {machine}, want "
                  f"{EM_AARCH64} (AArch64)")
        log("both daemons are AArch64 ELF executables")

        run_help(rootfs, "/usr/local/bin/ironlb-speaker", None)
        user = image.config["config"].get("User")
        check(user == "65534:65534", f"image config User is {user!r}, want '65534:65534'")
        run_help(rootfs, "/usr/local/bin/ironlb-controller", user)


if __name__ == "__main__":
    main_guard(main)
