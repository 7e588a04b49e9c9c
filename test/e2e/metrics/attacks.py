#!/usr/bin/python3
"""Attacks on a running daemon's metrics and probe listeners (docs/metrics-endpoint.md), run in
whatever network namespace the daemon listens in. Each scenario asserts its own bounds and exits
non-zero with the reason on failure; the daemon's RSS is read from /proc/<pid>/status.

    attacks.py SCENARIO --pid PID --metrics-port M --probe-port P [--host 127.0.0.1]
    SCENARIO: gzip_post | unterminated | idle_flood | limits
"""

import argparse
import socket
import ssl
import sys
import time
import zlib

RSS_GROWTH_LIMIT_KIB = 8 * 1024     # the daemon may grow by at most 8 MiB during an attack
PROBE_LATENCY_LIMIT_S = 0.200       # a probe during the flood must be answered within 200 ms
TLS_LATENCY_LIMIT_S = 0.200         # the same on the TLS metrics port, handshake included


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


# The daemons' certificates are self-signed: no verification (made once: building a context
# loads the system's CA store, which would dominate the latency measured below).
TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def connect(host, port, tls, timeout=5.0):
    s = socket.create_connection((host, port), timeout=timeout)
    if tls:
        s = TLS.wrap_socket(s)
    return s


def read_status(s, timeout=5.0):
    """The status code of the response on `s`, or None when the connection ended without one."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data[9:12])


def request(host, port, tls, raw):
    with connect(host, port, tls) as s:
        s.sendall(raw)
        return read_status(s)


def gzip_bomb(size=256 << 20):
    """`size` zero bytes, gzip-compressed (about 255 KiB for 256 MiB), built in 1 MiB steps."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zero = bytes(1 << 20)
    out = [c.compress(zero) for _ in range(size >> 20)]
    out.append(c.flush())
    return b"".join(out)


class Run:
    def __init__(self, args):
        self.a = args
        self.failures = []
        self.listeners = [("metrics (TLS)" if not args.insecure else "metrics", args.metrics_port,
                           not args.insecure), ("probes", args.probe_port, False)]

    def check(self, what, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            self.failures.append(what)

    def healthz(self, port, tls):
        start = time.monotonic()
        status = request(self.a.host, port, tls, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return status, time.monotonic() - start

    def baseline(self):
        for _, port, tls in self.listeners:  # warm both listeners (TLS context, buffers)
            for _ in range(3):
                self.healthz(port, tls)
        return rss_kib(self.a.pid)

    def bounded(self, what, before):
        after = rss_kib(self.a.pid)
        self.check(f"{what}: RSS grew by {after - before} KiB (limit {RSS_GROWTH_LIMIT_KIB})",
                   after - before < RSS_GROWTH_LIMIT_KIB)

    def gzip_post(self):
        body = gzip_bomb()
        print(f"gzip body: {len(body)} bytes inflating to 256 MiB", flush=True)
        before = self.baseline()
        for name, port, tls in self.listeners:
            for path in ("/metrics", "/healthz"):
                for _ in range(3):
                    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                            f"Content-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n")
                    try:
                        with connect(self.a.host, port, tls) as s:
                            s.sendall(head.encode())
                            try:
                                s.sendall(body)
                            except OSError:
                                pass  # the server may stop reading once it has answered
                            status = read_status(s)
                    except OSError as e:
                        status = f"error {e}"
                    self.check(f"{name} POST {path} gzip {len(body)} B -> 413", status == 413,
                               f"got {status}")
        self.bounded("gzip POST", before)
        self.still_healthy()

    def unterminated(self):
        before = self.baseline()
        chunk = b"a" * (1 << 20)
        for name, port, tls in self.listeners:
            sent = 0
            start = time.monotonic()
            with connect(self.a.host, port, tls, timeout=5.0) as s:
                try:
                    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Unterminated: ")
                    while sent < (128 << 20) and time.monotonic() - start < 30:
                        s.sendall(chunk)
                        sent += len(chunk)
                except (OSError, ssl.SSLError) as e:
                    print(f"{name}: send stopped after {sent >> 20} MiB: {e}", flush=True)
                status = read_status(s, timeout=2.0)
            self.check(f"{name}: 128 MiB line without newline refused early",
                       sent < (32 << 20), f"{sent >> 20} MiB accepted, reply {status}")
        self.bounded("unterminated header line", before)
        self.still_healthy()

    def idle_flood(self, count=200):
        before = self.baseline()
        idle = []
        try:
            for _, port, _ in self.listeners:
                for _ in range(count):
                    idle.append(socket.create_connection((self.a.host, port), timeout=5))
            # Half-sent requests too: they hold a connection without finishing a head.
            for _, port, _ in self.listeners:
                for _ in range(count // 4):
                    s = socket.create_connection((self.a.host, port), timeout=5)
                    s.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                    idle.append(s)
            print(f"{len(idle)} idle connections open", flush=True)
            for name, port, tls in self.listeners:
                worst = 0.0
                for _ in range(20):
                    status, took = self.healthz(port, tls)
                    worst = max(worst, took)
                    if status != 200:
                        self.check(f"{name}: /healthz during the flood", False, f"got {status}")
                        break
                limit = TLS_LATENCY_LIMIT_S if tls else PROBE_LATENCY_LIMIT_S
                self.check(f"{name}: /healthz within {limit * 1000:.0f} ms "
                           f"with {len(idle)} idle connections",
                           worst < limit, f"worst {worst * 1000:.1f} ms")
        finally:
            for s in idle:
                s.close()
        self.bounded("idle connection flood", before)

    def limits(self):
        for name, port, tls in self.listeners:
            cases = [
                ("DELETE -> 405", b"DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                ("POST without body -> 405", b"POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                ("9 KiB header -> 431", b"GET /healthz HTTP/1.1\r\nX-Big: " + b"b" * 9216 +
                 b"\r\n\r\n", 431),
                ("chunked body -> 413", b"GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked"
                 b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413),
                ("unknown path -> 404", b"GET /debug/pprof HTTP/1.1\r\nHost: x\r\n\r\n", 404),
                ("HEAD /readyz -> 200/503", b"HEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n", (200, 503)),
            ]
            for what, raw, want in cases:
                status = request(self.a.host, port, tls, raw)
                ok = status in want if isinstance(want, tuple) else status == want
                self.check(f"{name}: {what}", ok, f"got {status}")
        self.still_healthy()

    def still_healthy(self):
        for name, port, tls in self.listeners:
            status, _ = self.healthz(port, tls)
            self.check(f"{name}: /healthz still 200 afterwards", status == 200, f"got {status}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["gzip_post", "unterminated", "idle_flood", "limits"])
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--metrics-port", type=int, required=True)
    p.add_argument("--probe-port", type=int, required=True)
    p.add_argument("--insecure", action="store_true", help="the metrics port is plain HTTP")
    args = p.parse_args()
    run = Run(args)
    getattr(run, args.scenario)()
    if run.failures:
        print(f"{len(run.failures)} check(s) failed", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
