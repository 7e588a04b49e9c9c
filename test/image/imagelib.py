"""Shared pieces of the image tests: reading the archive config/image/build.sh wrote, unpacking
its layers, running commands with deadlines, and cleaning up whatever a test started."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

# Only what `ctr images import` needs: content, metadata, images, leases, namespaces, the
# native snapshotter and the walking differ. The CRI plugin stays off (were it on, this VM,
# which withholds CAP_SYS_RESOURCE, would need restrict_oom_score_adj = true); so do the other
# snapshotters, the runtimes and the "opt" plugin, which would create /opt/containerd.
CONTAINERD_CONFIG = """\
version = 2
root = "{tmp}/root"
state = "{tmp}/state"
temp = "{tmp}/temp"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.overlayfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.runtime.v1.linux",
  "io.containerd.monitor.v1.cgroups",
]
[grpc]
  address = "{tmp}/c.sock"
[ttrpc]
  address = "{tmp}/c.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
"""


class Failure(Exception):
    """A check that did not hold; the message says which and what was seen."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def log(message: str) -> None:
    print(message, flush=True)


def wait_for(probe: Callable[[], T | None], timeout: float, what: str,
             interval: float = 0.05) -> T:
    """Polls probe until it returns something truthy, or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def run(cmd: list[str], timeout: float = 120, check_rc: bool = True,
        **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Runs cmd to completion (killed at the deadline); fails with its output if rc != 0."""
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as e:
        raise Failure(f"{' '.join(cmd)}: still running after {timeout:.0f}s\n{e.stdout}\n"
                      f"{e.stderr}") from None
    if check_rc and res.returncode != 0:
        raise Failure(f"{' '.join(cmd)}: exit {res.returncode}\n{res.stdout}\n{res.stderr}")
    return res


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL at the deadline; always reaps."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains text (e.g. a test's own temp directory)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            pids.append(int(entry.name))
    return pids


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A directory under /tmp, removed on exit (also on failure); mounts below it first."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        yield path
    finally:
        unmount_below(path)
        shutil.rmtree(path, ignore_errors=True)


def unmount_below(path: Path) -> None:
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].encode().decode("unicode_escape")
        if point == str(path) or point.startswith(f"{path}/"):
            mounts.append(point)
    for point in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


@contextlib.contextmanager
def private_containerd(tmp: Path) -> Iterator[list[str]]:
    """A containerd of this test's own under tmp (CONTAINERD_CONFIG), stopped on exit; yields
    the ctr command line (k8s.io namespace) that talks to it."""
    (tmp / "config.toml").write_text(CONTAINERD_CONFIG.format(tmp=tmp))
    sock = tmp / "c.sock"
    check(len(str(sock)) + len(".ttrpc") < 100, f"socket path {sock} too long for AF_UNIX")
    with open(tmp / "containerd.log", "wb") as logf:
        daemon = subprocess.Popen(["containerd", "--config", str(tmp / "config.toml")],
                                  stdout=logf, stderr=subprocess.STDOUT)
    try:
        ctr = ["ctr", "--address", str(sock), "-n", "k8s.io"]
        wait_for(lambda: daemon.poll() is not None or
                 run(ctr + ["version"], check_rc=False, timeout=10).returncode == 0,
                 20, "containerd to answer on its socket")
        check(daemon.poll() is None,
              "containerd exited:\n" + (tmp / "containerd.log").read_text()[-3000:])
        yield ctr
    finally:
        stop_process(daemon)
        # Shims re-parent themselves away from containerd; anything naming our directory goes.
        for pid in processes_mentioning(str(tmp)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def containerd_import(ctr: list[str], archive: Path, name: str, media_type: str,
                      digest: str) -> None:
    """ctr images import archive; name must then be listed with media_type and digest, and be
    "complete" and unpacked for this machine (every blob arrived, every layer applied)."""
    run(ctr + ["images", "import", "--snapshotter", "native", str(archive)], timeout=180)
    listing = run(ctr + ["images", "ls"]).stdout
    rows = {tuple(line.split()[:3]) for line in listing.splitlines()[1:]}
    check((name, media_type, digest) in rows,
          f"ctr images ls shows\n{listing}\nwant {name} {media_type} {digest}")
    check_out = run(ctr + ["images", "check", "--snapshotter", "native"]).stdout
    row = next((line.split() for line in check_out.splitlines() if line.startswith(name)), [])
    check(len(row) > 4 and row[3] == "complete" and row[-1] == "true",
          f"ctr images check:\n{check_out}")


@dataclass
class Image:
    """The archive config/image/build.sh wrote, read through its docker-archive manifest and
    its OCI index (both must name the same blobs)."""
    archive: Path
    ref: str
    digest: str
    index: dict[str, Any]
    manifest: dict[str, Any]
    config: dict[str, Any]
    docker_manifest: list[dict[str, Any]]

    @classmethod
    def load(cls, image_dir: Path) -> "Image":
        ref = (image_dir / "ironlb.ref").read_text().strip()
        digest = (image_dir / "ironlb.digest").read_text().strip()
        version = ref.rsplit(":", 1)[1]
        archive = image_dir / f"ironlb-{version}.oci.tar"
        with tarfile.open(archive) as tar:
            def blob(d: str) -> bytes:
                return tar.extractfile("blobs/sha256/" + d.split(":", 1)[1]).read()
            index = json.loads(tar.extractfile("index.json").read())
            manifest = json.loads(blob(digest))
            config = json.loads(blob(manifest["config"]["digest"]))
            docker_manifest = json.loads(tar.extractfile("manifest.json").read())
        return cls(archive, ref, digest, index, manifest, config, docker_manifest)

    @property
    def version(self) -> str:
        return self.ref.rsplit(":", 1)[1]

    def unpack(self, rootfs: Path, remove: list[str] | None = None) -> None:
        """Applies the layers in order, as a container runtime would (no whiteouts here); then
        deletes each path in remove (a test's --remove, to see a check fail without it)."""
        rootfs.mkdir(parents=True, exist_ok=True)
        with tarfile.open(self.archive) as tar:
            for layer in self.manifest["layers"]:
                data = tar.extractfile("blobs/sha256/" + layer["digest"].split(":", 1)[1]).read()
                with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as layer_tar:
                    layer_tar.extractall(rootfs, numeric_owner=True)
        for path in remove or []:
            victim = rootfs / path.lstrip("/")
            check(victim.exists() or victim.is_symlink(), f"--remove {path}: not in the image")
            if victim.is_dir() and not victim.is_symlink():
                shutil.rmtree(victim)
            else:
                victim.unlink()
            log(f"removed {path} from the unpacked image")

    def layer_members(self, i: int) -> list[str]:
        with tarfile.open(self.archive) as tar:
            layer = self.manifest["layers"][i]
            data = tar.extractfile("blobs/sha256/" + layer["digest"].split(":", 1)[1]).read()
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as layer_tar:
            return layer_tar.getnames()


def main_guard(body: Callable[[], None]) -> None:
    """Runs a test body: PASS/FAIL line and exit status for ctest."""
    started = time.monotonic()
    # SIGTERM (ctest, a user) unwinds like an exception, so every cleanup in finally runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        body()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    log(f"PASS ({time.monotonic() - started:.1f}s)")
