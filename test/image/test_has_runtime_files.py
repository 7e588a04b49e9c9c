#!/usr/bin/env python3
"""image_has_runtime_files: the image holds everything the daemons load at run time, and it
works: its layers are unpacked into a directory and the daemons run there under chroot, so
nothing can come from this machine.

  - both daemons start (--help) from the image's loader and libraries: the speaker as root,
    the controller as the image config's User, which must be 65534:65534
  - the controller, started from the config's Entrypoint, User and Env, reaches an API server
    named https://localhost:<port>: a TLS server this test runs, whose certificate is signed
    by a test CA appended to the image's CA bundle. The request arriving proves the name
    lookup (NSS, /etc/nsswitch.conf -> /etc/hosts), the TLS libraries and OpenSSL finding the
    CA bundle by its default path (the kubeconfig names no CA, so OpenSSL's defaults are used:
    /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt). Under strace the test also
    sees OpenSSL open its configuration (/usr/lib/ssl/openssl.cnf -> /etc/ssl/openssl.cnf),
    /etc/hosts being read, and no DNS query: localhost never leaves the files.
  - the running controller has uid and gid 65534
  - layout: usrmerge symlinks, /tmp 1777, root and nobody in /etc/passwd and /etc/group, a
    Debian copyright file for every package a shipped library comes from, and the two
    daemons alone in the top layer

  test_has_runtime_files.py --image-dir BUILD/image [--remove PATH ...]
--remove deletes PATH from the unpacked image first: how to see each check fail when the file
it depends on is missing (e.g. --remove /etc/hosts, --remove /usr/lib/ssl/openssl.cnf).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import ssl
import stat
import subprocess
import threading
from pathlib import Path

from imagelib import Failure, Image, check, log, main_guard, run, stop_process, temp_dir, \
    wait_for

CHROOT = "/usr/sbin/chroot"


def config_env(image: Image) -> dict[str, str]:
    env = {}
    for item in image.config["config"].get("Env", []):
        key, _, value = item.partition("=")
        env[key] = value
    return env


def in_image(rootfs: Path, argv: list[str], user: str | None) -> list[str]:
    """chroot into the unpacked image, as user (uid:gid) if given."""
    spec = ["--userspec", user, "--groups", user.split(":")[1]] if user else []
    return [CHROOT, *spec, str(rootfs), *argv]


def read_text(rootfs: Path, path: str) -> str:
    check((rootfs / path).is_file(), f"/{path} missing")
    return (rootfs / path).read_text()


def check_layout(image: Image, rootfs: Path) -> None:
    for top in ("bin", "lib", "lib64", "sbin"):
        link = rootfs / top
        check(link.is_symlink() and os.readlink(link) == f"usr/{top}",
              f"/{top} is not the usrmerge symlink to usr/{top}")
    check((rootfs / "tmp").is_dir(), "/tmp missing")
    tmp_mode = stat.S_IMODE(os.lstat(rootfs / "tmp").st_mode)
    check(tmp_mode == 0o1777, f"/tmp has mode {oct(tmp_mode)}, want 0o1777")
    passwd = read_text(rootfs, "etc/passwd")
    group = read_text(rootfs, "etc/group")
    check(re.search(r"^root:x:0:0:", passwd, re.M) is not None, "/etc/passwd has no root")
    check(re.search(r"^nobody:x:65534:65534:", passwd, re.M) is not None,
          "/etc/passwd has no nobody (65534)")
    check(re.search(r"^root:x:0:", group, re.M) is not None, "/etc/group has no root")
    check(re.search(r"^nogroup:x:65534:", group, re.M) is not None,
          "/etc/group has no nogroup (65534)")
    # glibc 2.36 would fall back to the same order without the file; it is checked as content.
    nsswitch = read_text(rootfs, "etc/nsswitch.conf")
    check(re.search(r"^hosts:\s+files dns\s*$", nsswitch, re.M) is not None,
          "/etc/nsswitch.conf does not say hosts: files dns")

    # Every package a shipped library comes from has its copyright file in the image. Asked
    # of dpkg here again, independently of how build.sh chose the files.
    libdir = rootfs / "usr/lib/x86_64-linux-gnu"
    libs = sorted(p.name for p in libdir.iterdir() if p.is_file() and not p.is_symlink())
    check(bool(libs), "no libraries in /usr/lib/x86_64-linux-gnu")
    query = [q for name in libs for q in (f"/lib/x86_64-linux-gnu/{name}",
                                          f"/usr/lib/x86_64-linux-gnu/{name}")]
    owners = run(["dpkg-query", "-S", *query], check_rc=False).stdout
    packages = {line.split(":")[0].split(",")[0] for line in owners.splitlines() if ": " in line}
    missing = sorted(p for p in packages if not (rootfs / f"usr/share/doc/{p}/copyright").is_file())
    check(not missing, f"no /usr/share/doc/<package>/copyright for {missing}")
    check((rootfs / "usr/share/doc/ironlb/copyright").is_file(), "ironlb's licence is missing")
    log(f"layout: usrmerge links, /tmp 1777, passwd/group, copyright files of {len(packages)} "
        f"packages for {len(libs)} libraries")

    app = [m for m in image.layer_members(len(image.manifest["layers"]) - 1)]
    app_files = sorted(m for m in app if m.startswith("usr/local/bin/"))
    check(app_files == ["usr/local/bin/ironlb-controller", "usr/local/bin/ironlb-speaker"],
          f"top layer holds {app_files}, want exactly the two daemons")
    runtime = image.layer_members(0)
    check(not any(m.startswith("usr/local/bin/ironlb") for m in runtime),
          "the runtime layer holds a daemon: an upgrade would replace both layers")


def check_help(image: Image, rootfs: Path) -> None:
    env = config_env(image)
    user = image.config["config"].get("User")
    check(user == "65534:65534", f"image config User is {user!r}, want '65534:65534'")
    runs = [("/usr/local/bin/ironlb-speaker", None), ("/usr/local/bin/ironlb-controller", user)]
    for binary, as_user in runs:
        res = run(in_image(rootfs, [binary, "--help"], as_user), env=env, check_rc=False,
                  timeout=30)
        name = os.path.basename(binary)
        check(res.returncode == 0 and f"usage: {name}" in res.stdout,
              f"{name} --help in the image (user {as_user or 'root'}): exit {res.returncode}\n"
              f"{res.stdout[-2000:]}{res.stderr[-2000:]}")
    log("ironlb-speaker --help (root) and ironlb-controller --help (65534) run from the image")


def make_certificates(tmp: Path) -> tuple[Path, Path, Path]:
    """A test CA and a certificate for localhost it signed."""
    ca_key, ca_crt = tmp / "ca.key", tmp / "ca.crt"
    key, csr, crt, ext = tmp / "srv.key", tmp / "srv.csr", tmp / "srv.crt", tmp / "srv.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_crt),
         "-days", "2", "-subj", "/CN=ironlb image test CA"])
    run(["openssl", "req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost"])
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
                   "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
         "-set_serial", "1", "-days", "2", "-extfile", str(ext), "-out", str(crt)])
    return ca_crt, crt, key


class ApiServerProbe:
    """A TLS server on localhost that records what each client got to: a TCP connection, a
    TLS handshake it completed, an HTTP request line. Answers 503 and hangs up."""

    def __init__(self, cert: Path, key: Path):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        self.sock.bind(("::", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.events: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _record(self, event: str) -> None:
        with self.lock:
            self.events.append(event)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            self._record("connected")
            conn.settimeout(5)
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    self._record("handshake")
                    line = tls.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
                    if not line:
                        # httplib checks the certificate after the handshake and hangs up
                        # when it does not trust it.
                        self._record("closed after the handshake")
                        continue
                    self._record(f"request {line}")
                    tls.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except (ssl.SSLError, OSError) as e:
                self._record(f"failed {e}")
            finally:
                conn.close()

    def seen(self) -> list[str]:
        with self.lock:
            return list(self.events)

    def request(self) -> str | None:
        return next((e for e in self.seen() if e.startswith("request ")), None)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


def controller_pids(rootfs: Path) -> list[int]:
    exe = str(rootfs / "usr/local/bin/ironlb-controller")
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "exe") == exe:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def ids_of(pid: int) -> tuple[str, str]:
    status = Path(f"/proc/{pid}/status").read_text()
    uid = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    gid = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
    return " ".join(uid), " ".join(gid)


def traced_calls(trace_prefix: Path, program: str) -> list[str]:
    """The controller's system calls from strace -ff output: every thread's file, and the main
    one from the execve of program on (before it, the process was still chroot)."""
    calls = []
    for path in sorted(trace_prefix.parent.glob(trace_prefix.name + ".*")):
        lines = path.read_text(errors="replace").splitlines()
        start = next((i for i, line in enumerate(lines)
                      if line.startswith(f'execve("{program}"')), None)
        if start is not None:
            calls += lines[start:]
        elif not any(line.startswith("execve(") for line in lines):
            calls += lines  # a thread of the controller
    return calls


def opened(calls: list[str], path: str) -> bool:
    pattern = re.compile(r'^openat\(AT_FDCWD, "' + re.escape(path) + r'", .*\) = \d+')
    return any(pattern.match(c) for c in calls)


def check_controller_connects(image: Image, rootfs: Path, tmp: Path) -> None:
    bundle = rootfs / "etc/ssl/certs/ca-certificates.crt"
    check(bundle.is_file(), "/etc/ssl/certs/ca-certificates.crt missing")
    count = bundle.read_text().count("BEGIN CERTIFICATE")
    check(count >= 100, f"the CA bundle holds {count} certificates; Debian's holds over 100")
    ca, cert, key = make_certificates(tmp)
    with open(bundle, "a") as f:  # this unpacked copy only
        f.write(ca.read_text())

    probe = ApiServerProbe(cert, key)
    (rootfs / "kubeconfig").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: probe\n"
        f"clusters:\n- name: probe\n  cluster:\n    server: https://localhost:{probe.port}\n"
        "contexts:\n- name: probe\n  context:\n    cluster: probe\n")
    os.chmod(rootfs / "kubeconfig", 0o644)
    cfg = image.config["config"]
    argv = [*cfg["Entrypoint"], "--kubeconfig=/kubeconfig", "--metrics-address=127.0.0.1:0",
            "--probe-address=127.0.0.1:0", "--namespace=default"]
    trace = tmp / "trace" / "controller"
    trace.parent.mkdir()
    out = open(tmp / "controller.log", "wb")
    proc = subprocess.Popen(["strace", "-ff", "-qq", "-e", "trace=execve,openat,connect",
                             "-o", str(trace), *in_image(rootfs, argv, cfg["User"])],
                            env=config_env(image), stdout=out, stderr=subprocess.STDOUT)
    try:
        def got_somewhere() -> bool:
            return proc.poll() is not None or probe.request() is not None or \
                any(e.startswith(("failed", "closed")) for e in probe.seen())
        try:
            wait_for(got_somewhere, 30, "the controller to reach https://localhost")
        except Failure:
            pass  # reported below with what was seen
        pids = controller_pids(rootfs)
        ids = [ids_of(pid) for pid in pids]
        seen = probe.seen()
        request = probe.request()
    finally:
        for pid in controller_pids(rootfs):
            os.kill(pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for pid in controller_pids(rootfs):
                os.kill(pid, signal.SIGKILL)
            stop_process(proc)
        out.close()
        probe.close()

    logs = (tmp / "controller.log").read_text(errors="replace")[-3000:]
    if request is None:
        if not seen:
            why = "no connection: the name lookup of localhost failed in the image?"
        elif "closed after the handshake" in seen or "handshake" not in seen:
            why = "it did not trust the server: OpenSSL did not find the CA bundle in the image?"
        else:
            why = "no request"
        raise Failure(f"the controller never sent a request ({why}); server saw {seen}\n{logs}")
    log(f"controller in the image reached https://localhost:{probe.port}: {request}")

    check(bool(pids), "could not find the running controller")
    check(all(i == ("65534 65534 65534 65534", "65534 65534 65534 65534") for i in ids),
          f"controller ran with uid/gid {ids}, want 65534")
    log("controller ran as uid 65534 gid 65534 (the image config's User)")

    calls = traced_calls(trace, cfg["Entrypoint"][0])
    check(bool(calls), "strace recorded nothing for the controller")
    check(opened(calls, "/usr/lib/ssl/openssl.cnf"),
          "OpenSSL did not open /usr/lib/ssl/openssl.cnf (its configuration) in the image")
    check(opened(calls, "/etc/hosts"), "the name lookup did not read /etc/hosts")
    dns = [c for c in calls if c.startswith("connect(") and "htons(53)" in c]
    check(not dns, f"the lookup of localhost went to DNS: {dns[:3]}")
    log("strace: OpenSSL opened /usr/lib/ssl/openssl.cnf; localhost came from /etc/hosts, "
        "no DNS query")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-dir", required=True, type=Path)
    parser.add_argument("--remove", action="append", default=[],
                        help="delete this path from the unpacked image first (to see a check "
                             "fail)")
    args = parser.parse_args()
    image = Image.load(args.image_dir)
    log(f"image {image.ref} {image.digest}")
    with temp_dir("ilb-img-rootfs.") as tmp:
        rootfs = tmp / "rootfs"
        image.unpack(rootfs, args.remove)
        check_layout(image, rootfs)
        check_help(image, rootfs)
        check_controller_connects(image, rootfs, tmp)


if __name__ == "__main__":
    main_guard(main)
