#!/usr/bin/python3
"""BGP mode's speed (docs/bgp.md, "Speed"): ironlb's per-node pipeline (bgp_bench_driver: a
BgpNode over FrrApplier) on two node namespaces, each with a real FRR (zebra, bgpd, bfdd),
peering with BIRD 2 in a router namespace. Normally run through test/bench/bgp/run.sh.

    bgp_bench.py --driver BIN [--trials 20] [--sizes 1000,10000] [--idle 20] [--no-withdraw-all]

Each node has two sessions with the router: IPv4 with a BFD profile of 100 ms x 3 (hold time
9 s), and IPv6 without BFD, hold time 3 s (keepalive 1 s); BIRD keeps its default graceful
restart ("aware", it helps a restarting peer), which ironlb's FRR does not offer unless a
BGPPeer asks for it, so a dead node's routes are bounded by the hold time. Both nodes announce 203.0.113.5 and
2001:db8:200::5 (the router holds each over both next hops, ECMP). Measured, p50/p99 over
--trials trials each:
  - node death, two ways: FRR's daemons of n0 SIGKILLed (the node's kernel lives on and closes
    their TCP connections), and n0's link cut (`ip link set eth0 down` on the node side of its
    veth: nothing more reaches the router, as when a node loses power) -> the router's kernel
    routes no longer use n0 (IPv4: BFD; IPv6: the hold time);
  - graceful withdraw: BgpNode::withdrawAll() on n0 -> n0 gone from both routes at the router;
  - with N prefixes announced by n0 (IPv6 /128s from 2001:db8:100::/112: IPv4's documentation
    ranges hold only 768 addresses), one new Service -> its route at the router, and the cost
    of that change in the driver (plan and render, apply wall time, commands sent), per N and as
    the ratio between the largest and the smallest N; one Service removed -> route gone;
  - at the largest N: RSS and CPU time of n0's zebra, bgpd, bfdd, the driver and BIRD, the CPU
    the step from the previous size took, the idle CPU over --idle seconds of BgpNode's loop
    (its 5 s polls), and last, once, withdrawAll() of everything (the graceful stop at that
    size).
The router is observed through its kernel routing table (`ip -n <router> route ...`, one
process per look), polled in a loop; the granularity (mean time between looks) is printed with
each result. A result's time is when the look that first saw the change ended, so it includes
up to one period of observation delay. t0 is the kill(2) call, the start of `ip link set down`,
or the driver's clock reading just before it hands the change to BgpNode (CLOCK_MONOTONIC in
both processes). Namespaces are named ilbbgpb<pid><rand>-* and always deleted; documentation
addresses only; every wait has a deadline."""

import argparse
import ipaddress
import json
import os
import select
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "netns"))
sys.path.insert(0, os.path.join(ROOT, "test", "bench", "failover"))
from bird import Bird  # noqa: E402
from failover_bench import percentile, proc_stats, summarize  # noqa: E402
from frr import Frr  # noqa: E402
from topology import Topology, wait_for  # noqa: E402

NS = "metallb-system"
VIP4, VIP6 = "203.0.113.5", "2001:db8:200::5"
SCALE_BASE = "2001:db8:100::"  # + 1 + i for scale Service i (bgp_bench_driver)
LOOK_PAUSE = 0.004  # between looks at the router; the period adds one `ip` run (~1.5 ms)
HZ = os.sysconf("SC_CLK_TCK")
ANNOUNCE_LIMIT = 600  # s; bounds one step's apply (10,000 prefixes: a few seconds)

BIRD_CONF = """
router id 192.0.2.1;
log "@LOG@" { warning, error, fatal };
protocol device { }
protocol kernel { ipv4 { export all; import none; }; merge paths on; }
protocol kernel { ipv6 { export all; import none; }; merge paths on; }
protocol bfd { interface "*" { interval 100 ms; multiplier 3; }; }
template bgp node4 {
  local 192.0.2.1 as 64513;
  error wait time 1, 5;
  connect retry time 1;
  ipv4 { import all; export none; };
  bfd on;
}
template bgp node6 {
  local 2001:db8:1::1 as 64513;
  error wait time 1, 5;
  connect retry time 1;
  hold time 3;
  keepalive time 1;
  ipv6 { import all; export none; };
}
protocol bgp n0 from node4 { neighbor 192.0.2.10 as 64512; }
protocol bgp n1 from node4 { neighbor 192.0.2.11 as 64512; }
protocol bgp n0v6 from node6 { neighbor 2001:db8:1::a as 64512; }
protocol bgp n1v6 from node6 { neighbor 2001:db8:1::b as 64512; }
"""


