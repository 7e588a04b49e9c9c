#!/usr/bin/python3
"""cluster_tutorial_first_pool: the walk users follow, to the letter: MetalLB's example
manifest (config/samples/first-pool.yaml: pool first-pool = 192.168.2.130/28, L2Advertisement
`example`, Service my-lb on port 80) over a 2-replica ReplicaSet → `kubectl get svc my-lb`
shows EXTERNAL-IP 192.168.2.128 and one node takes it (ServiceL2Status). API only: that
address is not a documentation range, so no traffic is sent to it. Cleans up after itself."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SAMPLES, SYSTEM_NS, scenario, wait_for  # noqa: E402

SAMPLE = os.path.join(SAMPLES, "first-pool.yaml")


def check(h):
    try:
        h.backend("default", "my-lb", replicas=2, kind="ReplicaSet")
        h.apply_file(SAMPLE)
        h.wait_ready_pods("default", "app=my-lb", 2)
        ips = h.wait_ingress("default", "my-lb")
        if ips != ["192.168.2.128"]:
            raise AssertionError(f"my-lb got {ips}, want ['192.168.2.128']")
        line = h.kube.run("get", "svc", "my-lb", "-n", "default").stdout
        print(line)
        if "192.168.2.128" not in line.splitlines()[1].split()[3]:
            raise AssertionError("kubectl get svc does not show EXTERNAL-IP 192.168.2.128")
        nodes = {n["name"] for n in h.cluster.nodes}
        owner = wait_for(lambda: h.l2status_node("default", "my-lb"), 30, 0.2,
                         "a ServiceL2Status for default/my-lb")
        if owner not in nodes:
            raise AssertionError(f"ServiceL2Status names {owner}, not one of {sorted(nodes)}")
        print(h.kube.run("get", "servicel2statuses", "-n", SYSTEM_NS).stdout)
    finally:
        h.delete("-f", SAMPLE)
        h.delete("replicaset", "my-lb", "-n", "default")


if __name__ == "__main__":
    scenario(check)
