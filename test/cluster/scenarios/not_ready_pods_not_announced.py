#!/usr/bin/python3
"""cluster_not_ready_pods_not_announced: a Service whose pods run but are not Ready (their
readiness probe fails; Kubernetes marks the endpoints not ready) gets an EXTERNAL-IP but no
node answers for it, and every speaker says why; once the pods pass their probe, exactly one
node answers and the client fetches a page."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BACKEND_PORT, reasons, scenario, wait_for  # noqa: E402

NS = "not-ready"


def check(h):
    h.namespace(NS)
    try:
        h.backend(NS, "web", replicas=2, ready_port=9999)   # nothing listens there
        h.lb_service(NS, "web", dual=False)
        (ip,) = h.wait_ingress(NS, "web")
        wait_for(lambda: len([p for p in h.kube.list("pods", NS, selector="app=web")
                              if p["status"].get("phase") == "Running"]) == 2, 120, 0.3,
                 "two Running pods")
        slices = h.kube.list("endpointslices", NS,
                             selector="kubernetes.io/service-name=web")
        eps = [e for s in slices for e in s.get("endpoints") or []]
        assert eps and not any(e["conditions"].get("ready") for e in eps), eps
        why = wait_for(lambda: (lambda r: r if len(r) == len(h.cluster.nodes) else None)(
            reasons(h, ip)), 60, 0.3, f"every speaker reporting why {ip} is not announced")
        macs = h.answers(ip)
        assert macs == [], f"{ip} answered by {macs} although no endpoint is ready"
        print(f"pods Running, not Ready: nobody answers for {ip}; speakers say {why}")

        h.kube.run("patch", "deployment", "web", "-n", NS, "--type=strategic", "-p", json.dumps(
            {"spec": {"template": {"spec": {"containers": [{
                "name": "web", "readinessProbe": {"tcpSocket": {"port": BACKEND_PORT}}}]}}}}))
        h.wait_ready_pods(NS, "app=web", 2)
        owner = h.owner(ip, timeout=60)
        body = h.wait_fetch(ip)
        print(f"pods Ready: {ip} answered by {owner}, {body!r}")
    finally:
        h.delete("namespace", NS)


if __name__ == "__main__":
    scenario(check)
