#!/usr/bin/python3
"""Failover: the owner's speaker is killed (SIGKILL), stopped (SIGTERM) or its link is cut; one
other node takes over and the real client's neighbour entries (IPv4 and IPv6) follow. Timings
are printed, never asserted (test/bench/failover measures distributions).

Also, with three nodes: repeated link flaps hand the IPs back without any duplicate-owner alarm
while a forged device answering for a VIP still raises one; restarted speakers count themselves
live from their first decision (cold starts of the whole cluster and single restarts). With two
nodes (TwoNodeFailoverTest): the same failovers, the survivor's log reads "peer dead -> owner
self" (no isolation detour), and two speakers that cannot hear each other on one segment are
still reported and resolved."""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4, V6 = "192.0.2.120", "2001:db8:1::120"
# A device outside ironlb answering for a VIP (the client forges it). Higher than any node's
# MAC, so the owner never yields to it (MAC rule) and later tests find the VIP answered.
FORGED_MAC = "fe:ff:ff:ff:ff:fe"


def log_since(c, i, offset):
    with open(c.speakers[i].log_path) as f:
        f.seek(offset)
        return f.read()


def log_size(c, i):
    return os.path.getsize(c.speakers[i].log_path)


class FailoverTest(cluster.ClusterTestCase):
    @classmethod
    def prepare(cls, c):
        c.pool("fo", ["192.0.2.120-192.0.2.129", "2001:db8:1::120-2001:db8:1::129"])
        c.advertise("fo", pools=["fo"])
        c.start_all()
        c.add_vip(V4)
        c.add_vip(V6)
        c.service("fo", [V4, V6], endpoints=list(range(cls.NODES)))

    def settle(self):
        """The current owner once every speaker counts every running one live (a node whose
        link came back rejoins first, then takes its IPs back), with the client's neighbour
        entries pointing at it."""
        c = self.c
        running = c.running()
        for i in running:
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") ==
                     len(running), 20, 0.05, f"speaker {i} counting {len(running)} live")
        owner = c.wait_single_owner(V4)
        self.assertEqual(c.wait_single_owner(V6), owner)
        for ip in (V4, V6):
            wait_for(lambda ip=ip: c.resolve_from_client(ip) == c.mac_of(owner), 10, 0.05,
                     f"the client resolving {ip} to the owner")
        return owner

    def takeover(self, what, act, restore):
        c = self.c
        old = self.settle()
        others = [i for i in range(self.NODES) if i != old]
        offsets = {i: log_size(c, i) for i in others}
        t0 = time.monotonic()
        act(old)
        seen = {}

        def followed():
            for ip in (V4, V6):
                if ip not in seen and c.client_neigh(ip) not in (None, c.mac_of(old)):
                    seen[ip] = time.monotonic() - t0
            return len(seen) == 2
        try:
            wait_for(followed, 10, 0.002, f"the client's neighbour entries leaving node {old}")
        except TimeoutError:
            c.dump_logs()
            raise
        new = c.wait_single_owner(V4, among=others)
        self.assertNotEqual(new, old)
        self.assertEqual(c.wait_single_owner(V6, among=others), new)
        print(f"\n{what}: client neighbour entries moved to node {new} after "
              f"{seen[V4] * 1000:.0f} ms (IPv4), {seen[V6] * 1000:.0f} ms (IPv6)", flush=True)
        for ip in (V4, V6):
            self.assertEqual(c.client_neigh(ip), c.mac_of(new))
            self.assertEqual(c.client_reaches(ip), c.node_names[new])
            self.assertEqual({c.node_of_mac(m) for m in c.answers(ip)}, {new})
        survivor_logs = {i: log_since(c, i, offsets[i]) for i in others}
        restore(old)
        self.settle()
        return old, new, survivor_logs

    def restart(self, i):
        self.c.start_speaker(i)
        self.c.wait_ready(i)

    def check_survivor_log(self, old, new, log, departure):
        """Two nodes: the survivor's log reads as a person expects ("<peer> -> dead|left",
        then "owner <self>"), without first taking itself for cut off."""
        if self.NODES != 2:
            return
        c = self.c
        self.assertRegex(log, rf"member {re.escape(c.node_names[old])}: alive -> {departure}")
        self.assertRegex(log, rf"(?m)LB IP {re.escape(V4)} owner {re.escape(c.node_names[new])}"
                              r"( |$)")
        for bad in ("no peer heard", "not announced: no speaker is alive", "hearing peers again"):
            self.assertNotIn(bad, log)

    def test_owner_killed(self):
        old, new, logs = self.takeover(
            "SIGKILL", lambda i: self.c.speakers[i].signal(signal.SIGKILL), self.restart)
        self.check_survivor_log(old, new, logs[new], "dead")

    def test_owner_stopped_gracefully(self):
        c = self.c

        def status_nodes():
            return sorted(s["status"]["node"] for s in c.l2statuses()
                          if s.get("status", {}).get("node"))

        def stop(i):
            c.speakers[i].signal(signal.SIGTERM)

        def check_and_restart(i):
            self.assertEqual(c.speakers[i].wait(15), 0)
            # The stopped node deleted its ServiceL2Status; the new owner created one.
            wait_for(lambda: c.node_names[i] not in status_nodes() and len(status_nodes()) == 1,
                     15, 0.1, "ServiceL2Status moved to the new owner")
            self.restart(i)
        old, new, logs = self.takeover("SIGTERM", stop, check_and_restart)
        self.check_survivor_log(old, new, logs[new], "left")

    def test_owner_link_cut(self):
        c = self.c

        def cut(i):
            c.set_port(i, False)

        def heal(i):
            # The cut-off node noticed: no carrier on its only interface.
            wait_for(lambda: c.metric(i, "ironlb_speaker_withdrawn") == 1, 10, 0.05,
                     "the cut-off node withdrawing")
            self.assertEqual(c.announcers(V4, [i]), set())
            c.set_port(i, True)
            wait_for(lambda: c.metric(i, "ironlb_speaker_withdrawn") == 0, 10, 0.05,
                     "the node back as a candidate")
        old, new, logs = self.takeover("link cut", cut, heal)
        self.check_survivor_log(old, new, logs[new], "dead")


