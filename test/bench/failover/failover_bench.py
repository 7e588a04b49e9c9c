#!/usr/bin/python3
"""Failover timings of ironlb-speaker as a real client sees them, plus the speaker's footprint.

    test/bench/failover/failover_bench.py --state STATE --speaker BIN [--trials 30] [--nodes 2,3]
                                          [--services 10,500] [--skip-footprint]
                                          [--modes sigkill,linkcut,sigterm] [--load idle|busy|both]

Runs in network namespaces (root) against the test control plane's API server (start one with
test/controlplane/start.sh STATE). Normally run through test/bench/failover/run.sh.

For each mode (SIGKILL of the owner's speaker, cut of the owner's link, SIGTERM) and each trial:
settle (one owner, the client's neighbour entries for the IPv4 and IPv6 VIP pointing at it),
act on the owner, and time until the client's kernel neighbour entry points elsewhere, from
`ip monitor neigh` in the client namespace (event-driven; the read adds well under a millisecond
on an idle machine, milliseconds on a busy one: `ip monitor` and this script's reader thread must
be scheduled first). The new owner's gratuitous ARP and unsolicited NA are also timed from a
capture in the client namespace, by their kernel receive timestamps ("on wire"): the client's
kernel updates its entry as that frame arrives (the burst's next frame is 1 s later), so this is
the hand-over itself, free of the observer's wake-ups. Then the owner is restored and the next
trial starts from whatever owner the cluster settles on.

--load busy runs each trial on a busy machine: one busy loop per CPU at normal priority (nice 0),
started by this script 0.5 s before the action and ended after the measurement (each loop also
ends by itself after 20 s); the speakers and the client then compete with a task that wants the
whole CPU, as on a node full of pods. --load both runs every mode idle, then busy.

t0 is taken just before the action: the kill(2) call; for the link cut, just before spawning
`ip link set down` on the owner's bridge port (a few ms of process start-up are included).

Reply latency (--latency-samples, default 5000): ARP and NDP requests from the client at 1,000/s
to the owner's VIPs, answered by the speaker on the same thread as its control loop (membership,
informer events, metrics), paired request by request with requests for the owner node's own
addresses, answered by its kernel (test/bench/dataplane/dataplane_loadgen); idle and/or busy;
with the loop thread's time running and waiting for a CPU per wake-up meanwhile. Every frame
wakes all three speakers here, on the same 2 CPUs; on real nodes the others run elsewhere.

With several cluster sizes (--nodes 2,3) each size gets its own cluster, one after the other in
the same run, and the summary prints each size's figures and their ratio to the largest size's
(two-node clusters are common: the survivor must take over as fast as with three). Reply latency
and footprint are measured in the largest cluster.

Footprint: RSS (VmRSS) and CPU of each idle speaker over 10 s, with N Services (one LB IP each).
"""

import argparse
import contextlib
import json
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "speaker"))
sys.path.insert(0, os.path.join(ROOT, "test", "netns"))
import cluster  # noqa: E402
from cluster import Kube, SpeakerCluster, wait_for  # noqa: E402
from cpu_load import CpuLoad  # noqa: E402

V4, V6 = "192.0.2.200", "2001:db8:1::200"


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class NeighWatch:
    """`ip monitor neigh` in the client namespace; (monotonic time, ip, lladdr) per event."""

    def __init__(self, client):
        self.proc = client.popen(["ip", "monitor", "neigh"], stdin=subprocess.DEVNULL, bufsize=1)
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            m = re.match(r"^(\S+) dev \S+ lladdr (\S+)", line)
            if m:
                self.events.put((now, m.group(1), m.group(2)))

    def drain(self):
        while not self.events.empty():
            self.events.get_nowait()

    def wait_moved(self, ips, old_mac, deadline):
        """Per ip: the first event time with an lladdr other than old_mac."""
        moved = {}
        while len(moved) < len(ips):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                t, ip, mac = self.events.get(timeout=left)
            except queue.Empty:
                break
            if ip in ips and ip not in moved and mac != old_mac:
                moved[ip] = (t, mac)
        return moved


