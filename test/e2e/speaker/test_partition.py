#!/usr/bin/python3
"""Partitions between node groups {0, 1} and {2, 3}; the client stays with {0, 1}.

- L2 partition (nodes 2 and 3 moved to a second bridge): each side elects its own owners, as
  MetalLB does; the client's side takes over what the far side owned; on heal every IP ends up
  with exactly one owner again and the client's neighbour entries follow it.
- Membership-only partition (the groups cannot exchange IP packets, but share the L2 segment):
  both sides believe they own every IP and both answer. Duplicate-owner detection on the wire
  resolves it without any membership traffic: the higher MAC yields, exactly one node answers
  per IP. On heal the views agree again.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

VIPS = [f"192.0.2.{140 + i}" for i in range(12)]
SIDE_A, SIDE_B = (0, 1), (2, 3)


class PartitionTest(cluster.ClusterTestCase):
    NODES = 4

    @classmethod
    def prepare(cls, c):
        c.pool("part", ["192.0.2.140-192.0.2.159"])
        c.advertise("part", pools=["part"])
        c.start_all()
        for i, ip in enumerate(VIPS):
            c.add_vip(ip)
            c.service(f"part-{i}", [ip], endpoints=[0, 1, 2, 3])

    def bridge(self, *args):
        subprocess.run(["ip", "-n", self.c.topo.bridge_ns, *args], check=True,
                       capture_output=True)

    def owners(self):
        return {ip: self.c.wait_single_owner(ip, timeout=30) for ip in VIPS}

    def answering_nodes(self, ip):
        return {self.c.node_of_mac(m) for m in self.c.answers(ip, 0.5)}

    def expect_converged(self):
        """One owner per IP, agreed by every speaker, answering alone, and the client's
        neighbour entry pointing at it."""
        c = self.c
        owners = self.owners()
        for ip, owner in owners.items():
            self.assertEqual(self.answering_nodes(ip), {owner}, ip)
            wait_for(lambda ip=ip, owner=owner: c.resolve_from_client(ip) == c.mac_of(owner),
                     10, 0.05, f"the client's neighbour entry for {ip}")
        return owners

    def test_l2_partition_heals_to_one_owner_per_ip(self):
        c = self.c
        before = self.expect_converged()
        far = [ip for ip, o in before.items() if o in SIDE_B]
        self.assertTrue(far, "no IP owned by the far side; rerun (names are random)")
        self.bridge("link", "add", "br1", "type", "bridge", "stp_state", "0")
        self.bridge("link", "set", "br1", "up")
        ports = [c.bridge_port(i) for i in SIDE_B]
        try:
            for p in ports:
                self.bridge("link", "set", p, "master", "br1")
            # The client's side takes over what the far side owned, and the client follows.
            for ip in far:
                new = c.wait_single_owner(ip, among=list(SIDE_A), timeout=30)
                wait_for(lambda ip=ip, new=new: c.client_neigh(ip) == c.mac_of(new), 10, 0.02,
                         f"the client following {ip} to node {new}")
            # The far side keeps its own owners (it cannot know it is the minority).
            for ip in VIPS:
                self.assertEqual(len(c.announcers(ip, list(SIDE_B))), 1, ip)
        finally:
            for p in ports:
                self.bridge("link", "set", p, "master", "br0")
            self.bridge("link", "del", "br1")
        after = self.expect_converged()
        self.assertEqual(after, before)  # the election is deterministic: same owners as before

    def test_membership_partition_on_one_segment_resolves_duplicates(self):
        c = self.c
        self.expect_converged()

        c.block_membership(SIDE_A, SIDE_B, True)
        try:
            # Each side loses the other and claims every IP...
            for i in range(4):
                wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 2,
                         15, 0.05, f"node {i} seeing only its side")
            # ...then duplicate detection leaves exactly one node answering each IP.
            def resolved():
                return all(len(c.announcers(ip)) == 1 for ip in VIPS)
            wait_for(resolved, 30, 0.2, "one announcer per IP despite the split views")
            yields = sum(c.metric(i, "ironlb_speaker_duplicate_owner_yields_total")
                         for i in range(4))
            self.assertGreaterEqual(yields, len(VIPS))
            for ip in VIPS:
                (owner,) = c.announcers(ip)
                self.assertEqual(self.answering_nodes(ip), {owner}, ip)
            events = c.kube.events(c.ns, "duplicateOwner")
            self.assertTrue(events)
        finally:
            c.block_membership(SIDE_A, SIDE_B, False)
        for i in range(4):
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 4, 20,
                     0.05, f"node {i} seeing everybody again")
        self.expect_converged()


if __name__ == "__main__":
    cluster.main()
