#!/usr/bin/python3
"""Data plane speed, in network namespaces, against the kernel's own ARP/NDP as the baseline.

    sudo /usr/bin/python3 test/bench/dataplane/bench.py --build build [--quick]

Topology: client + one node on a bridge (test/netns/topology.py). The node's kernel owns
192.0.2.50 / 2001:db8:1::50 on eth0 (baseline); dataplane_driver owns the VIPs 192.0.2.100 /
2001:db8:1::100 (no kernel address). The responder is pinned to CPU 0, the load generator to
CPU 1. Figures:
  - reply latency at 1,000 requests/s (median, p99): kernel receive timestamp of the reply minus
    the time just before the request was sent, both in the client namespace;
  - the highest offered rate answered without loss (steps, each bounded in count and time);
  - the responder's CPU time over an idle interval with VIPs owned (default announce settings).
Figures are printed, never asserted: 2 shared cores, veth + bridge.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "netns"))
from driver import Driver  # noqa: E402
from topology import Topology  # noqa: E402

KERNEL4, KERNEL6 = "192.0.2.50", "2001:db8:1::50"
VIP4, VIP6 = "192.0.2.100", "2001:db8:1::100"
SRC4, SRC6 = "192.0.2.1", "2001:db8:1::1"


def loadgen(topo, binary, *args):
    out = topo.client.run(["taskset", "-c", "1", binary, *map(str, args)], timeout=120).stdout
    return dict(kv.split("=") for kv in out.split())


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--quick", action="store_true", help="fewer samples and steps")
    p.add_argument("--fifo", type=int, default=None, metavar="PRIO",
                   help="run the responder SCHED_FIFO at PRIO (what a node would give a "
                        "latency-critical daemon); default: normal scheduling")
    args = p.parse_args()
    build = os.path.abspath(args.build)
    gen = os.path.join(build, "test/bench/dataplane/dataplane_loadgen")
    drv = os.path.join(build, "test/netns/dataplane_driver")
    samples = 1000 if args.quick else 5000
    steps = [25000, 50000, 100000, 150000] if args.quick else \
        [25000, 50000, 75000, 100000, 125000, 150000, 200000, 250000, 300000]

    print(f"machine: {os.cpu_count()} CPUs, {os.uname().release}; veth + bridge in namespaces")
    with Topology(nodes=1) as topo:
        node = topo.nodes[0]
        node.ip("addr", "add", f"{KERNEL4}/24", "dev", "eth0")
        node.ip("addr", "add", f"{KERNEL6}/64", "dev", "eth0", "nodad")
        # Let the kernel's neighbour table hold our generator's single sender.
        d = Driver(node, drv, [], taskset=0, fifo_priority=args.fifo)
        d.own(VIP4, "eth0")
        d.own(VIP6, "eth0")
        time.sleep(0.5)
        print(f"responder: pinned to CPU 0, {'SCHED_FIFO ' + str(args.fifo) if args.fifo else 'SCHED_OTHER'}; "
              f"generator: CPU 1; load average now {os.getloadavg()[0]:.1f}", flush=True)
        results = {}
        for proto, kernel_ip, vip, src in (("arp", KERNEL4, VIP4, SRC4), ("ndp", KERNEL6, VIP6, SRC6)):
            for who, target in (("kernel", kernel_ip), ("ironlb", vip)):
                lat = loadgen(topo, gen, "latency", "eth0", proto, target, src, samples, 1000)
                best = 0
                rates = []
                for rate in steps:
                    count = max(rate // 2, 5000)  # half a second per step
                    r = loadgen(topo, gen, "rate", "eth0", proto, target, src, count, rate)
                    rates.append((rate, int(r["lost"]), float(r["achieved_send_rate"])))
                    # The generator may not reach the offered rate on a loaded machine: credit
                    # what was actually sent, if none of it was lost.
                    if int(r["lost"]) == 0:
                        best = max(best, int(min(rate, float(r["achieved_send_rate"]))))
                results[(proto, who)] = (lat, best, rates)
                print(f"{proto:3} {who:6}: latency median {float(lat['median_us']):7.1f} us  "
                      f"p99 {float(lat['p99_us']):7.1f} us  (lost {lat['lost']}/{samples});  "
                      f"max lossless rate {best}/s  steps "
                      + " ".join(f"{r}:{lost}lost@{sr:.0f}/s" for r, lost, sr in rates),
                      flush=True)
        print()
        for proto in ("arp", "ndp"):
            k, i = results[(proto, "kernel")], results[(proto, "ironlb")]
            km, im = float(k[0]["median_us"]), float(i[0]["median_us"])
            print(f"{proto}: median ratio ironlb/kernel = {im / km:.2f}  "
                  f"(p99 {float(i[0]['p99_us']) / float(k[0]['p99_us']):.2f}); "
                  f"lossless rate ironlb {i[1]}/s vs kernel {k[1]}/s")

        # Idle: default announcer settings (4-packet burst, 60 s refresh), VIPs owned.
        d.close()
        d = Driver(node, drv, [], taskset=0)
        d.own(VIP4, "eth0")
        d.own(VIP6, "eth0")
        time.sleep(4)  # burst over
        idle = 10
        c0 = cpu_seconds(d.proc.pid)
        time.sleep(idle)
        c1 = cpu_seconds(d.proc.pid)
        print(f"idle: responder CPU {1000 * (c1 - c0):.1f} ms over {idle} s "
              f"({100 * (c1 - c0) / idle:.3f}% of a core)")
        d.close()


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("bench.py needs root (network namespaces)")
    main()
