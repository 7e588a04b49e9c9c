#!/usr/bin/python3
"""The data plane against real clients in network namespaces (root).

Topology: client + node A + node B on one bridge (topology.py). dataplane_driver runs in A and
B. The client resolves VIPs with its own kernel (ping, TCP), arping, ndisc6 and scapy.

A's kernel must not answer for the VIP itself: the VIP sits on A's lo (so A accepts traffic for
it: ping, a TCP listener) with arp_ignore=1 (answer ARP only for addresses on the receiving
interface) and arp_announce=2; IPv6 NDP only ever answers for addresses on the receiving
interface, so lo addresses are never advertised on eth0. Verified before the driver starts.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driver import Driver  # noqa: E402
from topology import Topology, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = None
VIP4, VIP6 = Topology.vip4(0), Topology.vip6(0)
OTHER4, OTHER6 = Topology.vip4(50), Topology.vip6(50)
FAST = ["--burst-count", "3", "--burst-interval-ms", "200", "--refresh-ms", "0"]


def scapy(host, *args):
    out = host.run(["/usr/bin/python3", os.path.join(HERE, "scapy_client.py"), *args]).stdout
    return json.loads(out.strip().splitlines()[-1])


def serve_vip_on_lo(node):
    node.ip("addr", "add", f"{VIP4}/32", "dev", "lo")
    node.ip("addr", "add", f"{VIP6}/128", "dev", "lo")
    node.sysctl("net.ipv4.conf.all.arp_ignore", 1)
    node.sysctl("net.ipv4.conf.all.arp_announce", 2)


class DataplaneTest(unittest.TestCase):
    def setUp(self):
        self.topo = Topology(nodes=2).__enter__()
        self.a, self.b = self.topo.nodes
        self.client = self.topo.client
        self.drivers = []

    def tearDown(self):
        for d in self.drivers:
            d.close()
        self.topo.close()

    def driver(self, node, *args):
        d = Driver(node, DRIVER, [*FAST, *args])
        self.drivers.append(d)
        return d

    def test_client_kernel_arping_ndisc6_resolve_vip_to_owner_only(self):
        serve_vip_on_lo(self.a)
        # The kernel of A stays silent on its own.
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4, "0.5")["answers"], [])
        self.assertEqual(scapy(self.client, "probe-ns", "eth0", VIP6, "0.5")["answers"], [])

        da, db = self.driver(self.a), self.driver(self.b)
        da.own(VIP4, "eth0")
        da.own(VIP6, "eth0")
        mac_a = self.a.mac()

        # Exactly one answer, carrying A's MAC (B runs a responder too, and stays silent).
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4)["answers"], [mac_a])
        self.assertEqual(scapy(self.client, "probe-ns", "eth0", VIP6)["answers"], [mac_a])

        arping = self.client.run(["arping", "-c", "1", "-w", "2", "-I", "eth0", VIP4], check=False)
        self.assertIn("Received 1 response", arping.stdout)
        self.assertIn(mac_a.upper(), arping.stdout)
        nd = self.client.run(["ndisc6", "-1", "-r", "2", VIP6, "eth0"], check=False)
        self.assertEqual(nd.returncode, 0, nd.stdout)
        self.assertIn(mac_a.upper(), nd.stdout)

        # The client's own kernel resolves and talks to the VIP (ping + TCP).
        self.client.flush_neigh()
        for cmd in (["ping", "-c", "1", "-W", "2", VIP4], ["ping", "-6", "-c", "1", "-W", "2", VIP6]):
            self.assertEqual(self.client.run(cmd, check=False).returncode, 0, cmd)
        self.assertEqual(self.client.neigh(VIP4), mac_a)
        self.assertEqual(self.client.neigh(VIP6), mac_a)
        listener = self.a.popen(["/usr/bin/python3", "-c",
                                 "import socket;s=socket.create_server(('::',8080),family=socket.AF_INET6,dualstack_ipv6=True);"
                                 "print('up',flush=True);c,_=s.accept();c.sendall(b'hello');c.close()"])
        self.assertEqual(listener.stdout.readline().strip(), "up")
        tcp = self.client.run(["/usr/bin/python3", "-c",
                               f"import socket;print(socket.create_connection(('{VIP4}',8080),timeout=3).recv(5).decode())"])
        self.assertEqual(tcp.stdout.strip(), "hello")

        ca, cb = da.counters(), db.counters()
        self.assertGreaterEqual(ca["ip"][("eth0", VIP4)]["responses"], 3)
        self.assertGreaterEqual(ca["ip"][("eth0", VIP6)]["responses"], 3)
        self.assertGreaterEqual(ca["ip"][("eth0", VIP4)]["gratuitous"], 2)
        self.assertEqual(cb["ip"], {})
        self.assertGreaterEqual(cb["iface"]["eth0"].get("not_owned", 0), 4)
        # The solicited-node group of the VIP is joined on A's eth0.
        self.assertIn("ff02::1:ff00:100", self.a.ip("maddr", "show", "dev", "eth0").stdout)
        da.release(VIP6)
        wait_for(lambda: "ff02::1:ff00:100" not in self.a.ip("maddr", "show", "dev", "eth0").stdout,
                 5, what="group left")

    def test_move_from_a_to_b_switches_client_neighbour(self):
        da, db = self.driver(self.a), self.driver(self.b)
        mac_a, mac_b = self.a.mac(), self.b.mac()
        da.own(VIP4, "eth0")
        da.own(VIP6, "eth0")
        for cmd in (["ping", "-c", "1", "-W", "2", VIP4], ["ping", "-6", "-c", "1", "-W", "2", VIP6]):
            self.client.run(cmd, check=False)
        self.assertEqual(self.client.neigh(VIP4), mac_a)
        self.assertEqual(self.client.neigh(VIP6), mac_a)

        monitor = self.client.popen(["ip", "monitor", "neigh"], stdin=subprocess.DEVNULL)
        seen = {}

        def watch():
            for line in monitor.stdout:
                for vip in (VIP4, VIP6):
                    if line.startswith(vip + " ") and mac_b in line and vip not in seen:
                        seen[vip] = time.monotonic()
        threading.Thread(target=watch, daemon=True).start()
        time.sleep(0.2)  # let ip monitor subscribe before the move
        t0 = time.monotonic()
        da.release(VIP4)
        da.release(VIP6)
        db.own(VIP4, "eth0")
        db.own(VIP6, "eth0")
        wait_for(lambda: len(seen) == 2, 5, what="client neighbour entries switching to B")
        for vip in (VIP4, VIP6):
            print(f"\nmove {vip}: client neighbour switched to B after "
                  f"{(seen[vip] - t0) * 1000:.2f} ms", flush=True)
        self.assertEqual(self.client.neigh(VIP4), mac_b)
        self.assertEqual(self.client.neigh(VIP6), mac_b)
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4)["answers"], [mac_b])
        self.assertEqual(scapy(self.client, "probe-ns", "eth0", VIP6)["answers"], [mac_b])

    def test_hostile_frames_are_dropped_by_reason_and_service_continues(self):
        da = self.driver(self.a)
        da.own(VIP4, "eth0")
        da.own(VIP6, "eth0")
        before = da.counters()["iface"]["eth0"]
        scapy(self.client, "hostile", "eth0", VIP4, VIP6, OTHER4, OTHER6, self.a.mac())
        expected = {
            "arp_truncated": 1, "arp_bad_hardware_type": 1, "arp_bad_protocol_type": 1,
            "arp_bad_address_length": 1, "arp_sender_mac_invalid": 1, "arp_not_for_us": 1,
            "not_owned": 2, "ndp_bad_checksum": 1, "ndp_bad_hop_limit": 1, "ndp_bad_code": 1,
            "ndp_bad_option": 1, "ipv6_bad_payload_length": 1, "ndp_dad_with_sllao": 1,
            "ndp_dad_bad_destination": 1, "dad_probe_not_owned": 1,
        }

        def delta():
            after = da.counters()["iface"]["eth0"]
            return {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)
                    if k != "frames" and after.get(k, 0) != before.get(k, 0)}
        try:
            wait_for(lambda: all(delta().get(k, 0) >= v for k, v in expected.items()), 5,
                     what="drop counters")
        finally:
            got = delta()
            print(f"\ndrops by reason after hostile frames: {got}", flush=True)
        # veth strips the 802.1Q tag into metadata, the kernel filter sees the inner ARP and
        # libpcap puts the tag back: the parser must drop it.
        self.assertEqual(got.pop("vlan_tagged", 0), 1)
        self.assertEqual(got, expected)
        c = da.counters()["ip"]
        self.assertEqual(c[("eth0", VIP4)]["responses"], 0)
        self.assertEqual(c[("eth0", VIP6)]["responses"], 0)
        # Still answering valid requests.
        mac_a = self.a.mac()
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4)["answers"], [mac_a])
        self.assertEqual(scapy(self.client, "probe-ns", "eth0", VIP6)["answers"], [mac_a])

    def test_interfaces_wrong_ineligible_and_late(self):
        # A has three more links on the same segment: eth1 (eligible), dummy1 (excluded by
        # name), eth2 (NOARP). The VIP is owned on eth0 only.
        self.topo.add_link(self.a, "eth1")
        self.topo.add_link(self.a, "dummy1")
        self.topo.add_link(self.a, "eth2")
        self.a.ip("link", "set", "eth2", "arp", "off")
        da = self.driver(self.a)
        da.own(VIP4, "eth0")
        da.own(OTHER4, "dummy1", "eth2")
        status = da.status()
        self.assertIn(f"refuse {OTHER4} dummy1 excluded", status)
        self.assertIn(f"refuse {OTHER4} eth2 noarp", status)
        # One answer only, from eth0; eth1 sees the request and counts it as the wrong NIC.
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4)["answers"], [self.a.mac()])
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", OTHER4, "0.5")["answers"], [])
        c = da.counters()["iface"]
        self.assertGreaterEqual(c["eth1"].get("wrong_interface", 0), 1)
        self.assertNotIn("dummy1", c)  # never opened: its frames never reach user space
        self.assertNotIn("eth2", c)

        # An IPv6 VIP on every interface; a link created afterwards joins its group too.
        da.own(VIP6)
        self.topo.add_link(self.a, "eth3")
        wait_for(lambda: "ff02::1:ff00:100" in self.a.ip("maddr", "show", "dev", "eth3").stdout,
                 5, what="eth3 joining the solicited-node group")
        wait_for(lambda: any(l.startswith(f"announce {VIP6} eth3") for l in da.status()), 5,
                 what="announce on eth3")

    def test_duplicate_owner_and_dad_defence(self):
        da, db = self.driver(self.a), self.driver(self.b)
        da.own(VIP4, "eth0")
        da.own(VIP6, "eth0")
        db.own(VIP4, "eth0")  # split brain: B announces too
        event = da.wait_event(f"duplicate eth0 {VIP4}")
        self.assertIn(f"ours={self.a.mac()}", event)
        self.assertIn(f"theirs={self.b.mac()}", event)
        # A DAD probe for our IPv6 VIP is defended (RFC 4861 §7.2.4) and reported. The defence
        # looks exactly like an unsolicited NA of the acquire burst, so let the burst finish.
        wait_for(lambda: da.counters()["ip"][("eth0", VIP6)]["gratuitous"] >= 3, 5,
                 what="the acquire burst of the IPv6 VIP to finish")
        answers = scapy(self.client, "dad", "eth0", VIP6)["answers"]
        self.assertEqual(answers, [[VIP6, "ff02::1", 0, 1]])
        self.assertEqual(da.counters()["ip"][("eth0", VIP6)]["dad"], 1)
        da.wait_event(f"duplicate eth0 {VIP6} ours={self.a.mac()} theirs=00:00:00:00:00:00 source=dad")

    def test_link_flap_reannounces(self):
        da = self.driver(self.a)
        da.own(VIP4, "eth0")
        wait_for(lambda: da.counters()["ip"][("eth0", VIP4)]["gratuitous"] >= 6, 5,
                 what="initial burst")
        before = da.counters()["ip"][("eth0", VIP4)]["gratuitous"]
        self.a.ip("link", "set", "eth0", "down")
        wait_for(lambda: "refuse" in " ".join(da.status()), 5, what="eth0 down noticed")
        self.a.ip("link", "set", "eth0", "up")
        wait_for(lambda: da.counters()["ip"][("eth0", VIP4)]["gratuitous"] >= before + 6, 5,
                 what="re-announcement burst after link up")
        self.assertEqual(scapy(self.client, "probe-arp", "eth0", VIP4)["answers"], [self.a.mac()])

    def test_deleted_link_is_forgotten(self):
        # A link that had IPv6 state used to outlive its deletion in the link watcher (libnl
        # keeps a per-family AF_INET6 view of it), so the IP stayed "announced" on it.
        da = self.driver(self.a)
        da.own(VIP4)
        self.topo.add_link(self.a, "eth1")
        wait_for(lambda: f"announce {VIP4} eth1" in da.status(), 5, what="eth1 announced")
        self.a.ip("link", "del", "eth1")
        wait_for(lambda: f"announce {VIP4} eth1" not in da.status(), 5, what="eth1 forgotten")
        self.assertIn(f"announce {VIP4} eth0", da.status())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    args, rest = parser.parse_known_args()
    DRIVER = args.driver
    if os.geteuid() != 0:
        print("netns tests need root", file=sys.stderr)
        sys.exit(1)
    unittest.main(argv=[sys.argv[0], "-v", *rest])
