#!/usr/bin/env python3
"""image_test_cluster_images_run: the test cluster's images (test/cluster/images/build.sh) do
their job when run from their unpacked layers, each as PID 1 of its own PID namespace and as
the config's User, the way a container runtime starts them:

  pause  reaps an orphan re-parented to it, and exits 0 on SIGTERM
  hello  answers http://localhost:8080/ with "hello from <its host name>" and exits 0 on
         SIGTERM (its own network and UTS namespaces; /dev bound in as a runtime would)

  test_cluster_images.py --repo SRC
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import tarfile
from pathlib import Path

from imagelib import Failure, check, log, main_guard, run, stop_process, temp_dir, wait_for

HOSTNAME = "hello-pod-7"


def read_image(archive: Path) -> tuple[dict, str, list[bytes]]:
    """(config, manifest digest, layer blobs) of a single-image archive."""
    with tarfile.open(archive) as tar:
        index = json.loads(tar.extractfile("index.json").read())
        digest = index["manifests"][0]["digest"]

        def blob(d: str) -> bytes:
            return tar.extractfile("blobs/sha256/" + d.split(":", 1)[1]).read()
        manifest = json.loads(blob(digest))
        config = json.loads(blob(manifest["config"]["digest"]))
        layers = [blob(layer["digest"]) for layer in manifest["layers"]]
    return config, digest, layers


def unpack(layers: list[bytes], rootfs: Path) -> None:
    rootfs.mkdir(parents=True)
    for data in layers:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(rootfs, numeric_owner=True)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def start_in_namespaces(rootfs: Path, config: dict, setup: str, log_path: Path,
                        extra_ns: list[str]) -> tuple[subprocess.Popen, int]:
    """unshare --pid --fork [...] runs setup, then chroots into rootfs as the config's User and
    execs Entrypoint + Cmd. Returns the unshare process and the image's PID 1 (host PID)."""
    cfg = config["config"]
    argv = [*cfg.get("Entrypoint", []), *cfg.get("Cmd", [])]
    user = cfg.get("User", "0:0")
    env = dict(item.split("=", 1) for item in cfg.get("Env", []))
    script = (f'set -e; {setup}\nexec /usr/sbin/chroot --userspec={user} '
              f'--groups={user.split(":")[1]} "$0" "$@"')
    out = open(log_path, "wb")
    # --kill-child: should this test die, the image's process goes with unshare.
    proc = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child=SIGKILL", *extra_ns,
                             "/bin/bash", "-c", script,
                             str(rootfs), *argv], env={"PATH": "/usr/sbin:/usr/bin", **env},
                            stdout=out, stderr=subprocess.STDOUT)
    out.close()
    exe = str(rootfs / argv[0].lstrip("/"))

    def image_pid1() -> int | None:
        for child in children(proc.pid):
            try:
                if os.path.realpath(f"/proc/{child}/exe") == os.path.realpath(exe):
                    return child
            except OSError:
                pass
        return None
    try:
        pid1 = wait_for(lambda: proc.poll() is not None or image_pid1(), 20,
                        f"{argv[0]} to start")
    except Failure:
        stop_process(proc)
        raise
    if proc.poll() is not None:
        raise Failure(f"{argv[0]} exited {proc.returncode}:\n{log_path.read_text()}")
    return proc, pid1


def stop_with_sigterm(proc: subprocess.Popen, pid1: int, name: str, log_path: Path) -> None:
    os.kill(pid1, signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise Failure(f"{name} still running 10s after SIGTERM") from None
    check(rc == 0, f"{name} exited {rc} on SIGTERM, want 0:\n{log_path.read_text()}")


def end(proc: subprocess.Popen, pid1: int) -> None:
    """After a failure: the image's PID 1 (and with it its namespace) and unshare go."""
    if proc.poll() is None:
        try:
            os.kill(pid1, signal.SIGKILL)
        except ProcessLookupError:
            pass
    stop_process(proc)


def check_pause(archive: Path, tmp: Path) -> None:
    config, digest, layers = read_image(archive)
    rootfs = tmp / "pause-rootfs"
    unpack(layers, rootfs)
    log_path = tmp / "pause.log"
    proc, pid1 = start_in_namespaces(rootfs, config, ":", log_path, [])
    try:
        # An orphan in pause's PID namespace: nsenter's sh exits at once, its sleep is
        # re-parented to PID 1, which must reap it when it ends.
        run(["nsenter", "-t", str(pid1), "-p", "--", "/bin/sh", "-c",
             "sleep 1 </dev/null >/dev/null 2>&1 & exit 0"])
        orphan = wait_for(lambda: children(pid1), 5, "the orphan to be re-parented to pause")[0]
        wait_for(lambda: orphan not in children(pid1), 10, "pause to reap its orphan")
        check(state(orphan) == "", f"orphan {orphan} left as state {state(orphan)!r}")
        stop_with_sigterm(proc, pid1, "pause", log_path)
    finally:
        end(proc, pid1)
    log(f"pause ({digest}): reaped an orphan, exited 0 on SIGTERM")


def check_hello(archive: Path, tmp: Path) -> None:
    config, digest, layers = read_image(archive)
    rootfs = tmp / "hello-rootfs"
    unpack(layers, rootfs)
    (rootfs / "dev").mkdir()
    log_path = tmp / "hello.log"
    setup = f'ip link set lo up; hostname {HOSTNAME}; mount --bind /dev "{rootfs}/dev"'
    proc, pid1 = start_in_namespaces(rootfs, config, setup, log_path,
                                     ["--net", "--uts", "--mount", "--propagation", "private"])
    try:
        def page() -> str | None:
            res = run(["nsenter", "-t", str(pid1), "-n", "--", "curl", "-s", "-m", "2",
                       "http://localhost:8080/"], check_rc=False, timeout=10)
            return res.stdout if res.returncode == 0 else None
        body = wait_for(page, 20, "hello to answer on port 8080")
        check(body.strip() == f"hello from {HOSTNAME}", f"hello answered {body!r}")
        stop_with_sigterm(proc, pid1, "hello", log_path)
    finally:
        end(proc, pid1)
    log(f"hello ({digest}): answered 'hello from {HOSTNAME}', exited 0 on SIGTERM")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True, type=Path)
    args = parser.parse_args()
    with temp_dir("ilb-img-cluster.") as tmp:
        out = run([str(args.repo / "test/cluster/images/build.sh"), str(tmp / "out")]).stdout
        log(out.strip())
        check_pause(tmp / "out" / "pause.oci.tar", tmp)
        check_hello(tmp / "out" / "hello.oci.tar", tmp)


if __name__ == "__main__":
    main_guard(main)