class AnnounceWatch:
    """tcpdump in the client namespace: kernel receive times (wall clock) of the gratuitous ARPs
    for V4 and the unsolicited NAs for V6, with the sender's MAC."""

    def __init__(self, client, family):
        if family == "v4":
            expr = f"arp and arp[14:4] = 0x{ipv4_hex(V4)}"
        else:  # NA (136) whose target (ip6[48:16]) is V6
            words = ipv6_words(V6)
            expr = "icmp6 and ip6[40] = 136 and " + " and ".join(
                f"ip6[{48 + 4 * i}:4] = 0x{w:08x}" for i, w in enumerate(words))
        self.proc = client.popen(["tcpdump", "-l", "-n", "-tt", "-e", "-i", "eth0", expr],
                                 stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) > 1:
                try:
                    self.lines.put((float(parts[0]), parts[1]))
                except ValueError:
                    pass

    def drain(self):
        while not self.lines.empty():
            self.lines.get_nowait()

    def first_from(self, mac, wall0, timeout=1.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                t, src = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if src == mac and t >= wall0:
                return t
        return None


def ipv6_words(ip):
    import ipaddress
    packed = ipaddress.IPv6Address(ip).packed
    return [int.from_bytes(packed[i:i + 4], "big") for i in range(0, 16, 4)]


def ipv4_hex(ip):
    return "".join(f"{int(x):02x}" for x in ip.split("."))


def settle(c):
    """The owner once it is stable: every speaker counts every running one live, one node
    announces both VIPs, every speaker agrees, and the client's neighbour entries point at it.
    Re-evaluated as a whole, because right after a restore the returning node may not have
    rejoined yet and take the IPs back a moment later (after a link cut it rejoins only once
    every peer answered it, up to a second while the kernels re-resolve neighbours)."""
    def stable():
        running = c.running()
        if any(c.metric(i, "ironlb_speaker_membership_live_members") != len(running)
               for i in running):
            return None
        owner = c.wait_single_owner(V4, timeout=30)
        if c.wait_single_owner(V6, timeout=30) != owner:
            return None
        if all(c.resolve_from_client(ip) == c.mac_of(owner) for ip in (V4, V6)):
            return owner + 1  # truthy
        return None
    return wait_for(stable, 30, 0.05, "one stable owner the client resolves both VIPs to") - 1


def busy_if(c, load, seconds):
    """A busy loop per CPU for the `with` block when load is "busy" (bounded by `seconds`)."""
    if load == "busy":
        return CpuLoad(c.client, seconds=seconds, warmup=0.5)
    return contextlib.nullcontext()


def act(c, mode, owner, neigh, announce):
    """Acts on the owner; returns (neighbour moves, wall0, t0). Measures before returning."""
    old_mac = c.mac_of(owner)
    neigh.drain()
    for w in announce.values():
        w.drain()
    wall0 = time.time()
    t0 = time.monotonic()
    if mode == "sigkill":
        c.speakers[owner].proc.send_signal(signal.SIGKILL)
    elif mode == "sigterm":
        c.speakers[owner].proc.send_signal(signal.SIGTERM)
    else:
        c.set_port(owner, False)
    moved = neigh.wait_moved({V4, V6}, old_mac, time.monotonic() + 10)
    return moved, wall0, t0


def run_mode(c, mode, trials, neigh, announce, load):
    results = {"v4": [], "v6": [], "garp": [], "na": [], "failures": 0}
    for n in range(trials):
        owner = settle(c)
        with busy_if(c, load, seconds=20):
            moved, wall0, t0 = act(c, mode, owner, neigh, announce)
            wire = {f: announce[f].first_from(moved[ip][1], wall0)
                    for f, ip in (("v4", V4), ("v6", V6)) if ip in moved}
        ok = V4 in moved and V6 in moved
        if ok:
            results["v4"].append((moved[V4][0] - t0) * 1000)
            results["v6"].append((moved[V6][0] - t0) * 1000)
            for f, key in (("v4", "garp"), ("v6", "na")):
                if wire.get(f) is not None:
                    results[key].append((wire[f] - wall0) * 1000)
        else:
            results["failures"] += 1
        on_wire = " ".join(f"{k} {(t - wall0) * 1000:.1f}" for k, t in wire.items()
                           if t is not None)
        print(f"  {mode} {load} trial {n + 1}/{trials}: owner node {owner} -> "
              + (f"{results['v4'][-1]:.1f} ms (v4), {results['v6'][-1]:.1f} ms (v6); "
                 f"on the wire: {on_wire} ms" if ok else "no move within 10 s"), flush=True)
        # Restore.
        if mode in ("sigkill", "sigterm"):
            c.speakers[owner].wait(15)
            c.start_speaker(owner)
        else:
            c.set_port(owner, True)
        c.wait_ready(owner, timeout=30)
    return results


def loop_thread_stats(pid):
    """(ns running, ns runnable but waiting, times scheduled in) of the speaker's loop thread
    (its main thread) from schedstat: is a slow reply work on the loop or a wait for a CPU?"""
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        return tuple(int(x) for x in f.read().split())


def reply_latency(c, loadgen_bin, samples, loads):
    """The owner speaker's ARP/NDP reply latency against its node's kernel, paired."""
    print()
    print(f"### reply latency: the owner's speaker (VIPs) vs the owner node's kernel (its own "
          f"addresses), {samples} paired samples per protocol at 1,000/s, generator on CPU 1")
    for load in loads:
        owner = settle(c)
        node = c.nodes[owner]
        for proto, kernel_ip, vip, src in (("arp", node.ipv4, V4, c.client.ipv4),
                                           ("ndp", node.ipv6, V6, c.client.ipv6)):
            cmd = ["taskset", "-c", "1", loadgen_bin, "latency", "eth0", proto,
                   f"{kernel_ip},{vip}", src, str(samples), "1000"]
            pid = c.speakers[owner].proc.pid  # `ip netns exec` execs the speaker: same pid
            before = loop_thread_stats(pid)
            with busy_if(c, load, seconds=2 * samples / 1000 + 30):
                out = c.client.run(cmd, timeout=2 * samples / 1000 + 60).stdout
            after = loop_thread_stats(pid)
            kern, ours = [dict(kv.split("=") for kv in line.split())
                          for line in out.splitlines() if line]
            for who, r in (("kernel", kern), ("ironlb", ours)):
                print(f"{load:4} {proto} {who}: p50 {float(r['median_us']):7.1f}  "
                      f"p99 {float(r['p99_us']):7.1f}  p99.9 {float(r['p999_us']):8.1f}  "
                      f"max {float(r['max_us']):8.1f} us  >1ms {int(r['over_1ms']):3d}  "
                      f"(lost {r['lost']}/{samples})", flush=True)
            ran, waited, runs = (a - b for a, b in zip(after, before))
            print(f"{load:4} {proto} ironlb/kernel: p50 "
                  f"{float(ours['median_us']) / float(kern['median_us']):.2f}  p99 "
                  f"{float(ours['p99_us']) / float(kern['p99_us']):.2f};  the speaker's loop "
                  f"thread meanwhile: {runs} wake-ups, {ran / max(1, runs) / 1000:.1f} us "
                  f"running and {waited / max(1, runs) / 1000:.1f} us on the run queue per "
                  f"wake-up", flush=True)


def summarize(name, values):
    if not values:
        return f"{name:56s} n=0"
    return (f"{name:56s} n={len(values):3d}  p50 {percentile(values, 50):7.1f}  "
            f"p90 {percentile(values, 90):7.1f}  p99 {percentile(values, 99):7.1f}  "
            f"max {max(values):7.1f}  min {min(values):7.1f} ms")


def proc_stats(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return rss, ticks


def footprint(c, services):
    existing = len([s for s in c.kube.list("services", c.ns) if s["metadata"]["name"].startswith("fp-")])
    objs = []
    for i in range(existing, services):
        name = f"fp-{i}"
        ip = f"198.51.100.{i % 250}" if i < 250 else f"203.0.113.{(i - 250) % 250}"
        if i >= 500:
            ip = f"2001:db8:2::{i:x}"
        objs.append((name, ip))
    # Apply in batches: one kubectl call per 100 objects.
    for start in range(0, len(objs), 100):
        batch = objs[start:start + 100]
        items = []
        for name, ip in batch:
            fam = "IPv6" if ":" in ip else "IPv4"
            items.append({"apiVersion": "v1", "kind": "Service",
                          "metadata": {"name": name, "namespace": c.ns},
                          "spec": {"type": "LoadBalancer", "loadBalancerClass": c.lb_class,
                                   "ipFamilies": [fam], "ipFamilyPolicy": "SingleStack",
                                   "ports": [{"port": 80, "protocol": "TCP"}]}})
            items.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                          "metadata": {"name": f"{name}-e", "namespace": c.ns,
                                       "labels": {"kubernetes.io/service-name": name}},
                          "addressType": "IPv4",
                          "endpoints": [{"addresses": ["10.244.0.9"], "conditions": {"ready": True},
                                         "nodeName": c.node_names[0]}]})
        c.kube.apply(*items)
        for name, ip in batch:
            c.set_ingress(name, [ip])
    last = objs[-1][1] if objs else V4
    c.wait_single_owner(last, timeout=120)
    pids = {i: s.proc.pid for i, s in c.speakers.items() if s.alive()}
    before = {i: proc_stats(p) for i, p in pids.items()}
    t0 = time.monotonic()
    # Idle window: nothing changes in the cluster meanwhile.
    deadline = t0 + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
    elapsed = time.monotonic() - t0
    after = {i: proc_stats(p) for i, p in pids.items()}
    hz = os.sysconf("SC_CLK_TCK")
    rss = [after[i][0] / 1024 for i in pids]
    cpu = [(after[i][1] - before[i][1]) / hz / elapsed * 100 for i in pids]
    sent = [c.metric(i, "ironlb_speaker_membership_messages_sent_total") for i in pids]
    return rss, cpu, sent


