"""The ironlb-frr image run the way its pod runs it, without a container engine: its layers
unpacked into a directory, its entrypoint started as root under chroot inside a network
namespace this test creates (unique name, always deleted), holding only the capabilities the
chart grants (CAPABILITIES; docs/image.md, "The FRR image"). vtysh from the image talks to the
daemons as the speaker does: root with no capability at all, in the frrvty group."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import IO, Iterator

from imagelib import Failure, Image, check, log, run, temp_dir, wait_for

# What FRR's container is granted (docs/image.md): every one is needed, see
# test_frr_capabilities.py. Numbers from linux/capability.h.
CAPABILITIES = {"NET_BIND_SERVICE": 10, "NET_ADMIN": 12, "NET_RAW": 13, "SETUID": 7,
                "SETGID": 6, "SYS_ADMIN": 21}
FRR_UID, FRR_GID, FRRVTY_GID = 100, 101, 102
RUN_DIR = "var/run/frr"  # below the rootfs; the pod's shared volume
MARKER = "ironlb-withdrawn"
DAEMONS = ("zebra", "bgpd", "bfdd")

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000
_PR_CAPBSET_DROP = 24
_CAP_LAST = 40


def _enter(netns: str, rootfs: Path, keep_caps: set[int], groups: list[int] | None):
    """preexec_fn: into the namespace and the rootfs, then a bounding set of keep_caps only,
    so the program, exec'd as root, holds exactly those capabilities."""
    def enter() -> None:
        fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        if _libc.setns(fd, _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        os.close(fd)
        if groups is not None:
            os.setgroups(groups)
        os.chroot(rootfs)
        os.chdir("/")
        for cap in range(_CAP_LAST + 1):
            if cap not in keep_caps and _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                err = ctypes.get_errno()
                if err != 22:  # EINVAL: this kernel has no such capability
                    raise OSError(err, f"PR_CAPBSET_DROP {cap}")
    return enter


@contextlib.contextmanager
def netns(tag: str) -> Iterator[str]:
    """A network namespace of this test's own (lo up), deleted on exit, also on failure."""
    name = f"ilbfrr-{tag}-{os.getpid()}"
    run(["ip", "netns", "add", name])
    try:
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        yield name
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", name], capture_output=True,
                                  text=True).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


class FrrContainer:
    """One run of the image's entrypoint; the log is its stdout and stderr."""

    def __init__(self, image: Image, rootfs: Path, netns_name: str, log_path: Path,
                 env: dict[str, str] | None = None, caps: dict[str, int] | None = None):
        self.image, self.rootfs, self.netns = image, rootfs, netns_name
        self.log_path = log_path
        cfg = image.config["config"]
        environment = dict(item.partition("=")[::2] for item in cfg.get("Env", []))
        environment.update(env or {})
        user = cfg.get("User", "0:0")
        check(user == "0:0", f"image config User is {user!r}; the test runs it as root")
        self.log_file: IO[bytes] = open(log_path, "wb")
        keep = set((CAPABILITIES if caps is None else caps).values())
        self.proc = subprocess.Popen(cfg["Entrypoint"], env=environment,
                                     preexec_fn=_enter(netns_name, rootfs, keep, None),
                                     stdout=self.log_file, stderr=subprocess.STDOUT)

    @property
    def run_dir(self) -> Path:
        return self.rootfs / RUN_DIR

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        """Every daemon's control socket exists and the supervisor says it runs."""
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise Failure(f"the entrypoint exited {self.proc.returncode}:\n"
                              f"{self.log()[-3000:]}")
            return all((self.run_dir / f"{d}.vty").is_socket() for d in DAEMONS) and \
                "ironlb-frr-supervisor: running" in self.log()
        wait_for(ready, timeout, "zebra, bgpd and bfdd's control sockets")

    def daemon_pids(self) -> dict[str, int]:
        pids = {}
        for d in DAEMONS:
            with contextlib.suppress(OSError, ValueError):
                pids[d] = int((self.run_dir / f"{d}.pid").read_text().strip())
        return pids

    def vtysh(self, *commands: str, daemon: str | None = None,
              groups: list[int] | None = None) -> subprocess.CompletedProcess[str]:
        """vtysh from the image as the speaker is: root, no capabilities, group frrvty."""
        argv = ["/usr/bin/vtysh"] + (["-d", daemon] if daemon else [])
        for c in commands:
            argv += ["-c", c]
        return run(argv, check_rc=False, timeout=30, env={"PATH": "/usr/bin"},
                   preexec_fn=_enter(self.netns, self.rootfs, set(),
                                     [FRRVTY_GID] if groups is None else groups))

    def stop(self, timeout: float = 60) -> None:
        """Ends the run, whatever state it is in (the marker makes SIGTERM quick)."""
        with contextlib.suppress(OSError):
            (self.run_dir / MARKER).touch()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


@contextlib.contextmanager
def frr_container(image: Image, tag: str, env: dict[str, str] | None = None,
                  caps: dict[str, int] | None = None,
                  stale_marker: bool = False) -> Iterator[FrrContainer]:
    """Unpacks the image, makes a namespace, starts the entrypoint; undoes all of it on exit.
    stale_marker: a withdrawal marker is in the volume before the start."""
    with temp_dir(f"ilb-frr-{tag}.") as tmp, netns(tag) as ns:
        rootfs = tmp / "rootfs"
        image.unpack(rootfs)
        if stale_marker:
            (rootfs / RUN_DIR / MARKER).touch()
        container = FrrContainer(image, rootfs, ns, tmp / "frr.log", env, caps)
        try:
            yield container
        finally:
            container.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not re.search(r"^State:\s+Z", status, re.M)


def ids_of(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
    gid = int(re.search(r"^Gid:\s+(\d+)", status, re.M).group(1))
    return uid, gid


def wait_exit(proc: subprocess.Popen, timeout: float, what: str) -> float:
    """Waits for proc to exit; returns when (time.monotonic()); fails at the deadline."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: still running after {timeout:.1f}s") from None
    return time.monotonic()


def image_from_args() -> tuple[Image, Path]:
    """The test's command line, --image-dir BUILD/image: the ironlb-frr image there, and the
    directory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-dir", required=True, type=Path)
    image_dir = parser.parse_args().image_dir
    image = Image.load(image_dir, "ironlb-frr")
    log(f"image {image.ref} {image.digest}")
    return image, image_dir
