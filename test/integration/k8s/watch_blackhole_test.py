#!/usr/bin/python3
"""A watch whose connection is black-holed (packets dropped, nothing closed) recovers in bounded
time: the informer notices the dead stream (watch idle bound, or TCP keepalive) and re-watches
over a new connection, which sees an object created after the black hole began.

    watch_blackhole_test.py --driver BUILD/.../watch_driver --state CONTROLPLANE_STATE
                            --bound SECONDS [driver flags...]

The driver (the daemons' informer code path) runs in a network namespace of its own and
reaches the host's API server through test/netns/apiforward.py, which listens on 127.0.0.1
inside the namespace on the API server's own port (so the kubeconfig and its certificate work
unchanged). Once the watch is established, iptables rules inside the namespace drop every packet
of the connections open at that moment; new connections pass. The test then creates a
ConfigMap and asserts the driver reports it within --bound seconds, printing the recovery time.
Root required; the namespace is deleted afterwards, also on failure.
"""

import argparse
import os
import queue
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def read_env(state):
    env = {}
    with open(os.path.join(state, "env")) as f:
        for line in f:
            m = re.match(r"export (\w+)=(.*)", line.strip())
            if m:
                env[m.group(1)] = m.group(2).strip("'\"")
    return env


def run(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


class Lines:
    """Reads a process's stdout on a thread; wait_for() polls with a deadline."""

    def __init__(self, stream, tag):
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._pump, args=(stream, tag), daemon=True).start()

    def _pump(self, stream, tag):
        for line in stream:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                line = self.q.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                return False
            self.seen.append(line)
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--bound", type=float, required=True,
                    help="seconds from the create to the driver seeing it")
    args, driver_flags = ap.parse_known_args()

    env = read_env(args.state)
    port = env["IRONLB_APISERVER_PORT"]
    kubectl = env.get("IRONLB_KUBECTL", "kubectl")
    kenv = dict(os.environ, KUBECONFIG=env["KUBECONFIG"])
    netns = f"ironlb-wbh-{os.getpid()}"
    k8s_ns = f"wbh-{os.getpid()}-{int(time.time())}"
    procs = []
    try:
        run("ip", "netns", "add", netns)
        run("ip", "-n", netns, "link", "set", "lo", "up")
        fwd = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ROOT, "test", "netns", "apiforward.py"),
             "--port", port, "--target", f"127.0.0.1:{port}", netns],
            stdout=subprocess.PIPE, text=True)
        procs.append(fwd)
        if fwd.stdout.readline().strip() != "ready":
            raise RuntimeError("apiforward.py did not start")
        subprocess.run([kubectl, "create", "namespace", k8s_ns], check=True, env=kenv,
                       capture_output=True)
        drv = subprocess.Popen(
            ["ip", "netns", "exec", netns, args.driver, f"--kubeconfig={env['KUBECONFIG']}",
             f"--namespace={k8s_ns}"] + driver_flags,
            stdout=subprocess.PIPE, text=True)
        procs.append(drv)
        out = Lines(drv.stdout, "driver")
        assert out.wait_for("synced", 30), f"driver did not sync: {out.seen}"
        subprocess.run([kubectl, "-n", k8s_ns, "create", "configmap", "before"], check=True,
                       env=kenv, capture_output=True)
        assert out.wait_for("added before", 30), f"watch not established: {out.seen}"

        # Black-hole every connection open now (the watch, and the idle pooled list
        # connection); connections made later pass.
        ss = run("ip", "netns", "exec", netns, "ss", "-tnH", "state", "established",
                 f"( dport = :{port} )").stdout
        local_ports = sorted({line.split()[-2].rsplit(":", 1)[1]
                              for line in ss.splitlines() if line.strip()})
        assert local_ports, "no established connection to black-hole"
        for lp in local_ports:
            for match in ("--sport", "--dport"):
                run("ip", "netns", "exec", netns, "iptables", "-I", "INPUT", "-p", "tcp",
                    match, lp, "-j", "DROP")
        print(f"black-holed connections from local ports {', '.join(local_ports)}", flush=True)

        start = time.monotonic()
        subprocess.run([kubectl, "-n", k8s_ns, "create", "configmap", "after"], check=True,
                       env=kenv, capture_output=True)
        seen = out.wait_for("added after", args.bound + 5)
        took = time.monotonic() - start
        if not seen:
            print(f"FAIL: object created under the black hole not seen after {took:.1f}s "
                  f"(bound {args.bound}s); driver saw {out.seen}", flush=True)
            return 1
        print(f"recovered: object seen {took:.1f}s after the black hole (bound {args.bound}s)",
              flush=True)
        if took > args.bound:
            print("FAIL: recovery slower than the bound", flush=True)
            return 1
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run([kubectl, "delete", "namespace", k8s_ns, "--wait=false"], env=kenv,
                       capture_output=True)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