def run_cluster(kube, args, nodes, loads, loadgen_bin, measure_extras):
    """One cluster of `nodes` speakers: every mode under every load; with measure_extras also
    the reply latency and the footprint. Returns {(mode, load): results}."""
    with SpeakerCluster(kube, args.speaker, nodes=nodes) as c:
        c.pool("bench", ["192.0.2.200-192.0.2.209", "2001:db8:1::200-2001:db8:1::209",
                         "198.51.100.0/24", "203.0.113.0/24", "2001:db8:2::/112"])
        c.advertise("bench", pools=["bench"])
        # The speakers log at info here (debug logging costs CPU on the failover path).
        for i in range(nodes):
            c.start_speaker(i, ["--log-level=info"])
        for i in range(nodes):
            c.wait_ready(i)
        c.add_vip(V4)
        c.add_vip(V6)
        c.service("bench", [V4, V6], endpoints=list(range(nodes)))
        neigh = NeighWatch(c.client)
        announce = {"v4": AnnounceWatch(c.client, "v4"), "v6": AnnounceWatch(c.client, "v6")}
        results = {}
        for load in loads:
            for mode in args.modes.split(","):
                print(f"## {nodes} nodes, {mode}, {load}: {args.trials} trials", flush=True)
                results[(mode, load)] = run_mode(c, mode, args.trials, neigh, announce, load)
        if measure_extras and args.latency_samples > 0:
            reply_latency(c, loadgen_bin, args.latency_samples, loads)
        if measure_extras and not args.skip_footprint:
            print()
            print(f"### speaker footprint (idle 10 s window, {nodes} nodes)")
            for n in [int(x) for x in args.services.split(",")]:
                rss, cpu, _ = footprint(c, n)
                print(f"{n:5d} Services: RSS {min(rss):.1f}-{max(rss):.1f} MiB, "
                      f"CPU {min(cpu):.2f}-{max(cpu):.2f} % of one core per speaker")
        return results


