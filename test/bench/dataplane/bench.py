#!/usr/bin/python3
"""Data plane speed, in network namespaces, against the kernel's own ARP/NDP as the baseline.

    sudo /usr/bin/python3 test/bench/dataplane/bench.py --build build [--quick] [--fifo PRIO]
                                                        [--load idle|busy|both] [--no-rate]
                                                        [--slice short|default|both]
                                                        [--cpu-shares N]

Topology: client + one node on a bridge (test/netns/topology.py). The node's kernel owns
192.0.2.50 / 2001:db8:1::50 on eth0 (baseline); dataplane_driver owns the VIPs 192.0.2.100 /
2001:db8:1::100 (no kernel address). The node is CPU 0 (the responder is pinned there), the
client CPU 1 (the load generator). Every figure is taken in two placements of the node's receive
path, both printed:
  - node-cpu: the node's interface steers received frames to CPU 0 (RPS), as a NIC interrupt on
    the node would; the kernel's reply and the responder's wake-up both start on the node's CPU.
    This is the comparison a real network gives.
  - in-sender: no steering. A veth hands the frame to the node inside the client's send() call,
    so the kernel's reply is written before send() even returns, while the responder must be
    woken on the other CPU by an IPI (a halted vCPU on a VM). The kernel's best case; no
    physical network has it.
and in two machine conditions (--load):
  - idle: nothing of ours running besides the responder and the generator (the machine's own
    load is not ours to control: its load average is printed);
  - busy: one busy loop per CPU at normal priority (nice 0, pinned, started by this script and
    ended by it, each also bounded by its own deadline), so the responder has to be scheduled
    in against a task that wants the whole CPU, as on a node running pods. The kernel answers
    in softirq context and is not scheduled at all: this is where a user-space responder's
    wake-up shows in the tail.
The responder asks for a short scheduling slice as ironlb-speaker does (common/util/scheduling.h);
--slice default runs it with the kernel's default slice (ironlb before that hint), --slice both
runs every latency round with each, one after the other, against the same kernel baseline.
--cpu-shares N puts the responder in a CPU cgroup of its own with that weight (cgroup v1
cpu.shares, or the cpu.weight Kubernetes derives from it on v2), as a pod requesting N/1024 CPU
is; the busy loops stay where they are (weight 1024 each, like 1-CPU pods). The cgroup is ours
(named from the topology's prefix) and removed at the end.
Figures:
  - reply latency at 1,000 requests/s (median, p99, p99.9, max): kernel receive timestamp of the
    reply minus the time just before the request was sent, in the client namespace. Kernel and
    ironlb targets take turns request by request (paired samples: same machine conditions);
    ">1ms" counts the replies slower than 1 ms;
  - the responder's run-queue wait per wake-up over each latency run (/proc/PID/schedstat):
    time spent woken but not yet running, the share of the tail that scheduling adds;
  - the highest offered rate answered without loss (steps, each bounded in count and time; idle
    only);
  - the responder's CPU time over an idle interval with VIPs owned (default announce settings).
Figures are printed, never asserted: 2 shared cores, veth + bridge.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "netns"))
from cpu_load import CpuLoad  # noqa: E402
from driver import Driver  # noqa: E402
from topology import Topology  # noqa: E402

KERNEL4, KERNEL6 = "192.0.2.50", "2001:db8:1::50"
VIP4, VIP6 = "192.0.2.100", "2001:db8:1::100"
SRC4, SRC6 = "192.0.2.1", "2001:db8:1::1"


def loadgen(topo, binary, *args):
    """Runs the generator on CPU 1; returns one {key: value} dict per output line."""
    out = topo.client.run(["taskset", "-c", "1", binary, *map(str, args)], timeout=180).stdout
    return [dict(kv.split("=") for kv in line.split()) for line in out.splitlines() if line]


def steer_to_node_cpu(node, on):
    """RPS on the node's eth0: received frames are processed on CPU 0 (mask 1), or in place."""
    node.run(["sh", "-c", f"echo {1 if on else 0} > /sys/class/net/eth0/queues/rx-0/rps_cpus"])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fmt_lat(lat):
    return (f"p50 {float(lat['median_us']):7.1f}  p99 {float(lat['p99_us']):7.1f}  "
            f"p99.9 {float(lat['p999_us']):8.1f}  max {float(lat['max_us']):8.1f} us  "
            f">1ms {int(lat['over_1ms']):3d}")


