#!/usr/bin/python3
"""Issue 12 (membership, low): a UDP flood against one speaker's membership port, as fast as
the client can send (one Python process; bounded in time and count), does not break membership
or failover. Three phases, figures printed:

  1. junk from the client's own address (no member's endpoint: dropped before the HMAC);
  2. spoofed from a member's address with the key's fingerprint but a wrong HMAC (each packet
     costs the speaker a full authentication);
  3. flood 2 again, and the owner is killed meanwhile: the other two take over.

During 1 and 2 every speaker keeps counting all three live and nobody declares a death."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4 = "203.0.113.80"
SECONDS = 6
MAX_PACKETS = 20_000_000


class MembershipFloodTest(cluster.ClusterTestCase):
    NODES = 3

    @classmethod
    def prepare(cls, c):
        c.pool("fl", ["203.0.113.80-203.0.113.81"])
        c.advertise("fl", pools=["fl"])
        c.start_all()
        c.add_vip(V4)
        c.service("fl", [V4], endpoints=[0, 1, 2])

    def flood(self, target, seconds, spoof_from=None):
        c = self.c
        script = os.path.join(cluster.ROOT, "test", "netns", "udp_flood.py")
        args = ["/usr/bin/python3", script, c.nodes[target].ipv4, str(cluster.MEMBER_PORT),
                str(seconds), str(MAX_PACKETS)]
        if spoof_from is not None:
            args += [c.nodes[spoof_from].ipv4, c.key_file]
        return c.client.popen(args, stderr=subprocess.PIPE)

    def udp_drops(self, i):
        out = self.c.nodes[i].run(["cat", "/proc/net/snmp"]).stdout.splitlines()
        udp = [line.split() for line in out if line.startswith("Udp:")]
        return int(udp[1][udp[0].index("RcvbufErrors")])

    def counters(self, i):
        c = self.c
        text = wait_for(lambda: c.metrics(i), 20, 0.1, f"a metrics scrape of speaker {i}")

        def value(name, **match):
            return sum(v for labels, v in c.samples(text, name)
                       if all(labels.get(k) == x for k, x in match.items()))
        return {"unknown_source": value("ironlb_speaker_membership_rejected_total",
                                        reason="unknown_source"),
                "bad_mac": value("ironlb_speaker_membership_rejected_total", reason="bad_mac"),
                "deaths": value("ironlb_speaker_membership_events_total",
                                event="deaths_declared"),
                "drops": self.udp_drops(i)}

    def watch(self, proc, target, label, reason):
        """Samples the live sets while `proc` floods; asserts nothing changed; prints figures."""
        c = self.c
        before = {i: self.counters(i) for i in range(3)}
        lowest = 3
        samples = 0
        failed = 0  # scrapes that timed out (2 s) while the machine was busy with the flood
        while proc.poll() is None:
            for i in range(3):
                text = c.metrics(i)
                if not text:
                    failed += 1
                    continue
                live = sum(v for _, v in c.samples(text, "ironlb_speaker_membership_live_members"))
                lowest = min(lowest, live)
                samples += 1
            time.sleep(0.2)  # sampling period of a monitor, not a wait for a condition
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        sent = json.loads(out.strip().splitlines()[-1])
        # The 1 s metrics mirror: wait until the rejections of this flood show.
        wait_for(lambda: self.counters(target)[reason] > before[target][reason], 10, 0.1,
                 f"{label}: rejections counted")
        time.sleep(1.1)  # one more mirror period so the count is complete (figures only)
        after = self.counters(target)
        handled = after[reason] - before[target][reason]
        dropped = after["drops"] - before[target]["drops"]
        print(f"{label}: sent {sent['sent']} in {sent['seconds']} s ({sent['pps']} pkt/s); "
              f"speaker {target} rejected {int(handled)} as {reason} "
              f"({int(handled / sent['seconds'])} pkt/s), kernel dropped {dropped} "
              f"(socket buffer full); lowest live count seen {int(lowest)} in {samples} "
              f"samples ({failed} scrapes timed out)", file=sys.stderr)
        self.assertGreater(samples, 10)
        self.assertGreater(handled, 0)
        self.assertEqual(lowest, 3, f"{label}: a speaker lost a member during the flood")
        for i in range(3):
            self.assertEqual(self.counters(i)["deaths"], before[i]["deaths"], f"{label}: node {i}")

    def test_flood_against_one_speaker(self):
        c = self.c
        owner = c.wait_single_owner(V4)
        target = (owner + 1) % 3
        spoofed = (owner + 2) % 3
        for i in range(3):
            wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 3,
                     20, 0.05, f"speaker {i} counting 3 live")

        self.watch(self.flood(target, SECONDS), target, "junk from a stranger", "unknown_source")
        self.watch(self.flood(target, SECONDS, spoof_from=spoofed), target,
                   "spoofed member source, wrong HMAC", "bad_mac")

        # Failover under the flood: the owner dies while speaker `target` is flooded.
        proc = self.flood(target, SECONDS + 2, spoof_from=spoofed)
        try:
            time.sleep(1.0)  # let the flood reach full rate first (not a condition)
            t0 = time.monotonic()
            c.speakers[owner].signal(signal.SIGKILL)
            survivors = [i for i in range(3) if i != owner]
            new = c.wait_single_owner(V4, timeout=10, among=survivors)
            took = time.monotonic() - t0
            for i in survivors:
                wait_for(lambda i=i: c.metric(i, "ironlb_speaker_membership_live_members") == 2,
                         10, 0.05, f"speaker {i} counting 2 live")
            self.assertEqual(c.resolve_from_client(V4), c.mac_of(new))
            still_flooding = proc.poll() is None
            print(f"failover under flood: owner {owner} killed, node {new} announcing after "
                  f"{took:.2f} s (flood still running: {still_flooding})", file=sys.stderr)
            self.assertTrue(still_flooding, "the flood ended before the failover was seen")
            self.assertLess(took, 5.0)
        finally:
            out, _ = proc.communicate(timeout=30)
            c.start_speaker(owner)


if __name__ == "__main__":
    cluster.main()
