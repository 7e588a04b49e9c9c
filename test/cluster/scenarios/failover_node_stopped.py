#!/usr/bin/python3
"""cluster_failover_node_stopped: the node that answers for the Service's IPv4 VIP dies: its
cable is cut and every process on it (kubelet, containerd, kube-proxy, its pods) is killed.
Another node takes the VIP over, the client's neighbour entry follows and the client gets
pages again (from the pods on live nodes) long before Kubernetes notices the node is gone.
Then the node boots again, rejoins, and no Service has changed its IP. One trial with its
timings printed (test/bench/cluster_failover measures distributions and Kubernetes' part)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import failover  # noqa: E402
from failover_speaker_killed import prepare  # noqa: E402
from harness import scenario  # noqa: E402


def check(h):
    ip = prepare(h)
    before = h.all_ingress()
    r = failover.trial(h, "node", ip)
    print(f"{r['old']} stopped: the client's neighbour entry for {ip} moved to {r['new']} "
          f"after {r['neigh_s'] * 1000:.0f} ms, first page after "
          f"{r['first_ok_s'] * 1000:.0f} ms; {r['old']} booted again and rejoined")
    h.wait_ready_pods("default", "app=hello", 3)
    if h.all_ingress() != before:
        raise AssertionError(f"Service IPs changed: {before} -> {h.all_ingress()}")
    h.wait_fetch(ip)


if __name__ == "__main__":
    scenario(check)
