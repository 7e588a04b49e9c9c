#!/usr/bin/python3
"""Issue 12, item 2: a foreign device cannot silence a VIP.

Before: three unauthenticated ARP replies or NAs claiming the VIP with a lower MAC, >= 1 s apart
within 10 s, made the owner stop answering for 5 minutes (the MAC tie-break meant for two
speakers), and repeating kept it silent. Now a speaker yields only to a MAC a peer speaker
announced over the authenticated membership (docs/duplicate-owner.md); against any other MAC it
keeps answering, re-announces, and reports the MAC (Event + metric).

Here an attacker in the client namespace claims both VIPs with a MAC lower than every node's,
once a second for 14 s, while the client keeps asking: every ARP request and Neighbor
Solicitation is answered by the owner throughout, the owner never stops announcing, and after
the attack the client's own kernel resolves the VIPs to the owner."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4, V6 = "192.0.2.150", "2001:db8:1::150"
# RFC 7042 documentation MAC: lower than any node's (kernel-made MACs are locally administered).
ATTACKER = "00:00:5e:00:53:01"
ROUNDS, INTERVAL = 14, 1.0


class ForeignMacTest(cluster.ClusterTestCase):
    NODES = 2

    @classmethod
    def prepare(cls, c):
        c.pool("fm", ["192.0.2.150-192.0.2.151", "2001:db8:1::150-2001:db8:1::151"])
        c.advertise("fm", pools=["fm"])
        c.start_all()
        c.add_vip(V4)
        c.add_vip(V6)
        c.service("fm", [V4, V6], endpoints=list(range(cls.NODES)))

    def test_foreign_mac_cannot_silence_vip(self):
        c = self.c
        owners = {ip: c.wait_single_owner(ip) for ip in (V4, V6)}
        macs = {ip: c.mac_of(owners[ip]) for ip in owners}
        for ip in owners:
            self.assertLess(ATTACKER, macs[ip], "the attacker's MAC must be the lower one")
        # The speakers learnt each other's MACs (the positive marker that the rule could yield).
        for i in range(self.NODES):
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_messages_received_total",
                                          type="macs") > 0, 10, 0.05, f"node {i} learnt MACs")
        yields = {i: c.metric(i, "ironlb_speaker_duplicate_owner_yields_total")
                  for i in range(self.NODES)}

        script = os.path.join(cluster.ROOT, "test", "netns", "scapy_client.py")
        attack = c.client.popen(["/usr/bin/python3", script, "attack", "eth0", V4, V6, ATTACKER,
                                 str(ROUNDS), str(INTERVAL)])
        probes = 0
        rounds = 0
        started = time.monotonic()
        try:
            while attack.poll() is None:
                self.assertLess(time.monotonic() - started, ROUNDS * INTERVAL + 30, "attack hung")
                for ip in (V4, V6):
                    self.assertEqual(c.announcers(ip), {owners[ip]}, f"{ip}: owner stopped")
                    answers = c.answers(ip, 0.4)
                    self.assertIn(macs[ip], answers, f"{ip}: the owner did not answer")
                    probes += 1
            out, _ = attack.communicate(timeout=10)
            rounds = sum(1 for line in out.splitlines() if '"round"' in line)
        finally:
            if attack.poll() is None:
                attack.kill()
                attack.wait(5)
        self.assertEqual(attack.returncode, 0)
        self.assertEqual(rounds, ROUNDS)
        print(f"attack: {rounds} rounds of ARP reply + NA from {ATTACKER} over "
              f"{time.monotonic() - started:.1f} s; {probes} client probes, every one answered "
              f"by the owner", file=sys.stderr)
        self.assertGreater(probes, 6)

        # After the attack the owners still announce, the client's own kernel resolves the VIPs
        # to them (the owner's refresh overwrote the forged entries), nobody yielded, and the
        # foreign MAC is named in the metric and in a duplicateOwner Event.
        for ip in (V4, V6):
            self.assertEqual(c.announcers(ip), {owners[ip]})
            wait_for(lambda ip=ip: c.resolve_from_client(ip) == macs[ip], 10, 0.2,
                     f"the client resolving {ip} to the owner")
            wait_for(lambda ip=ip: c.metric(owners[ip], "ironlb_speaker_duplicate_owner_foreign_total",
                                            ip=ip, mac=ATTACKER) >= 3, 10, 0.1,
                     f"the foreign-claimant metric naming {ATTACKER} for {ip}")
        for i in range(self.NODES):
            self.assertEqual(c.metric(i, "ironlb_speaker_duplicate_owner_yields_total"), yields[i])
        wait_for(lambda: any(ATTACKER in e.get("message", "") and "no speaker's" in
                             e.get("message", "") for e in c.kube.events(c.ns, "duplicateOwner")),
                 15, 0.1, "a duplicateOwner Event naming the foreign MAC")


if __name__ == "__main__":
    cluster.main()
