#!/usr/bin/python3
"""Network-namespace topologies for ironlb tests: a bridge namespace joining a client and N nodes.

    from topology import Topology
    with Topology(nodes=2) as topo:
        topo.client.run(["ping", "-c1", topo.nodes[0].ipv4])
        proc = topo.nodes[0].popen(["/path/to/speaker", ...])

Every namespace is named from a per-run prefix ("ilb<pid><rand>-..."), every interface lives only
inside our namespaces (created there directly, never in the caller's namespace), and everything
is deleted on exit: normal, exception, SIGINT or SIGTERM. `python3 topology.py cleanup` deletes
leftovers of crashed runs by prefix. Addresses come from documentation ranges only: IPv4
192.0.2.0/24, IPv6 2001:db8:1::/64 (VIPs from .100 / ::100 upward). DAD is disabled on test links
so addresses are usable at once.

Hosts (client, nodes) see one interface "eth0" to the bridge; extra links via add_link().
Stdlib only; root required.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

DEFAULT_PREFIX = "ilb"
V4_NET = "192.0.2"
V6_NET = "2001:db8:1:"


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def list_namespaces(prefix=DEFAULT_PREFIX):
    out = _ip("-j", "netns", "list", check=False).stdout.strip()
    names = [n["name"] for n in json.loads(out)] if out else []
    return [n for n in names if n.startswith(prefix)]


def _kill_namespace_processes(ns):
    """Ends processes still running inside one of our namespaces (ours by construction)."""
    pids = _ip("netns", "pids", ns, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _kill_all(procs):
    """Kills, reaps (5 s each at most) and closes the pipes of processes we started."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def cleanup(prefix=DEFAULT_PREFIX):
    """Deletes every namespace whose name starts with prefix (leftovers of crashed runs)."""
    removed = []
    for ns in list_namespaces(prefix):
        _kill_namespace_processes(ns)
        _ip("netns", "del", ns, check=False)
        removed.append(ns)
    return removed


def wait_for(predicate, timeout, interval=0.01, what="condition"):
    """Polls predicate until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Host:
    """One network namespace with a link to the bridge."""

    def __init__(self, topo, ns, index):
        self.topo = topo
        self.ns = ns
        self.index = index
        self.ipv4 = f"{V4_NET}.{index}"
        self.ipv6 = f"{V6_NET}:{index:x}"
        self.procs = []

    def cmd(self, args):
        return ["ip", "netns", "exec", self.ns, *args]

    def run(self, args, check=True, timeout=60, **kw):
        return subprocess.run(self.cmd(args), check=check, timeout=timeout,
                              capture_output=True, text=True, **kw)

    def popen(self, args, **kw):
        kw.setdefault("stdin", subprocess.PIPE)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("text", True)
        # Out of the caller's process group: a Ctrl-C reaches the harness, which tears down
        # (and kills these) in order, instead of every child printing its own traceback.
        kw.setdefault("start_new_session", True)
        proc = subprocess.Popen(self.cmd(args), **kw)
        self.procs.append(proc)
        return proc

    def ip(self, *args, check=True):
        return _ip("-n", self.ns, *args, check=check)

    def sysctl(self, key, value):
        self.run(["sysctl", "-qw", f"{key}={value}"])

    def link(self, ifname="eth0"):
        return json.loads(self.ip("-j", "link", "show", "dev", ifname).stdout)[0]

    def mac(self, ifname="eth0"):
        return self.link(ifname)["address"]

    def ifindex(self, ifname="eth0"):
        return self.link(ifname)["ifindex"]

    def neigh(self, address, ifname="eth0"):
        """The link-layer address in this host's neighbour table for address, or None."""
        out = self.ip("-j", "neigh", "show", "to", address, "dev", ifname).stdout.strip()
        for entry in json.loads(out) if out else []:
            if entry.get("lladdr") and "FAILED" not in entry.get("state", []):
                return entry["lladdr"]
        return None

    def flush_neigh(self, ifname="eth0"):
        self.ip("neigh", "flush", "dev", ifname, check=False)

    def stop_processes(self):
        _kill_all(self.procs)
        self.procs = []


