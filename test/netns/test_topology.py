#!/usr/bin/python3
"""The namespace harness itself: builds, connects, and always tears down (exception, SIGTERM,
leftover cleanup by prefix)."""

import os
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from topology import Topology, cleanup, list_namespaces, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class TopologyTest(unittest.TestCase):
    def test_hosts_reach_each_other_over_v4_and_v6(self):
        with Topology(nodes=2) as topo:
            self.assertEqual(len(list_namespaces(topo.prefix)), 4)
            for node in topo.nodes:
                self.assertEqual(topo.client.run(["ping", "-c1", "-W2", node.ipv4]).returncode, 0)
                self.assertEqual(topo.client.run(["ping", "-6", "-c1", "-W2", node.ipv6]).returncode, 0)
            self.assertNotEqual(topo.nodes[0].mac(), topo.nodes[1].mac())
            prefix = topo.prefix
        self.assertEqual(list_namespaces(prefix), [])

    def test_torn_down_on_exception(self):
        prefix = None
        with self.assertRaises(ValueError):
            with Topology(nodes=1) as topo:
                prefix = topo.prefix
                topo.nodes[0].popen(["sleep", "60"])
                raise ValueError("boom")
        self.assertEqual(list_namespaces(prefix), [])

    def test_torn_down_on_sigterm(self):
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "topology.py"), "hold", "1"],
                                stdout=subprocess.PIPE, text=True)
        names = proc.stdout.readline().split()
        self.assertEqual(len(names), 2)
        prefix = names[0].rsplit("-", 1)[0]
        self.assertEqual(len(list_namespaces(prefix)), 3)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 130)
        self.assertEqual(list_namespaces(prefix), [])

    def test_cleanup_removes_leftovers_by_prefix(self):
        subprocess.run(["ip", "netns", "add", "ilbleftover-x"], check=True)
        subprocess.run(["ip", "netns", "add", "ilbleftover-y"], check=True)
        self.assertEqual(sorted(cleanup("ilbleftover")), ["ilbleftover-x", "ilbleftover-y"])
        self.assertEqual(list_namespaces("ilbleftover"), [])

    def test_wait_for_deadline(self):
        with self.assertRaises(TimeoutError):
            wait_for(lambda: False, 0.05, what="nothing")
        self.assertEqual(wait_for(lambda: 7, 1), 7)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("netns tests need root", file=sys.stderr)
        sys.exit(1)
    unittest.main(argv=[sys.argv[0], "-v"])
