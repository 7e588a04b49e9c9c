#!/usr/bin/python3
"""Gives processes inside test network namespaces a way to the host's loopback API server,
or the host a way to an API server inside a namespace.

    apiforward.py --port 6443 --target 127.0.0.1:6443 NS [NS ...]
    apiforward.py --port 6443 --target 127.0.0.1:6443 --into NS

One process in the caller's (host) namespace. For each namespace it enters the namespace with
setns(2) on its main thread only long enough to create a listening socket on 127.0.0.1:PORT
there (a socket stays in the namespace it was created in), then returns to the host namespace;
every accepted connection is relayed to TARGET from the host namespace. No interface is added
to the test bridge or the host, and the API server's certificate (SAN 127.0.0.1) verifies
normally because the speakers dial https://127.0.0.1:PORT as on the host.

With --into the direction is reversed: it listens on the host's 127.0.0.1:PORT and connects to
TARGET from inside NS (the test cluster's control plane lives in a namespace of its own, so
kubectl and Helm on the host reach it at the address its kubeconfig names).

Prints "ready" once every listener is up; runs until killed. Stdlib only; root required.
"""

import argparse
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def listen_in(ns, port):
    """A listening socket on 127.0.0.1:port inside network namespace `ns`."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(128)
            return s
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def socket_in(ns):
    """An unconnected TCP socket that belongs to network namespace `ns`."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def _pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass


def _relay(client, target, upstream=None):
    try:
        if upstream is None:
            upstream = socket.create_connection(target, timeout=5)
        else:
            upstream.settimeout(5)
            upstream.connect(target)
        upstream.settimeout(None)
    except OSError:
        client.close()  # the API server is down: the client sees a reset, as on the host
        return
    a = threading.Thread(target=_pump, args=(client, upstream), daemon=True)
    b = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    a.start()
    b.start()
    a.join()
    b.join()
    client.close()
    upstream.close()


def _serve(listener, target, into=None):
    while True:
        client, _ = listener.accept()
        upstream = socket_in(into) if into else None
        threading.Thread(target=_relay, args=(client, target, upstream), daemon=True).start()


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--into", help="listen on the host, connect from inside this namespace")
    p.add_argument("namespaces", nargs="*")
    args = p.parse_args(argv[1:])
    host, port = args.target.rsplit(":", 1)
    target = (host, int(port))
    if args.into:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", args.port))
        listener.listen(128)
        threads = [threading.Thread(target=_serve, args=(listener, target, args.into),
                                    daemon=True)]
    else:
        if not args.namespaces:
            p.error("name at least one namespace, or --into NS")
        listeners = [listen_in(ns, args.port) for ns in args.namespaces]
        threads = [threading.Thread(target=_serve, args=(l, target), daemon=True)
                   for l in listeners]
    for t in threads:
        t.start()
    print("ready", flush=True)
    for t in threads:
        t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