class ThreeNodeFailoverTest(FailoverTest):
    NODES = 3

    def test_link_flaps_hand_back_without_alarm_but_a_forged_owner_is_reported(self):
        """Issue 11, item 4: each time a cut node's link came back, its Services got a Warning
        duplicateOwner ("membership traffic may be blocked") although the hand-back was one
        clean switch. Only a real overlap in time of two answering MACs may raise it."""
        c = self.c
        flaps = 5
        offsets = {i: log_size(c, i) for i in range(self.NODES)}
        seen = {i: c.metric(i, "ironlb_speaker_duplicate_owner_seen_total")
                for i in range(self.NODES)}
        events = len(c.kube.events(c.ns, "duplicateOwner"))
        for n in range(flaps):
            owner = self.settle()
            c.set_port(owner, False)
            wait_for(lambda: c.metric(owner, "ironlb_speaker_withdrawn") == 1, 10, 0.05,
                     "the cut node withdrawing")
            c.wait_single_owner(V4, among=[i for i in range(self.NODES) if i != owner])
            c.set_port(owner, True)
            # The election is deterministic: the IPs come back to the returning node.
            wait_for(lambda: c.announcers(V4) == {owner} and c.announcers(V6) == {owner}, 15,
                     0.05, f"flap {n + 1}: the IPs handed back to node {owner}")
        self.settle()
        logs = {i: log_since(c, i, offsets[i]) for i in range(self.NODES)}
        for i in range(self.NODES):
            self.assertNotIn("duplicate owner", logs[i], f"node {i}")
            self.assertEqual(c.metric(i, "ironlb_speaker_duplicate_owner_seen_total"), seen[i],
                             f"node {i}")
        self.assertEqual(len(c.kube.events(c.ns, "duplicateOwner")), events)

        # A real overlap: a device outside ironlb keeps answering for V4 for 1.5 s.
        owner = self.settle()
        c.client.run(["/usr/bin/python3",
                      os.path.join(cluster.ROOT, "test", "netns", "scapy_client.py"),
                      "claim", "eth0", V4, FORGED_MAC, "7", "0.25"])
        wait_for(lambda: any(FORGED_MAC in e.get("message", "")
                             for e in c.kube.events(c.ns, "duplicateOwner")),
                 15, 0.1, "a duplicateOwner Event naming the forged MAC")
        self.assertIn(f"{FORGED_MAC}) keeps claiming {V4}", log_since(c, owner, offsets[owner]))
        self.assertGreater(c.metric(owner, "ironlb_speaker_duplicate_owner_seen_total"),
                           seen[owner])
        self.assertEqual(self.settle(), owner)

    def check_first_decision(self, log, where):
        """A speaker's start-up log: synced with every speaker live (unless one was not heard
        of in time, which it says), and then one decision per IP, the final one."""
        c = self.c
        synced = re.findall(r"membership synced: (\d+) live of (\d+) expected(.*)", log)
        self.assertEqual(len(synced), 1, f"{where}\n{log}")
        live, expected, why = synced[0]
        if "not heard of" in why:
            return  # a peer started too late for the start-up window: later changes are fair
        self.assertEqual((live, expected, why), (str(self.NODES), str(self.NODES), ""), where)
        owner = self.settle()
        decisions = re.findall(r"LB IP (\S+) owner (\S+)", log)
        self.assertEqual(sorted(ip for ip, _ in decisions), sorted([V4, V6]),
                         f"{where}: one decision per IP\n{log}")
        for ip, node in decisions:
            self.assertEqual(node, c.node_names[owner], f"{where}: {ip}")

    def test_speakers_count_themselves_live_from_the_first_decision(self):
        """Issue 11, item 11: in 9 of 63 start-ups the log said "membership synced: 2 live of
        3 expected" although both peers had just been seen, and the rightful owner first named
        a peer. Seen here on cold starts of the whole cluster (3 of 24 with the old speaker: the
        first one to start heard the last peer's join before any peer answered its own)."""
        c = self.c
        rounds = 8
        for n in range(rounds):
            self.settle()
            for i in range(self.NODES):
                c.speakers[i].signal(signal.SIGKILL)
            for i in range(self.NODES):
                c.speakers[i].wait(15)
            offsets = {i: log_size(c, i) for i in range(self.NODES)}
            for i in range(self.NODES):
                c.start_speaker(i)
                time.sleep(0.02)  # a rollout's spread, not a condition
            for i in range(self.NODES):
                c.wait_ready(i)
            for i in range(self.NODES):
                self.check_first_decision(log_since(c, i, offsets[i]),
                                          f"cold start {n + 1}, node {i}")
        # One speaker restarting among running ones (after SIGKILL and after SIGTERM).
        for n, sig in enumerate((signal.SIGKILL, signal.SIGTERM)):
            for i in range(self.NODES):
                self.settle()
                c.speakers[i].signal(sig)
                c.speakers[i].wait(15)
                offset = log_size(c, i)  # the new process's lines only
                self.restart(i)
                self.check_first_decision(log_since(c, i, offset), f"restart {n + 1}, node {i}")