def objects(nodes):
    meta = lambda name: {"name": name, "namespace": NS}  # noqa: E731
    peer = {"myASN": 64512, "peerASN": 64513, "connectTime": "1s"}
    out = [
        {"kind": "IPAddressPool", "metadata": meta("vips"),
         "spec": {"addresses": ["203.0.113.0/24", "2001:db8:200::/120"]}},
        {"kind": "IPAddressPool", "metadata": meta("scale"),
         "spec": {"addresses": [SCALE_BASE + "/112"]}},
        {"kind": "BFDProfile", "metadata": meta("fast"),
         "spec": {"receiveInterval": 100, "transmitInterval": 100, "detectMultiplier": 3}},
        {"kind": "BGPPeer", "metadata": meta("router4"),
         "spec": {**peer, "peerAddress": "192.0.2.1", "bfdProfile": "fast", "holdTime": "9s",
                  "keepaliveTime": "3s"}},
        {"kind": "BGPPeer", "metadata": meta("router6"),
         "spec": {**peer, "peerAddress": "2001:db8:1::1", "holdTime": "3s",
                  "keepaliveTime": "1s"}},
        {"kind": "BGPAdvertisement", "metadata": meta("all"), "spec": {}},
    ]
    out += [{"kind": "Node", "metadata": {"name": n, "labels": {"kubernetes.io/hostname": n}}}
            for n in nodes]
    return out


