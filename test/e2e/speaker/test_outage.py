#!/usr/bin/python3
"""API server outage: while kube-apiserver is stopped the speakers keep answering for their IPs
and still fail over (membership needs no API server); once it is back, they converge on what
changed (a new Service, ServiceL2Status objects). Stops the shared control plane's API server,
so ctest runs it alone (RUN_SERIAL)."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4, V4B = "192.0.2.130", "192.0.2.131"


class OutageTest(cluster.ClusterTestCase):
    @classmethod
    def prepare(cls, c):
        c.pool("out", ["192.0.2.130-192.0.2.139"])
        c.advertise("out", pools=["out"])
        c.start_all()
        c.add_vip(V4)
        c.add_vip(V4B)
        c.service("out", [V4], endpoints=[0, 1, 2])

    def statuses(self):
        return {(s["metadata"]["labels"].get("metallb.io/service-name"), s["status"]["node"])
                for s in self.c.l2statuses() if s.get("status", {}).get("node")}

    def test_announcements_and_failover_survive_an_api_server_outage(self):
        c = self.c
        owner = c.wait_single_owner(V4)
        wait_for(lambda: self.statuses() == {("out", c.node_names[owner])}, 15, 0.1,
                 "the owner's ServiceL2Status")
        c.kube.apiserver("stop")
        try:
            # Still answering, from the same node.
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                self.assertEqual(c.announcers(V4), {owner})
            c.client.flush_neigh()
            self.assertEqual(c.client_reaches(V4), c.node_names[owner])

            # Failover without the API server.
            c.speakers[owner].signal(signal.SIGKILL)
            others = [i for i in range(3) if i != owner]
            new = c.wait_single_owner(V4, among=others)
            wait_for(lambda: c.client_neigh(V4) == c.mac_of(new), 10, 0.01,
                     "the client's neighbour entry following the new owner")
            self.assertEqual(c.client_reaches(V4), c.node_names[new])

            # A speaker started during the outage cannot know the cluster: it stays unready and
            # announces nothing, and the others keep the IP where it is.
            c.start_speaker(owner)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                self.assertFalse(c.ready(owner))
                self.assertEqual(c.announcers(V4), {new})
        finally:
            c.kube.apiserver("start")

        # Back: the restarted speaker syncs and joins; changes made now are applied; the
        # ServiceL2Status objects converge to one per Service, from its owner.
        c.wait_ready(owner, timeout=90)
        final = c.wait_single_owner(V4, timeout=30)
        c.service("after", [V4B], endpoints=[0, 1, 2])
        after = c.wait_single_owner(V4B, timeout=60)
        wait_for(lambda: self.statuses() == {("out", c.node_names[final]),
                                             ("after", c.node_names[after])}, 90, 0.2,
                 "ServiceL2Status objects converged")
        self.assertEqual(c.client_reaches(V4B), c.node_names[after])


if __name__ == "__main__":
    cluster.main()