def run_queue_wait(pid):
    """(ns spent runnable but not running, times scheduled in) from /proc/PID/schedstat."""
    with open(f"/proc/{pid}/schedstat") as f:
        _, waited, runs = (int(x) for x in f.read().split())
    return waited, runs


class CpuGroup:
    """A CPU cgroup of ours with the weight of a pod requesting shares/1024 CPU."""

    def __init__(self, name, shares):
        v1 = "/sys/fs/cgroup/cpu"
        if os.path.exists(os.path.join(v1, "cpu.shares")):
            self.path = os.path.join(v1, name)
            knob, value = "cpu.shares", shares
        else:  # v2: Kubernetes' shares -> weight conversion
            self.path = os.path.join("/sys/fs/cgroup", name)
            knob, value = "cpu.weight", 1 + ((shares - 2) * 9999) // 262142
        os.mkdir(self.path)
        with open(os.path.join(self.path, knob), "w") as f:
            f.write(str(value))
        self.describe = f"{knob} {value} ({self.path})"

    def add(self, pid):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def remove(self):
        for _ in range(50):  # the last driver may still be exiting
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)


def start_driver(node, drv, slice_, fifo=None, group=None):
    d = Driver(node, drv, ["--default-slice"] if slice_ == "default" else [], taskset=0,
               fifo_priority=fifo)
    if group:
        group.add(d.proc.pid)
    d.own(VIP4, "eth0")
    d.own(VIP6, "eth0")
    time.sleep(0.5)
    return d


def latency_round(topo, gen, label, samples, pid):
    """Paired kernel/ironlb latency for ARP and NDP; prints one block per protocol, with the
    responder's wait on the run queue (woken, not yet running) per wake-up meanwhile."""
    for proto, kernel_ip, vip, src in (("arp", KERNEL4, VIP4, SRC4),
                                       ("ndp", KERNEL6, VIP6, SRC6)):
        w0, r0 = run_queue_wait(pid)
        kern, ours = loadgen(topo, gen, "latency", "eth0", proto, f"{kernel_ip},{vip}", src,
                             samples, 1000)
        w1, r1 = run_queue_wait(pid)
        print(f"{label} {proto} kernel: {fmt_lat(kern)}  (lost {kern['lost']}/{samples})",
              flush=True)
        print(f"{label} {proto} ironlb: {fmt_lat(ours)}  (lost {ours['lost']}/{samples}); "
              f"run-queue wait {(w1 - w0) / max(1, r1 - r0) / 1000:.1f} us per wake-up "
              f"({r1 - r0} wake-ups)", flush=True)
        print(f"{label} {proto} ironlb/kernel: "
              f"p50 {float(ours['median_us']) / float(kern['median_us']):.2f}  "
              f"p99 {float(ours['p99_us']) / float(kern['p99_us']):.2f}", flush=True)


