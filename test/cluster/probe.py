#!/usr/bin/python3
"""A client's view of a VIP over time: every --interval seconds, for each target (IP or
IP:PORT), a new TCP connection and an HTTP GET, with a --timeout. One JSON line per request:

    {"target": "198.51.100.0", "start": 12.3, "end": 12.31, "ok": true, "body": "hello from x"}

Times are CLOCK_MONOTONIC (time.monotonic()), comparable with the caller's. Runs until stdin
closes or --max-seconds pass (always bounded). Requests to several targets run on their own
threads so a slow one never delays another. Stdlib only.
"""

import argparse
import json
import socket
import sys
import threading
import time


def get(host, port, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        s.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0]:
        raise OSError(f"bad answer: {head[:60]!r}")
    return body.decode(errors="replace").strip()


def split_target(t):
    if t.startswith("["):
        host, _, port = t[1:].partition("]:")
        return host, int(port or 80)
    if t.count(":") == 1:
        host, port = t.split(":")
        return host, int(port)
    return t, 80


def worker(target, args, stop, out_lock):
    host, port = split_target(target)
    next_at = time.monotonic()
    while not stop.is_set():
        start = time.monotonic()
        rec = {"target": target, "start": start}
        try:
            rec["body"] = get(host, port, args.timeout)
            rec["ok"] = True
        except OSError as e:
            rec["ok"] = False
            rec["error"] = str(e)[:80]
        rec["end"] = time.monotonic()
        with out_lock:
            print(json.dumps(rec), flush=True)
        next_at += args.interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--interval", type=float, default=0.05)
    p.add_argument("--timeout", type=float, default=0.5)
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("targets", nargs="+")
    args = p.parse_args()
    stop = threading.Event()
    lock = threading.Lock()
    threads = [threading.Thread(target=worker, args=(t, args, stop, lock), daemon=True)
               for t in args.targets]
    for t in threads:
        t.start()
    # Stop when the caller closes stdin, or at the bound.
    closer = threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True)
    closer.start()
    stop.wait(args.max_seconds)
    stop.set()
    for t in threads:
        t.join(timeout=args.timeout + 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