class Driver:
    """bgp_bench_driver for one node: a command in, one JSON answer out."""

    def __init__(self, binary, node, names, frr, work):
        path = os.path.join(work, f"{node}.json")
        services = [{"key": "bench/vip", "ips": [VIP4, VIP6], "servingNodes": names}]
        with open(path, "w") as f:
            json.dump({"node": node, "objects": objects(names), "services": services}, f)
        self.proc = subprocess.Popen(
            [binary, "--input", path, "--vty-dir", frr.vty_dir, "--scale-base", SCALE_BASE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.node = node

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def answer(self, timeout=180):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"driver {self.node}: no answer (exit {self.proc.poll()})")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(f"driver {self.node}: {reply.get('error')}")
        return reply

    def call(self, command, timeout=180):
        self.send(command)
        return self.answer(timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


class Router:
    """Looks at the router namespace's kernel routes, timing each look."""

    def __init__(self, host):
        self.ns = host.ns
        self.looks = 0
        self.look_time = 0.0

    def _ip(self, *args):
        return subprocess.run(["ip", "-n", self.ns, *args], capture_output=True, text=True,
                              timeout=10)

    def nexthops(self, prefix):
        fam = "-6" if ":" in prefix else "-4"
        out = self._ip(fam, "route", "show", prefix).stdout
        return sorted(tok for line in out.splitlines() for prev, tok in
                      zip(line.split(), line.split()[1:]) if prev == "via")

    def has(self, address):
        """Whether the router has a BIRD route for address (a lookup: cheap at any table size)."""
        r = self._ip("-6" if ":" in address else "-4", "route", "get", address)
        return r.returncode == 0 and "proto bird" in r.stdout

    def count(self, prefix_start):
        out = self._ip("-6", "route", "show", "proto", "bird").stdout
        return sum(1 for line in out.splitlines() if line.startswith(prefix_start))

    def watch(self, conditions, timeout, pause=LOOK_PAUSE):
        """Polls {name: predicate} until each holds; {name: monotonic time of the look that first
        saw it}; the period of the looks is accumulated for granularity()."""
        seen = {}
        deadline = time.monotonic() + timeout
        start = time.monotonic()
        while len(seen) < len(conditions):
            for name, holds in conditions.items():
                if name not in seen and holds():
                    seen[name] = time.monotonic()
            self.looks += 1
            if time.monotonic() > deadline:
                missing = sorted(set(conditions) - set(seen))
                raise TimeoutError(f"timed out after {timeout}s waiting for {missing}")
            if len(seen) < len(conditions):
                time.sleep(pause)
        self.look_time += time.monotonic() - start
        return seen

    def granularity(self):
        g = self.look_time / self.looks * 1000 if self.looks else float("nan")
        self.looks, self.look_time = 0, 0.0
        return g


def without(router, prefix, gone, kept):
    """A predicate: the router's route for prefix no longer uses `gone` and still uses `kept`."""
    def holds():
        hops = router.nexthops(prefix)
        return gone not in hops and kept in hops
    return holds


def bfd_fast(bird):
    """Both BFD sessions Up at the router with the profile's intervals (out of slow start)."""
    rows = [line.split() for line in bird.cli("show", "bfd", "sessions").splitlines()]
    up = [r for r in rows if len(r) >= 6 and r[2] == "Up" and r[4] == "0.100"]
    return len(up) == 2


class Bench:
    def __init__(self, args, topo, bird, frrs, drivers):
        self.args = args
        self.topo = topo
        self.bird = bird
        self.frrs = frrs
        self.drivers = drivers
        self.router = Router(topo.client)
        self.n4 = [n.ipv4 for n in topo.nodes]
        self.n6 = [n.ipv6 for n in topo.nodes]
        self.announced = 0  # scale prefixes n0 announces

    def steady(self, timeout=90):
        """Both VIPs over both nodes at the router, both BFD sessions fast."""
        wait_for(lambda: self.router.nexthops(VIP4) == self.n4
                 and self.router.nexthops(VIP6) == self.n6 and bfd_fast(self.bird),
                 timeout, 0.05, "both VIPs over both nodes and BFD Up at 100 ms")

    def node_death(self, how):
        v4, v6 = [], []
        gone = {"v4": without(self.router, VIP4, self.n4[0], self.n4[1]),
                "v6": without(self.router, VIP6, self.n6[0], self.n6[1])}
        for _ in range(self.args.trials):
            self.steady()
            t0 = time.monotonic()
            if how == "kill":
                self.frrs[0].kill()
            else:
                self.topo.nodes[0].ip("link", "set", "eth0", "down")
            seen = self.router.watch(gone, 30)
            v4.append((seen["v4"] - t0) * 1000)
            v6.append((seen["v6"] - t0) * 1000)
            if how == "kill":
                self.frrs[0].start()
                self.drivers[0].call("sync", 90)
            else:
                self.topo.nodes[0].ip("link", "set", "eth0", "up")
        g = self.router.granularity()
        what = ("FRR's daemons SIGKILLed" if how == "kill"
                else "link cut (ip link set eth0 down)")
        print(summarize(f"n0 {what}: IPv4, BFD 100ms x 3", v4))
        print(summarize(f"n0 {what}: IPv6, no BFD, hold 3s", v6))
        print(f"    (router looked at every {g:.1f} ms on average)")
        return v4, v6

    def withdraw(self):
        v4, v6, apply_ms = [], [], []
        gone = {"v4": without(self.router, VIP4, self.n4[0], self.n4[1]),
                "v6": without(self.router, VIP6, self.n6[0], self.n6[1])}
        for _ in range(self.args.trials):
            self.steady()
            self.drivers[0].send("withdraw")
            seen = self.router.watch(gone, 30)
            reply = self.drivers[0].answer()
            v4.append((seen["v4"] - reply["t0"]) * 1000)
            v6.append((seen["v6"] - reply["t0"]) * 1000)
            apply_ms.append(reply["applyMs"])
            self.drivers[0].call("restore")
        g = self.router.granularity()
        print(summarize("withdrawAll() on n0 -> IPv4 VIP without n0", v4))
        print(summarize("withdrawAll() on n0 -> IPv6 VIP without n0", v6))
        print(summarize("  of which withdrawAll() itself (FRR accepted)", apply_ms))
        print(f"    (router looked at every {g:.1f} ms on average; {reply['commands']} commands)")

    def announce(self, n):
        """n0 announces n scale prefixes (and the VIPs): the driver's answer and how long until
        all n were at the router."""
        t0 = time.monotonic()
        reply = self.drivers[0].call(f"set {n}", ANNOUNCE_LIMIT)
        wait_for(lambda: self.router.count(SCALE_BASE) == n, 300, 0.5,
                 f"{n} scale prefixes at the router")
        return reply, time.monotonic() - t0

    def one_service(self, n, footprint):
        """From the previous size to n prefixes, then the one-Service trials at n; with
        `footprint`, the processes' RSS and CPU around the step to n and while idle at n."""
        pids = self.processes()
        before = {k: proc_stats(p) for k, p in pids.items()}
        reply, took = self.announce(n)
        print(f"### {n:,} prefixes announced by n0 (from {self.announced:,}: {reply['commands']} "
              f"commands, plan+render {reply['planMs']:.0f} ms, apply {reply['applyMs'] / 1000:.1f}"
              f" s, all at the router after {took:.1f} s)")
        if footprint:
            self.footprint(pids, before, n)
        self.announced = n
        add, remove, plan, apply_ms, commands = [], [], [], [], []
        for _ in range(self.args.trials):
            ip = self.address(n)
            self.drivers[0].send("add")
            seen = self.router.watch({"in": lambda: self.router.has(ip)}, 30)
            reply = self.drivers[0].answer()
            assert reply["ip"] == ip, (reply, ip)
            add.append((seen["in"] - reply["t0"]) * 1000)
            plan.append(reply["planMs"])
            apply_ms.append(reply["applyMs"])
            commands.append(reply["commands"])
            self.drivers[0].send("remove")
            seen = self.router.watch({"out": lambda: not self.router.has(ip)}, 30)
            reply = self.drivers[0].answer()
            remove.append((seen["out"] - reply["t0"]) * 1000)
        g = self.router.granularity()
        print(summarize(f"new Service -> route at the router (N={n})", add))
        print(summarize(f"Service removed -> route gone (N={n})", remove))
        print(summarize(f"  driver: setServices (plan + render) (N={n})", plan))
        print(summarize(f"  driver: apply wall time (N={n})", apply_ms))
        print(f"    commands sent per new Service: {sorted(set(commands))}; router looked at "
              f"every {g:.1f} ms on average")
        return {"add": add, "plan": plan, "apply": apply_ms, "commands": commands}

    @staticmethod
    def address(i):
        return str(ipaddress.IPv6Address(SCALE_BASE) + 1 + i)

    def processes(self):
        pids = dict(zip(("zebra", "bgpd", "bfdd"), self.frrs[0].pids()))
        pids["driver (BgpNode)"] = self.drivers[0].proc.pid
        with open(os.path.join(self.bird.dir, "bird.pid")) as f:
            pids["BIRD (router)"] = int(f.read().strip())
        return pids

    def footprint(self, pids, before, n):
        loaded = {k: proc_stats(p) for k, p in pids.items()}
        self.drivers[0].call(f"idle {self.args.idle}", self.args.idle + 60)
        idle = {k: proc_stats(p) for k, p in pids.items()}
        print(f"footprint (n0's processes; the driver runs BgpNode's loop, 5 s polls, while idle)")
        print(f"{'process':18s} {'RSS MiB ' + f'{self.announced:,} -> {n:,}':>26s} "
              f"{'CPU s for the step':>19s} {f'idle CPU % ({self.args.idle:.0f} s)':>19s} "
              f"{'CPU s total':>12s}")
        for k in pids:
            print(f"{k:18s} {before[k][0] / 1024:15.1f} -> {loaded[k][0] / 1024:6.1f} "
                  f"{(loaded[k][1] - before[k][1]) / HZ:19.2f} "
                  f"{(idle[k][1] - loaded[k][1]) / HZ / self.args.idle * 100:19.2f} "
                  f"{idle[k][1] / HZ:12.2f}")

    def withdraw_all(self, n):
        """withdrawAll() with n scale prefixes announced (the graceful stop at that size), once;
        the routes are not restored."""
        last = self.address(n - 1)
        self.steady()
        self.drivers[0].send("withdraw")
        # The last prefix is looked up cheaply; the count (a dump) only once it is gone.
        seen = self.router.watch({"v4": without(self.router, VIP4, self.n4[0], self.n4[1]),
                                  "all": lambda: not self.router.has(last)
                                  and self.router.count(SCALE_BASE) == 0}, ANNOUNCE_LIMIT, 0.02)
        self.router.granularity()
        reply = self.drivers[0].answer(ANNOUNCE_LIMIT)
        print(f"withdrawAll() with N={n:,}: every route of n0 gone at the router after "
              f"{(max(seen.values()) - reply['t0']) * 1000:.0f} ms; withdrawAll() returned after "
              f"{reply['applyMs']:.0f} ms ({reply['commands']} commands; 1 trial)")


def ratio_line(results):
    small, large = min(results), max(results)
    a, b = results[small], results[large]
    for key, what in (("add", "new Service -> route at the router"),
                      ("apply", "apply wall time"), ("plan", "plan + render")):
        print(f"{what:40s} p50 {percentile(b[key], 50):8.2f} / {percentile(a[key], 50):8.2f} ms "
              f"= {percentile(b[key], 50) / percentile(a[key], 50):5.2f}x   "
              f"p99 {percentile(b[key], 99):8.2f} / {percentile(a[key], 99):8.2f} ms = "
              f"{percentile(b[key], 99) / percentile(a[key], 99):5.2f}x")
    print(f"{'commands per new Service':40s} {max(b['commands'])} / {max(a['commands'])}"
          f"   (prefixes {large / small:.0f}x)")


def run(args, topo, bird, frrs, drivers):
    bench = Bench(args, topo, bird, frrs, drivers)
    bench.steady()
    print(f"### node death ({args.trials} trials each; BIRD: BFD 100 ms x 3 on IPv4, "
          "hold time 3 s / keepalive 1 s on IPv6)")
    bench.node_death("kill")
    bench.node_death("link")
    print()
    print(f"### graceful withdraw ({args.trials} trials; n0 announces the two VIPs)")
    bench.withdraw()
    results = {}
    for n in args.sizes:
        print()
        results[n] = bench.one_service(n, footprint=n == max(args.sizes))
    if len(results) > 1:
        print()
        print(f"### one change at {max(results):,} vs {min(results):,} prefixes (ratio of p50s "
              "and p99s)")
        ratio_line(results)
    if args.withdraw_all:
        print()
        bench.withdraw_all(max(args.sizes))


def diagnose(bird, frrs):
    """What the router and the nodes' FRR say, printed when a step fails."""
    print("--- router ---")
    print(bird.cli("show", "protocols"), bird.cli("show", "bfd", "sessions"), bird.log()[-2000:])
    for f in frrs:
        if f.vty_dir is None:
            continue
        print(f"--- {f.host.ns}: FRR ---")
        print(f.vtysh("show bgp summary", "show bfd peers brief")[-3000:], f.log("bgpd")[-2500:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--idle", type=float, default=20)
    ap.add_argument("--no-withdraw-all", dest="withdraw_all", action="store_false",
                    help="skip withdrawAll() at the largest size")
    args = ap.parse_args()
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    if not 1 <= args.trials <= 200 or not all(1 <= n <= 60000 for n in args.sizes):
        ap.error("--trials 1-200, --sizes each 1-60000 (the scale pool is a /112)")
    with Topology(nodes=2, prefix="ilbbgpb") as topo, tempfile.TemporaryDirectory() as work:
        names = ["n0", "n1"]
        for n in topo.nodes:
            # The link cut is `ip link set down`, which would also drop the node's IPv6
            # addresses; a cable cut (carrier loss) keeps them.
            n.sysctl("net.ipv6.conf.eth0.keep_addr_on_down", 1)
        frrs, drivers = [], []
        try:
            for n in topo.nodes:
                frrs.append(Frr(n).__enter__())
            for name, frr in zip(names, frrs):
                drivers.append(Driver(args.driver, name, names, frr, work))
            with Bird(topo.client, BIRD_CONF) as bird:
                for d in drivers:
                    d.call("restore")
                try:
                    run(args, topo, bird, frrs, drivers)
                except Exception:
                    diagnose(bird, frrs)
                    raise
        finally:
            for d in drivers:
                d.stop()
            for f in frrs:
                f.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
