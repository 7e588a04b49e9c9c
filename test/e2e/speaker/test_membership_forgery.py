#!/usr/bin/python3
"""Issue 12, item 3: one key holder no longer controls membership.

Four nodes; speakers run on nodes 0-2, node 3 is a compromised member: listed (it has a Node
object), holding the key, sending from its own address (member_forge.py), running no speaker.
It tries what used to work and what still may (docs/membership.md):

  - "the owner is dead at incarnation 2^62": ignored by every speaker (future_claims), the
    owner keeps its IPs. Before, it dropped the owner for good, across restarts.
  - "the owner is dead" at the furthest incarnation allowed (clock + 4 of the 5 min margin):
    accepted as gossip, and the owner refutes it at once; it keeps or takes back its IPs.
  - "the owner left": taken as a death (foreign_leaves), refuted the same way.
  - speaking as the owner ("I left") from its own address: rejected (wrong_source).
  - a forged death, then the owner's speaker restarts (its new incarnation is far below the
    claim): it refutes it too and serves again.
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4 = "198.51.100.70"
SPEAKERS = [0, 1, 2]
ATTACKER = 3


class MembershipForgeryTest(cluster.ClusterTestCase):
    NODES = 4

    @classmethod
    def prepare(cls, c):
        c.pool("mf", ["198.51.100.70-198.51.100.71"])
        c.advertise("mf", pools=["mf"])
        for i in SPEAKERS:
            c.start_speaker(i)
        c.add_vip(V4)
        c.service("mf", [V4], endpoints=SPEAKERS)

    def forge(self, claims, targets=None, sender=None):
        c = self.c
        targets = targets if targets is not None else SPEAKERS
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "member_forge.py")
        p = subprocess.run(c.nodes[ATTACKER].cmd([
            "/usr/bin/python3", script, c.key_file, sender or c.node_names[ATTACKER],
            str(self.attacker_inc),
            ",".join(f"{c.nodes[i].ipv4}:{c.node_names[i]}" for i in targets),
            ",".join(f"{c.node_names[n]}:{inc}:{st}" for n, inc, st in claims)]),
            capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)

    def event(self, i, name):
        return self.c.metric(i, "ironlb_speaker_membership_events_total", event=name)

    def rejected(self, i, reason):
        return self.c.metric(i, "ironlb_speaker_membership_rejected_total", reason=reason)

    def settled(self):
        c = self.c
        for i in SPEAKERS:
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 3,
                     20, 0.05, f"speaker {i} counting 3 live")
        return c.wait_single_owner(V4)

    def test_forged_claims_are_refuted_or_ignored(self):
        c = self.c
        self.attacker_inc = int(time.time() * 1000)
        owner = self.settled()
        others = [i for i in SPEAKERS if i != owner]
        me = c.node_names[owner]
        # The real speakers seal their traffic to each other (docs/membership.md); the forger's
        # version-1 notices are still accepted (no --memberlist-require-sealed).
        for i in SPEAKERS:
            wait_for(lambda i=i: self.event(i, "sealed_received") > 0, 10, 0.05,
                     f"speaker {i} receiving sealed packets")

        # 1. Far in the future: ignored everywhere, nothing moves.
        before = {i: self.event(i, "future_claims") for i in others}
        self.forge([(owner, str(1 << 62), "dead")], targets=others)
        for i in others:
            wait_for(lambda i=i: self.event(i, "future_claims") > before[i], 10, 0.05,
                     f"speaker {i} ignoring the claim of 2^62")
        self.assertEqual(c.announcers(V4), {owner})
        for i in SPEAKERS:
            self.assertEqual(c.metric(i, "ironlb_speaker_membership_live_members"), 3)

        # 2. The furthest claim allowed: accepted, refuted by the owner.
        refutations = self.event(owner, "refutations")
        t0 = time.monotonic()
        self.forge([(owner, "now+240000", "dead")], targets=others)
        wait_for(lambda: self.event(owner, "refutations") > refutations, 10, 0.02,
                 "the owner refuting the forged death")
        self.assertEqual(self.settled(), owner)
        print(f"forged death at clock + 4 min: refuted and settled after "
              f"{time.monotonic() - t0:.2f} s", file=sys.stderr)

        # 3. "The owner left", from the attacker: a death, refuted the same way.
        refutations = self.event(owner, "refutations")
        leaves = {i: self.event(i, "foreign_leaves") for i in others}
        learned = {i: self.event(i, "leaves_learned") for i in others}
        self.forge([(owner, "now+250000", "left")], targets=others)
        for i in others:
            wait_for(lambda i=i: self.event(i, "foreign_leaves") > leaves[i], 10, 0.05,
                     f"speaker {i} taking the relayed leave as a death")
        wait_for(lambda: self.event(owner, "refutations") > refutations, 10, 0.02,
                 "the owner refuting the forged leave")
        self.assertEqual(self.settled(), owner)
        for i in others:
            self.assertEqual(self.event(i, "leaves_learned"), learned[i])

        # 4. Speaking as the owner from the attacker's address: rejected.
        wrong = {i: self.rejected(i, "wrong_source") for i in others}
        self.forge([(owner, "now+260000", "left")], targets=others, sender=me)
        for i in others:
            wait_for(lambda i=i: self.rejected(i, "wrong_source") > wrong[i], 10, 0.05,
                     f"speaker {i} rejecting the impersonation")
        self.assertEqual(self.settled(), owner)

        # 5. A forged death, and the owner restarts: it refutes the claim from its new process
        # (whose incarnation is far below the claim) and takes its IP back.
        self.forge([(owner, "now+270000", "dead")], targets=others)
        c.speakers[owner].signal(signal.SIGKILL)
        c.speakers[owner].wait(15)
        c.start_speaker(owner)
        c.wait_ready(owner)
        self.assertEqual(self.settled(), owner)
        wait_for(lambda: self.event(owner, "refutations") > 0, 10, 0.05,
                 "the restarted owner refuting the claim")


if __name__ == "__main__":
    cluster.main()
