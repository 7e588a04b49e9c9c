#!/usr/bin/python3
"""Who announces what: three speakers in node namespaces, the real API server, a real client.

Each test uses its own pool (address range), advertisements and Services, and removes the
advertisements it adds, so the tests share one cluster.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from cluster import wait_for  # noqa: E402

EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"


class AnnounceTest(cluster.ClusterTestCase):
    ZONES = {0: "a", 1: "a", 2: "b"}

    def tearDown(self):
        if any(self._outcome.errors[i][1] for i in range(len(self._outcome.errors))) \
                if hasattr(self._outcome, "errors") else False:
            self.c.dump_logs()

    def nodes_answering(self, ip):
        return {self.c.node_of_mac(m) for m in self.c.answers(ip)}

    # -------------------------------------------------------------------------------------------
    def test_ipv4_and_ipv6_announced_by_exactly_one_node(self):
        c = self.c
        c.pool("basic", ["192.0.2.100-192.0.2.104", "2001:db8:1::100-2001:db8:1::104"])
        c.advertise("basic", pools=["basic"])
        v4, v6 = "192.0.2.100", "2001:db8:1::100"
        c.add_vip(v4)
        c.add_vip(v6)
        c.service("basic", [v4, v6], endpoints=[0, 1, 2])
        owner = c.wait_single_owner(v4)
        # Both IPs of a dual-stack Service go to one node (the election keys on the first IP).
        self.assertEqual(c.wait_single_owner(v6), owner)
        name = c.node_names[owner]

        # Real clients: the client's kernel, arping, ndisc6 and a raw probe all see one node.
        self.assertEqual(self.nodes_answering(v4), {owner})
        self.assertEqual(self.nodes_answering(v6), {owner})
        arping = c.client.run(["arping", "-c", "1", "-w", "3", "-I", "eth0", v4], check=False)
        self.assertIn("Received 1 response", arping.stdout)
        self.assertIn(c.mac_of(owner).upper(), arping.stdout)
        nd = c.client.run(["ndisc6", "-1", "-r", "3", v6, "eth0"], check=False)
        self.assertEqual(nd.returncode, 0, nd.stdout + nd.stderr)
        self.assertIn(c.mac_of(owner).upper(), nd.stdout)
        c.client.flush_neigh()
        self.assertEqual(c.client_reaches(v4), name)
        self.assertEqual(c.client_reaches(v6), name)
        self.assertEqual(c.client_neigh(v4), c.mac_of(owner))
        self.assertEqual(c.client_neigh(v6), c.mac_of(owner))

        # What MetalLB users look for: one ServiceL2Status from the owner, a nodeAssigned Event.
        def statuses():
            return [s for s in c.l2statuses()
                    if s["metadata"]["labels"].get("metallb.io/service-name") == "basic"]
        wait_for(lambda: len(statuses()) == 1 and statuses()[0].get("status", {}).get("node"),
                 15, 0.1, "the ServiceL2Status of the owner")
        st = statuses()[0]
        self.assertTrue(st["metadata"]["name"].startswith("l2-"))
        self.assertEqual(st["metadata"]["labels"]["metallb.io/node"], name)
        self.assertEqual(st["metadata"]["labels"]["metallb.io/service-namespace"], c.ns)
        self.assertEqual(st["status"]["node"], name)
        self.assertEqual(st["status"]["serviceName"], "basic")
        self.assertEqual(st["status"]["serviceNamespace"], c.ns)
        self.assertEqual([i["name"] for i in st["status"]["interfaces"]], ["eth0"])
        wait_for(lambda: c.kube.events(c.ns, "nodeAssigned", "basic"), 15, 0.1,
                 "a nodeAssigned event")
        event = c.kube.events(c.ns, "nodeAssigned", "basic")[0]
        self.assertEqual(event["message"], f'announcing from node "{name}" with protocol "layer2"')
        self.assertEqual(event["type"], "Normal")

        # Metrics dashboards query.
        self.assertEqual(c.metric(owner, "metallb_speaker_announced", ip=v4, node=name,
                                  protocol="layer2", service=f"{c.ns}/basic"), 1)
        wait_for(lambda: c.metric(owner, "metallb_layer2_requests_received", ip=v4) >= 2, 5, 0.1,
                 "request counters")
        self.assertGreaterEqual(c.metric(owner, "metallb_layer2_responses_sent", ip=v4), 2)
        self.assertGreaterEqual(c.metric(owner, "metallb_layer2_gratuitous_sent", ip=v4), 2)
        for i in range(3):
            if i != owner:
                self.assertEqual(c.metric(i, "metallb_speaker_announced", ip=v4), 0)

        # Deleting the Service: nobody announces, the ServiceL2Status goes away.
        c.kube.delete("service", "basic", ns=c.ns)
        c.wait_nobody(v4)
        wait_for(lambda: not statuses(), 15, 0.1, "the ServiceL2Status deleted")

    def test_shared_ip_lands_on_one_node(self):
        c = self.c
        c.pool("shared", ["192.0.2.105-192.0.2.109", "2001:db8:1::105-2001:db8:1::109"])
        c.advertise("shared", pools=["shared"])
        ip = "192.0.2.105"
        c.add_vip(ip)
        # Two Services share the IP (sharing key, different ports); their first IPs differ (the
        # second is dual-stack with IPv6 first): still one owner for the shared IP.
        c.service("shared-a", [ip], endpoints=[0, 1, 2], share="k", port=8081)
        c.service("shared-b", ["2001:db8:1::105", ip], endpoints=[0, 1, 2], share="k",
                  port=8082)
        owner = c.wait_single_owner(ip)
        self.assertEqual(self.nodes_answering(ip), {owner})
        for svc in ("shared-a", "shared-b"):
            self.assertEqual(c.metric(owner, "metallb_speaker_announced", ip=ip,
                                      service=f"{c.ns}/{svc}"), 1)
        if c.controller is not None:
            return  # the controller refuses the mixed-policy sharing below
        # Local policy on one of them: the shared IP moves where both can live.
        other = (owner + 1) % 3
        c.kube.patch("service", "shared-a", {"spec": {"externalTrafficPolicy": "Local"}}, ns=c.ns)
        c.set_endpoints("shared-a", [other])
        self.assertEqual(c.wait_single_owner(ip, exclude={owner}), other)

    def test_local_policy_follows_endpoints(self):
        c = self.c
        c.pool("local", ["192.0.2.110-192.0.2.114"])
        c.advertise("local", pools=["local"])
        ip = "192.0.2.110"
        c.add_vip(ip)
        c.service("local", [ip], endpoints=[1], local=True)
        self.assertEqual(c.wait_single_owner(ip), 1)
        self.assertEqual(c.client_reaches(ip), c.node_names[1])
        # The endpoint moves: so does the IP, and the client's neighbour entry with it.
        c.set_endpoints("local", [2])
        self.assertEqual(c.wait_single_owner(ip), 2)
        wait_for(lambda: c.client_neigh(ip) == c.mac_of(2), 10, 0.05,
                 "the client's neighbour entry following the endpoint")
        self.assertEqual(c.client_reaches(ip), c.node_names[2])
        # Not ready anywhere: nobody announces, and every speaker says why.
        c.set_endpoints("local", [2], ready=False)
        c.wait_nobody(ip)
        for i in range(3):
            wait_for(lambda i=i: c.unannounced_reason(i, ip) == "no_serving_endpoint", 10, 0.05,
                     "reason no_serving_endpoint")
        # Endpoints only on a node excluded from announcing.
        c.set_endpoints("local", [0])
        c.label_node(0, EXCLUDE, "")
        try:
            for i in range(3):
                wait_for(lambda i=i: c.unannounced_reason(i, ip) == "no_local_endpoint_node", 10,
                         0.05, "reason no_local_endpoint_node")
            self.assertEqual(c.announcers(ip), set())
        finally:
            c.label_node(0, EXCLUDE, None)
        self.assertEqual(c.wait_single_owner(ip), 0)

    def test_node_selectors_exclude_label_and_network_unavailable(self):
        c = self.c
        c.pool("zonea", ["192.0.2.115-192.0.2.119"])
        c.advertise("zonea", pools=["zonea"], node_selectors=[{"zone": "a"}])
        ip = "192.0.2.115"
        c.add_vip(ip)
        c.service("zonea", [ip], endpoints=[0, 1, 2])
        first = c.wait_single_owner(ip)
        self.assertIn(first, (0, 1))  # node 2 is in zone b
        second = 1 - first
        try:
            c.label_node(first, EXCLUDE, "true")
            self.assertEqual(c.wait_single_owner(ip), second)
            c.set_node_status(second, network_unavailable=True)
            c.wait_nobody(ip)
            for i in range(3):
                wait_for(lambda i=i: c.unannounced_reason(i, ip) == "no_eligible_node", 10, 0.05,
                         "reason no_eligible_node")
            # One Warning event, from one speaker, naming the reason.
            wait_for(lambda: c.kube.events(c.ns, "notAnnounced", "zonea"), 15, 0.1,
                     "a notAnnounced event")
            events = c.kube.events(c.ns, "notAnnounced", "zonea")
            self.assertEqual(len(events), 1, events)
            self.assertIn("no node may announce", events[0]["message"])
        finally:
            c.label_node(first, EXCLUDE, None)
            c.set_node_status(second, network_unavailable=False)
        self.assertIn(c.wait_single_owner(ip), (0, 1))

    def test_no_matching_advertisement_reports_why(self):
        c = self.c
        c.pool("lonely", ["198.51.100.0-198.51.100.9"])  # no advertisement selects it
        c.pool("picky", ["198.51.100.10-198.51.100.19"])
        c.advertise("picky", pools=["picky"], service_selectors=[{"tier": "gold"}])
        c.service("lonely", ["198.51.100.1"], endpoints=[0, 1, 2])
        c.service("picky", ["198.51.100.11"], endpoints=[0, 1, 2], labels={"tier": "bronze"})
        for ip in ("198.51.100.1", "198.51.100.11"):
            for i in range(3):
                wait_for(lambda i=i, ip=ip: c.unannounced_reason(i, ip) == "no_l2_advertisement",
                         15, 0.05, f"reason no_l2_advertisement for {ip}")
            self.assertEqual(c.announcers(ip), set())
        for svc in ("lonely", "picky"):
            wait_for(lambda svc=svc: c.kube.events(c.ns, "notAnnounced", svc), 15, 0.1,
                     f"a notAnnounced event for {svc}")
            events = c.kube.events(c.ns, "notAnnounced", svc)
            self.assertEqual(len(events), 1)
            self.assertEqual(events[0]["type"], "Warning")
            self.assertIn("no L2Advertisement selects", events[0]["message"])
        # Fixing the labels is enough.
        c.kube.patch("service", "picky", {"metadata": {"labels": {"tier": "gold"}}}, ns=c.ns)
        c.wait_single_owner("198.51.100.11")

    def test_interface_selectors_and_announce_failed(self):
        c = self.c
        for node in c.nodes:
            c.topo.add_link(node, "eth1")
        try:
            c.pool("ifsel", ["198.51.100.20-198.51.100.29"])
            c.advertise("ifsel", pools=["ifsel"], interfaces=["eth1"])
            ip = "198.51.100.20"
            c.add_vip(ip)
            c.service("ifsel", [ip], endpoints=[0, 1, 2])
            owner = c.wait_single_owner(ip)
            # Answers come only from the owner's eth1 (its eth0 is on the same segment).
            self.assertEqual(c.answers(ip), [c.mac_of(owner, "eth1")] * len(c.answers(ip)))
            self.assertEqual(c.client_reaches(ip), c.node_names[owner])

            # The advertisement names an interface no node has: the winner reports it and
            # nobody announces (MetalLB's announceFailed).
            c.pool("ifmiss", ["198.51.100.30-198.51.100.39"])
            c.advertise("ifmiss", pools=["ifmiss"], interfaces=["eth9"])
            miss = "198.51.100.30"
            c.service("ifmiss", [miss], endpoints=[0, 1, 2])
            wait_for(lambda: any(c.metric(i, "ironlb_speaker_announce_failed", ip=miss,
                                          interface="eth9") for i in range(3)), 15, 0.05,
                     "announce_failed on the winner")
            failing = [i for i in range(3)
                       if c.metric(i, "ironlb_speaker_announce_failed", ip=miss)]
            self.assertEqual(len(failing), 1)
            self.assertEqual(c.computed_owner(failing[0], miss), c.node_names[failing[0]])
            self.assertEqual(c.answers(miss, 0.5), [])
            wait_for(lambda: c.kube.events(c.ns, "announceFailed", "ifmiss"), 15, 0.1,
                     "an announceFailed event")
            self.assertEqual(c.kube.events(c.ns, "announceFailed", "ifmiss")[0]["type"], "Warning")
        finally:
            for node in c.nodes:
                node.ip("link", "del", "eth1", check=False)
            c.kube.delete("l2advertisement", "ifsel", ns=c.ns)
            c.kube.delete("l2advertisement", "ifmiss", ns=c.ns)

    def test_kernel_answering_arp_for_vips_is_reported(self):
        c = self.c
        c.pool("ipvs", ["198.51.100.40-198.51.100.49"])
        c.advertise("ipvs", pools=["ipvs"])
        ip = "198.51.100.40"
        node = c.nodes[2]
        # kube-proxy IPVS without strictARP: the VIP on kube-ipvs0, arp_ignore 0.
        node.ip("link", "add", "kube-ipvs0", "type", "veth", "peer", "name", "kipvs-peer")
        node.ip("link", "set", "kube-ipvs0", "up")
        node.ip("addr", "add", f"{ip}/32", "dev", "kube-ipvs0")
        node.sysctl("net.ipv4.conf.all.arp_ignore", 0)
        node.sysctl("net.ipv4.conf.eth0.arp_ignore", 0)
        try:
            c.service("ipvs", [ip], endpoints=[0, 1])
            wait_for(lambda: c.metric(2, "ironlb_speaker_kernel_answers_arp", ip=ip,
                                      interface="eth0") == 1, 15, 0.1,
                     "the kernel-ARP finding on node 2")
            # It is real: node 2's kernel answers the client too.
            self.assertIn(2, {c.node_of_mac(m) for m in c.answers(ip)})
            def node_events():
                return [e for e in c.kube.events("default", "kernelAnswersARP")
                        if e["involvedObject"]["name"] == c.node_names[2] and
                        f"for {ip} on eth0" in e["message"]]
            wait_for(node_events, 15, 0.1, "a kernelAnswersARP event on the Node")
            event = node_events()[0]
            self.assertIn("strictARP", event["message"])
            self.assertIn("kube-ipvs0", event["message"])
            for i in (0, 1):
                self.assertEqual(c.metric(i, "ironlb_speaker_kernel_answers_arp", ip=ip), 0)
        finally:
            node.sysctl("net.ipv4.conf.all.arp_ignore", 1)
            node.ip("link", "del", "kube-ipvs0", check=False)
        wait_for(lambda: c.metric(2, "ironlb_speaker_kernel_answers_arp", ip=ip) == 0, 20, 0.2,
                 "the finding cleared")

    def test_forged_membership_packets_change_nothing(self):
        c = self.c
        c.pool("forged", ["198.51.100.50-198.51.100.59"])
        c.advertise("forged", pools=["forged"])
        ip = "198.51.100.50"
        c.add_vip(ip)
        c.service("forged", [ip], endpoints=[0, 1, 2])
        owner = c.wait_single_owner(ip)
        before = [c.metric(i, "ironlb_speaker_membership_rejected_total") for i in range(3)]

        # Capture real membership traffic arriving at node 1, then replay it from the client
        # with the original source address, and add junk and a forged header.
        cap = c.nodes[1].popen(["tcpdump", "-U", "-n", "-i", "eth0", "-c", "20", "-w", "-",
                                "udp", "dst", "port", str(cluster.MEMBER_PORT)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=False)
        raw, _ = cap.communicate(timeout=20)
        self.assertGreater(len(raw), 24)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forge.py")
        targets = ",".join(n.ipv4 for n in c.nodes)
        p = subprocess.run(c.client.cmd(["/usr/bin/python3", script, "eth0",
                                         str(cluster.MEMBER_PORT), targets]),
                           input=raw, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("sent", p.stdout.decode())

        # Rejected, counted, and nothing moved.
        wait_for(lambda: all(c.metric(i, "ironlb_speaker_membership_rejected_total") > before[i]
                             for i in range(3)), 10, 0.1, "rejections counted on every node")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            self.assertEqual(c.announcers(ip), {owner})
            for i in range(3):
                self.assertEqual(c.metric(i, "ironlb_speaker_membership_live_members"), 3)
        reasons = {}
        for i in range(3):
            for labels, v in c.samples(c.metrics(i), "ironlb_speaker_membership_rejected_total"):
                reasons[labels["reason"]] = reasons.get(labels["reason"], 0) + v
        # Junk and the forged header come from the client, no member's address: dropped before
        # the HMAC (docs/membership.md). Tampered replays come from the members' addresses.
        self.assertGreater(reasons.get("unknown_source", 0), 0)
        self.assertGreater(reasons.get("bad_mac", 0) + reasons.get("unknown_key", 0), 0)
        self.assertGreater(reasons.get("replay", 0) + reasons.get("wrong_destination", 0), 0)


if __name__ == "__main__":
    cluster.main()
