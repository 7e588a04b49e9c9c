#!/usr/bin/python3
"""Each speaker's ConfigurationState (docs/custom-resources.md): two speakers in node namespaces
against the real API server, each given a Pod object of its own (no kubelet runs here, so the
Pods stay Pending) as --pod-name/--pod-uid, as the chart does.

One object per node, speaker-<node>, labelled with the component and the node and owned by that
node's Pod; Valid, then Invalid with the first error when two pools overlap (a configuration the
CRD schema cannot reject, only the daemons), then Valid again once fixed.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402


class ConfigurationStateTest(cluster.ClusterTestCase):
    NODES = 2

    @classmethod
    def prepare(cls, c):
        c.kube.run("wait", "--for=condition=Established",
                   "crd/configurationstates.metallb.io", "--timeout=60s")
        # The ServiceAccount admission plugin wants the Pods' account to exist.
        c.kube.apply({"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": "default", "namespace": c.ns}})
        cls.pod_uids = {}
        for i in range(len(c.nodes)):
            pod = c.kube.create({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"speaker-{i}", "namespace": c.ns},
                "spec": {"automountServiceAccountToken": False,
                         "containers": [{"name": "c", "image": "registry.invalid/none"}]}})
            cls.pod_uids[i] = pod["metadata"]["uid"]
        c.pool("cs-a", ["203.0.113.0/28"])
        c.advertise("cs", pools=["cs-a"])
        for i in range(len(c.nodes)):
            c.start_speaker(i, [f"--pod-name=speaker-{i}", f"--pod-uid={cls.pod_uids[i]}"])
        for i in range(len(c.nodes)):
            c.wait_ready(i)

    @classmethod
    def tearDownClass(cls):
        cls.c.kube.delete("configurationstates.metallb.io", ns=cls.c.ns)
        cls.c.kube.delete("pods", ns=cls.c.ns)
        super().tearDownClass()

    def tearDown(self):
        errors = getattr(self._outcome, "errors", None) or []
        if any(e[1] for e in errors):
            self.c.dump_logs()

    def state(self, i):
        return self.c.kube.get("configurationstates.metallb.io",
                               f"speaker-{self.c.node_names[i]}", self.c.ns)

    def result(self, i):
        return ((self.state(i) or {}).get("status") or {}).get("result")

    def wait_all(self, result):
        for i in range(len(self.c.nodes)):
            wait_for(lambda: self.result(i) == result, 30, 0.2,
                     f"speaker {i}'s ConfigurationState {result}")

    def test_speaker_reports_per_node(self):
        c = self.c
        self.wait_all("Valid")
        for i in range(len(c.nodes)):
            st = self.state(i)
            labels = st["metadata"]["labels"]
            self.assertEqual(labels["metallb.io/component-type"], "speaker")
            self.assertEqual(labels["metallb.io/node-name"], c.node_names[i])
            owners = st["metadata"]["ownerReferences"]
            self.assertEqual([(o["kind"], o["name"], o["uid"]) for o in owners],
                             [("Pod", f"speaker-{i}", self.pod_uids[i])])
            self.assertNotIn("lastError", st["status"])
        # Exactly one object per node from the speakers, nothing else of theirs.
        mine = c.kube.list("configurationstates.metallb.io", c.ns,
                           selector="metallb.io/component-type=speaker")
        self.assertEqual(sorted(o["metadata"]["name"] for o in mine),
                         sorted(f"speaker-{n}" for n in c.node_names))
        table = c.kube.run("get", "configurationstates", "-n", c.ns).stdout
        for n in c.node_names:
            self.assertRegex(table, rf"speaker-{n}\s+Valid\s+speaker\s+{n}\s", table)

        c.pool("cs-b", ["203.0.113.8/29"])  # overlaps cs-a
        self.wait_all("Invalid")
        for i in range(len(c.nodes)):
            status = self.state(i)["status"]
            self.assertRegex(status["lastError"],
                             rf"^IPAddressPool {c.ns}/cs-[ab]: spec\.addresses\[0\]: "
                             r"\"203\.0\.113\.", status)
            self.assertEqual(status["conditions"][0]["status"], "False")
            self.assertIn("error", status["errorSummary"])

        c.kube.delete("ipaddresspools.metallb.io", "cs-b", ns=c.ns)
        self.wait_all("Valid")
        for i in range(len(c.nodes)):
            self.assertNotIn("lastError", self.state(i)["status"])


if __name__ == "__main__":
    cluster.main()
