#!/usr/bin/python3
"""cluster_etp_local_follows_pods: externalTrafficPolicy Local with EndpointSlices written by
Kubernetes itself: the VIP is answered by the node where the only pod runs; when the
Deployment moves the pod to another node, the announcement follows; scaled to two pods on two
other nodes, one of those answers; scaled to zero, no node answers (the speakers report why).
The client fetches every page from the pod it expects."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import reasons, scenario, wait_for  # noqa: E402

NS = "etp-local"


def announced_by(h, ip, nodes, timeout=60):
    """Waits until exactly one node answers for ip and it is one of `nodes`."""
    def ok():
        macs = h.answers(ip)
        return len(macs) == 1 and h.node_of_mac(macs[0]) in nodes and h.node_of_mac(macs[0])
    return wait_for(ok, timeout, 0.2, f"{ip} answered by one of {sorted(nodes)}")


def check(h):
    h.namespace(NS)
    try:
        h.kube.run("label", "node", "node-1", "node-3", "ironlb.test/etp=spread", "--overwrite")
        h.backend(NS, "web", replicas=1, node_selector={"kubernetes.io/hostname": "node-2"})
        h.lb_service(NS, "web", local=True, dual=False)
        (ip,) = h.wait_ingress(NS, "web")
        pods = h.wait_ready_pods(NS, "app=web", 1)
        where = announced_by(h, ip, {"node-2"})
        body = h.wait_fetch(ip)
        assert body == f"hello from {pods[0]['metadata']['name']}", body
        print(f"1 pod on node-2: {ip} answered by {where}, {body!r}")

        h.kube.patch("deployment", "web", {"spec": {"template": {"spec": {"nodeSelector": {
            "kubernetes.io/hostname": "node-3"}}}}}, ns=NS)
        pods = wait_for(lambda: [p for p in h.ready_pods(NS, "app=web")
                                 if p["spec"]["nodeName"] == "node-3"] and
                        len(h.kube.list("pods", NS, selector="app=web")) == 1 and
                        h.ready_pods(NS, "app=web"), 120, 0.3, "the pod moved to node-3")
        where = announced_by(h, ip, {"node-3"})
        body = h.wait_fetch(ip, expect=lambda b: b.endswith(pods[0]["metadata"]["name"]))
        print(f"pod moved to node-3: {ip} answered by {where}, {body!r}")

        # One pod per node (anti-affinity), so let the rollout take the old pod down first.
        h.kube.patch("deployment", "web", {"spec": {"replicas": 2, "strategy": {
            "rollingUpdate": {"maxUnavailable": 1}}, "template": {"spec": {
            "nodeSelector": {"ironlb.test/etp": "spread", "kubernetes.io/hostname": None},
            "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                "topologyKey": "kubernetes.io/hostname",
                "labelSelector": {"matchLabels": {"app": "web"}}}]}}}}}}, ns=NS)
        pods = wait_for(lambda: (lambda ps: ps if len(ps) == 2 and len(
            h.kube.list("pods", NS, selector="app=web")) == 2 else None)(
            h.ready_pods(NS, "app=web")), 120, 0.3, "two pods on node-1 and node-3")
        hosts = {p["spec"]["nodeName"] for p in pods}
        assert hosts == {"node-1", "node-3"}, hosts
        where = announced_by(h, ip, hosts)
        local = [p["metadata"]["name"] for p in pods if p["spec"]["nodeName"] == where]
        body = h.wait_fetch(ip)
        assert body == f"hello from {local[0]}", (body, local)  # Local: served on that node
        print(f"2 pods on {sorted(hosts)}: {ip} answered by {where}, {body!r}")

        h.kube.patch("deployment", "web", {"spec": {"replicas": 0}}, ns=NS)
        wait_for(lambda: not h.kube.list("pods", NS, selector="app=web"), 120, 0.3,
                 "no pod left")
        # Positive marker first (every speaker has decided, and why), then the silence.
        why = wait_for(lambda: (lambda r: r if len(r) == len(h.cluster.nodes) else None)(
            reasons(h, ip)), 60, 0.3, f"every speaker reporting why {ip} is not announced")
        macs = h.answers(ip)
        assert macs == [], f"{ip} still answered by {macs} with no pod"
        print(f"0 pods: nobody answers for {ip}; speakers say {why}")
    finally:
        h.delete("namespace", NS)
        h.kube.run("label", "node", "node-1", "node-3", "ironlb.test/etp-", check=False)


if __name__ == "__main__":
    scenario(check)
