#!/usr/bin/python3
"""cluster_tutorial_client_fetches_page: the same walk on documentation ranges, where traffic
may flow: the sandbox sample pool and Service (config/samples/sandbox-*.yaml) over a
Deployment of the test web server → the Service gets an IPv4 and an IPv6 EXTERNAL-IP, and a
client on the node network fetches a page served by one of the pods through each, its own
kernel resolving the VIP to the node that the ServiceL2Status names. The objects stay: the
later scenarios use this Service."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SAMPLES, scenario, wait_for  # noqa: E402


def check(h):
    h.apply_file(os.path.join(SAMPLES, "sandbox-pool.yaml"))
    h.apply_file(os.path.join(SAMPLES, "sandbox-backend.yaml"))
    h.apply_file(os.path.join(SAMPLES, "sandbox-service.yaml"))
    pods = {p["metadata"]["name"] for p in h.wait_ready_pods("default", "app=hello", 3)}
    ips = h.wait_ingress("default", "hello", count=2)
    print(h.kube.run("get", "svc", "hello", "-n", "default").stdout)
    owner = wait_for(lambda: h.l2status_node("default", "hello"), 30, 0.2,
                     "a ServiceL2Status for default/hello")
    for ip in ips:
        body = h.wait_fetch(ip, timeout=30)
        served_by = body.removeprefix("hello from ")
        if served_by not in pods:
            raise AssertionError(f"{ip}: answer {body!r} is not from a pod of {sorted(pods)}")
        mac = h.neigh(ip)
        if h.node_of_mac(mac) != owner:
            raise AssertionError(f"{ip}: the client resolved {mac} ({h.node_of_mac(mac)}), "
                                 f"ServiceL2Status says {owner}")
        print(f"curl http://{ip}/ -> {body!r} (through {owner}, {mac})")


if __name__ == "__main__":
    scenario(check)