def rate_round(topo, gen, placement, steps):
    for proto, kernel_ip, vip, src in (("arp", KERNEL4, VIP4, SRC4),
                                       ("ndp", KERNEL6, VIP6, SRC6)):
        best = {}
        for who, target in (("kernel", kernel_ip), ("ironlb", vip)):
            rates = []
            for rate in steps:
                count = max(rate // 2, 5000)  # half a second per step
                r = loadgen(topo, gen, "rate", "eth0", proto, target, src, count, rate)[0]
                rates.append((rate, int(r["lost"]), float(r["achieved_send_rate"])))
            # The generator may not reach the offered rate on a loaded machine: credit
            # what was actually sent, if none of it was lost.
            best[who] = max([int(min(rate, sent)) for rate, lost, sent in rates if lost == 0],
                            default=0)
            print(f"idle {placement:9} {proto} {who}: max lossless rate {best[who]}/s  steps "
                  + " ".join(f"{r}:{lost}lost@{sr:.0f}/s" for r, lost, sr in rates), flush=True)
        print(f"idle {placement:9} {proto} lossless rate ironlb {best['ironlb']}/s vs kernel "
              f"{best['kernel']}/s", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--quick", action="store_true", help="fewer samples and steps")
    p.add_argument("--fifo", type=int, default=None, metavar="PRIO",
                   help="run the responder SCHED_FIFO at PRIO (what a node would give a "
                        "latency-critical daemon); default: normal scheduling")
    p.add_argument("--load", choices=["idle", "busy", "both"], default="both",
                   help="machine condition(s) for the latency figures (default both)")
    p.add_argument("--no-rate", action="store_true", help="skip the lossless-rate steps")
    p.add_argument("--slice", choices=["short", "default", "both"], default="short",
                   help="the responder's scheduling slice: short (as the speaker), the kernel's "
                        "default, or each in turn")
    p.add_argument("--cpu-shares", type=int, default=None, metavar="N",
                   help="run the responder in a CPU cgroup with this weight (a pod requesting "
                        "N/1024 CPU; the chart requests 100m = 102)")
    args = p.parse_args()
    build = os.path.abspath(args.build)
    gen = os.path.join(build, "test/bench/dataplane/dataplane_loadgen")
    drv = os.path.join(build, "test/netns/dataplane_driver")
    samples = 1000 if args.quick else 5000
    steps = [25000, 50000, 100000, 150000] if args.quick else \
        [25000, 50000, 75000, 100000, 125000, 150000, 200000, 250000, 300000]
    conditions = ["idle", "busy"] if args.load == "both" else [args.load]

    print(f"machine: {os.cpu_count()} CPUs, {os.uname().release}, load average "
          f"{os.getloadavg()[0]:.1f} at start, {time.strftime('%Y-%m-%d %H:%M %Z')}; "
          f"veth + bridge in namespaces")
    group = None
    try:
        with Topology(nodes=1) as topo:
            if args.cpu_shares:
                group = CpuGroup(f"{topo.prefix}-responder", args.cpu_shares)
            run(args, topo, group, gen, drv, samples, steps, conditions)
    finally:
        if group:  # after the topology ended every process in it
            group.remove()


def run(args, topo, group, gen, drv, samples, steps, conditions):
    """Every figure, in the topology: latency rounds, rate steps, idle CPU."""
    node = topo.nodes[0]
    node.ip("addr", "add", f"{KERNEL4}/24", "dev", "eth0")
    node.ip("addr", "add", f"{KERNEL6}/64", "dev", "eth0", "nodad")
    slices = ["default", "short"] if args.slice == "both" else [args.slice]
    print(f"responder: pinned to CPU 0, "
          f"{'SCHED_FIFO ' + str(args.fifo) if args.fifo else 'SCHED_OTHER'}, "
          f"slice {' then '.join(slices)}"
          + (f", in a cgroup with {group.describe}" if group else "")
          + f"; generator: CPU 1; {samples} paired samples per protocol at 1,000/s",
          flush=True)
    d = start_driver(node, drv, slices[-1], args.fifo, group)
    for condition in conditions:
        print(f"\n-- {condition}: "
              + ("no load of ours" if condition == "idle" else
                 f"{os.cpu_count()} busy loops (one per CPU, nice 0)"), flush=True)
        for placement in ("node-cpu", "in-sender"):
            steer_to_node_cpu(node, placement == "node-cpu")
            for slice_ in slices:
                if len(slices) > 1:
                    d.close()
                    d = start_driver(node, drv, slice_, args.fifo, group)
                label = f"{condition:4} {placement:9}" + (
                    f" {slice_:7}" if len(slices) > 1 else "")
                if condition == "busy":
                    # Bounded: 2 latency runs of 2 x samples at 1,000/s, plus slack.
                    with CpuLoad(topo.client, seconds=2 * 2 * samples / 1000 + 60):
                        latency_round(topo, gen, label, samples, d.proc.pid)
                else:
                    latency_round(topo, gen, label, samples, d.proc.pid)
            if condition == "idle" and not args.no_rate:
                rate_round(topo, gen, placement, steps)
    steer_to_node_cpu(node, False)

    # Idle: default announcer settings (4-packet burst, 60 s refresh), VIPs owned.
    d.close()
    d = start_driver(node, drv, slices[-1], group=group)
    time.sleep(3.5)  # burst over
    idle = 10
    c0 = cpu_seconds(d.proc.pid)
    time.sleep(idle)
    c1 = cpu_seconds(d.proc.pid)
    print(f"\nidle: responder CPU {1000 * (c1 - c0):.1f} ms over {idle} s "
          f"({100 * (c1 - c0) / idle:.3f}% of a core)")
    d.close()


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("bench.py needs root (network namespaces)")
    main()
