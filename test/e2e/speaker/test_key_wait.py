#!/usr/bin/python3
"""Issue 14: a speaker started before its membership key exists waits for it.

In a cluster the chart's Secret volume is optional and the controller creates the Secret at
run time, so a speaker may start with no key file; the kubelet writes the file once the Secret
exists (docs/membership.md, "The key"). Here the file is simply absent when speaker 0 starts:
it must stay alive (no crash loop), be not ready with the reason on /readyz (naming the file)
and in its log, answer /healthz (the kubelet would not restart it), and start as soon as the
file appears: then it and a second speaker become ready together.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402


class KeyWaitTest(cluster.ClusterTestCase):
    NODES = 2

    @classmethod
    def prepare(cls, c):
        pass  # the test starts the speakers

    def probe(self, i, path):
        """(HTTP code, body) of the speaker's probe endpoint."""
        r = self.c.nodes[i].run(["curl", "-s", "--max-time", "2", "-w", "\n%{http_code}",
                                 f"http://127.0.0.1:{cluster.PROBE_PORT}{path}"], check=False)
        body, _, code = r.stdout.rpartition("\n")
        return code.strip(), body

    def test_speaker_waits_for_the_key_file(self):
        c = self.c
        later = c.key_file + ".later"
        os.rename(c.key_file, later)
        try:
            c.start_speaker(0)
            wait_for(lambda: "waiting for the membership key" in self.probe(0, "/readyz")[1],
                     30, 0.05, "speaker 0 reporting the wait on /readyz")
            code, body = self.probe(0, "/readyz")
            self.assertEqual(code, "503", body)
            self.assertIn(c.key_file, body)
            self.assertEqual(self.probe(0, "/healthz")[0], "200", "alive: no restart")
            self.assertTrue(c.speakers[0].alive())
            with open(c.speakers[0].log_path) as f:
                self.assertIn("waiting for the membership key", f.read())
        finally:
            os.rename(later, c.key_file)
        c.start_speaker(1)
        c.wait_ready(0)
        c.wait_ready(1)
        self.assertTrue(c.speakers[0].alive())
        with open(c.speakers[0].log_path) as f:
            self.assertEqual(f.read().count("waiting for the membership key"), 1,
                             "the reason is logged once, not on every read")


if __name__ == "__main__":
    cluster.main()