LABELS = {"sigkill": "ungraceful: owner speaker SIGKILL", "linkcut": "ungraceful: owner link cut",
          "sigterm": "graceful: owner speaker SIGTERM"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--speaker", required=True)
    p.add_argument("--trials", type=int, default=30)
    p.add_argument("--nodes", default="3", help="cluster sizes, each its own cluster (e.g. 2,3)")
    p.add_argument("--modes", default="sigkill,linkcut,sigterm")
    p.add_argument("--services", default="10,500")
    p.add_argument("--skip-footprint", action="store_true")
    p.add_argument("--latency-samples", type=int, default=5000,
                   help="paired ARP/NDP reply-latency samples against the owner (0: skip)")
    p.add_argument("--loadgen", default=None,
                   help="dataplane_loadgen (default: beside the speaker's build tree)")
    p.add_argument("--load", choices=["idle", "busy", "both"], default="idle",
                   help="machine condition for the trials: idle, busy (a busy loop per CPU "
                        "around each action) or both")
    args = p.parse_args()
    loads = ["idle", "busy"] if args.load == "both" else [args.load]
    loadgen_bin = args.loadgen or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.speaker)))),
        "test", "bench", "dataplane", "dataplane_loadgen")
    kube = Kube(args.state)
    sizes = [int(x) for x in args.nodes.split(",")]
    largest = max(sizes)
    by_size = {n: run_cluster(kube, args, n, loads, loadgen_bin, n == largest) for n in sizes}
    for nodes in sizes:
        print()
        print("### failover: owner event -> client's neighbour entry on the new owner "
              f"({nodes} nodes, {args.trials} trials per mode; 'entry': seen through "
              "`ip monitor`, 'on wire': the new owner's GARP / NA, kernel receive time)")
        for (mode, load), r in by_size[nodes].items():
            name = f"{LABELS[mode]}, {load}"
            print(summarize(f"{name} (IPv4 entry)", r["v4"]))
            print(summarize(f"{name} (IPv6 entry)", r["v6"]))
            print(summarize(f"{name} (GARP on wire)", r["garp"]))
            print(summarize(f"{name} (NA on wire)", r["na"]))
            if r["failures"]:
                print(f"   {r['failures']} trials without a move within 10 s")
    if len(sizes) > 1:
        print()
        print(f"### ratio to {largest} nodes (same run): p50 / p99, IPv4 and IPv6 entries together")
        for nodes in sizes:
            if nodes == largest:
                continue
            for key, r in by_size[nodes].items():
                a = r["v4"] + r["v6"]
                b = by_size[largest][key]["v4"] + by_size[largest][key]["v6"]
                if not a or not b:
                    continue
                name = f"{LABELS[key[0]]}, {key[1]}"
                print(f"{nodes} vs {largest} nodes, {name:40s} p50 "
                      f"{percentile(a, 50):6.1f} / {percentile(b, 50):6.1f} ms = "
                      f"{percentile(a, 50) / percentile(b, 50):4.2f}   p99 "
                      f"{percentile(a, 99):6.1f} / {percentile(b, 99):6.1f} ms = "
                      f"{percentile(a, 99) / percentile(b, 99):4.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
