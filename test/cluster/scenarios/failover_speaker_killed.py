#!/usr/bin/python3
"""cluster_failover_speaker_killed: the speaker container on the node that answers for the
Service's IPv4 VIP is SIGKILLed. Another node takes the VIP over, the client's own neighbour
entry follows, pages keep coming, the kubelet restarts the container (through its probes,
Ready again) and no Service changes its IP. One trial with its timings printed
(test/bench/cluster_failover measures distributions)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import failover  # noqa: E402
from harness import SAMPLES, scenario  # noqa: E402


def prepare(h):
    """The sandbox Service over three backends (the tutorial scenario's objects)."""
    for f in ("sandbox-pool.yaml", "sandbox-backend.yaml", "sandbox-service.yaml"):
        h.apply_file(os.path.join(SAMPLES, f))
    h.wait_ready_pods("default", "app=hello", 3)
    ips = h.wait_ingress("default", "hello", count=2)
    return [ip for ip in ips if ":" not in ip][0]


def check(h):
    ip = prepare(h)
    before = h.all_ingress()
    r = failover.trial(h, "speaker", ip)
    print(f"speaker on {r['old']} killed: the client's neighbour entry for {ip} moved to "
          f"{r['new']} after {r['neigh_s'] * 1000:.0f} ms; longest gap between answered "
          f"requests {r['gap_s'] * 1000:.0f} ms (the old node still forwards while its kubelet "
          "restarts the speaker)")
    if h.all_ingress() != before:
        raise AssertionError(f"Service IPs changed: {before} -> {h.all_ingress()}")
    h.wait_fetch(ip)


if __name__ == "__main__":
    scenario(check)