class Topology:
    """client + N nodes on one bridge; a context manager that always tears down."""

    def __init__(self, nodes=2, prefix=None):
        tag = f"{os.getpid() % 100000}{random.randrange(16**3):03x}"
        self.prefix = f"{prefix or DEFAULT_PREFIX}{tag}"
        self.bridge_ns = f"{self.prefix}-br"
        self.client = Host(self, f"{self.prefix}-client", 1)
        self.nodes = [Host(self, f"{self.prefix}-n{i}", 10 + i) for i in range(nodes)]
        self._ports = 0
        self._old_handlers = {}
        self._host_procs = []  # processes in the caller's namespace (forwarders)

    @property
    def hosts(self):
        return [self.client, *self.nodes]

    @staticmethod
    def vip4(n=0):
        return f"{V4_NET}.{100 + n}"

    @staticmethod
    def vip6(n=0):
        return f"{V6_NET}:{0x100 + n:x}"

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _on_signal(self, signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def _new_ns(self, name):
        _ip("netns", "add", name)
        ns_exec = ["ip", "netns", "exec", name, "sysctl", "-qw"]
        # No DAD on test links (addresses usable at once); applies to links created afterwards.
        for key in ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                    "net.ipv6.conf.default.dad_transmits=0"):
            subprocess.run(ns_exec + [key], check=True)
        _ip("-n", name, "link", "set", "lo", "up")

    def _create(self):
        self._new_ns(self.bridge_ns)
        _ip("-n", self.bridge_ns, "link", "add", "br0", "type", "bridge", "stp_state", "0")
        _ip("-n", self.bridge_ns, "link", "set", "br0", "up")
        # If br_netfilter is loaded on the machine, make the bridge a plain switch again: it
        # would otherwise run IP validation and netfilter on bridged frames.
        for key in ("arptables", "iptables", "ip6tables"):
            subprocess.run(["ip", "netns", "exec", self.bridge_ns, "sysctl", "-qw",
                            f"net.bridge.bridge-nf-call-{key}=0"],
                           check=False, capture_output=True)
        for host in self.hosts:
            self._new_ns(host.ns)
            self.add_link(host, "eth0", v4=f"{host.ipv4}/24", v6=f"{host.ipv6}/64")

    def add_link(self, host, ifname, v4=None, v6=None, up=True):
        """Adds a veth from host (named ifname) to the bridge; returns the bridge-side port."""
        self._ports += 1
        port = f"p{self._ports}"
        host.ip("link", "add", ifname, "type", "veth", "peer", "name", port,
                "netns", self.bridge_ns)
        _ip("-n", self.bridge_ns, "link", "set", port, "master", "br0", "up")
        if v4:
            host.ip("addr", "add", v4, "dev", ifname)
        if v6:
            host.ip("addr", "add", v6, "dev", ifname, "nodad")
        if up:
            host.ip("link", "set", ifname, "up")
        return port

    def forward_loopback(self, port, target_port=None, hosts=None):
        """Makes 127.0.0.1:port inside each node namespace (or `hosts`) reach 127.0.0.1:target_port
        of the caller's namespace (apiforward.py; no interface is added anywhere). Stopped on
        close()."""
        hosts = self.nodes if hosts is None else hosts
        proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "apiforward.py"),
             "--port", str(port), "--target", f"127.0.0.1:{target_port or port}",
             *[h.ns for h in hosts]],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
            start_new_session=True)  # stopped by close(), like Host.popen's children
        self._host_procs.append(proc)
        line = proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"apiforward.py did not start: {line!r} (exit {proc.poll()})")
        return proc

    def close(self):
        _kill_all(self._host_procs)
        self._host_procs = []
        for host in self.hosts:
            host.stop_processes()
        for ns in [h.ns for h in self.hosts] + [self.bridge_ns]:
            if ns in list_namespaces(self.prefix):
                _kill_namespace_processes(ns)
                _ip("netns", "del", ns, check=False)
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers = {}


def main(argv):
    if len(argv) >= 2 and argv[1] == "cleanup":
        prefix = argv[2] if len(argv) > 2 else DEFAULT_PREFIX
        for ns in cleanup(prefix):
            print(f"deleted {ns}")
        return 0
    if len(argv) >= 2 and argv[1] == "hold":
        # Build a topology and keep it until SIGINT/SIGTERM: for poking at by hand.
        with Topology(nodes=int(argv[2]) if len(argv) > 2 else 2) as topo:
            print(" ".join(h.ns for h in topo.hosts), flush=True)
            while True:
                time.sleep(3600)
    print("usage: topology.py cleanup [prefix] | hold [nodes]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