class TwoNodeFailoverTest(FailoverTest):
    """Issue 11, item 14: with two nodes the survivor first stepped out as "isolated" and took
    over after 0.31-0.36 s instead of ~0.22 s."""
    NODES = 2

    def test_membership_blocked_on_one_segment_is_still_reported(self):
        """Two speakers that cannot hear each other but share the segment: each takes the other
        for dead (it cannot tell), both answer, and the duplicate-owner arbitration reports it
        and leaves one answering MAC per IP."""
        c = self.c
        owner = self.settle()

        c.block_membership([0], [1], True)
        try:
            for i in range(2):
                wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 1,
                         15, 0.05, f"node {i} alone")
            wait_for(lambda: len(c.announcers(V4)) == 1 and len(c.announcers(V6)) == 1, 30, 0.2,
                     "one announcer per IP despite the split views")
            wait_for(lambda: c.kube.events(c.ns, "duplicateOwner"), 15, 0.1,
                     "a duplicateOwner Event")
            for ip in (V4, V6):
                (answering,) = c.announcers(ip)
                self.assertEqual({c.node_of_mac(m) for m in c.answers(ip, 0.5)}, {answering})
        finally:
            c.block_membership([0], [1], False)
        for i in range(2):
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 2, 20,
                     0.05, f"node {i} seeing its peer again")
        self.assertEqual(self.settle(), owner)


del FailoverTest  # a base: its tests run in the classes above

if __name__ == "__main__":
    cluster.main()
