#!/usr/bin/python3
"""cluster_controller_leader_deleted: the controller replica holding the Lease is deleted
(`kubectl delete pod`); the standby replica takes the Lease over, a Service created afterwards
gets its EXTERNAL-IP from the new leader, and no existing Service changes its IP."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SYSTEM_NS, scenario, wait_for  # noqa: E402

NS = "leader-test"


def check(h):
    h.wait_ironlb_ready()
    leader = wait_for(h.controller_leader, 30, 0.2, "a controller holding the Lease")
    pods = [p["metadata"]["name"] for p in h.ironlb_pods("controller")]
    standby = [p for p in pods if p != leader]
    if leader not in pods or len(standby) != 1:
        raise AssertionError(f"Lease holder {leader!r}, controller pods {pods}")
    before = h.all_ingress()
    t0 = time.monotonic()
    h.kube.run("delete", "pod", "-n", SYSTEM_NS, leader, "--wait=false")
    wait_for(lambda: h.controller_leader() == standby[0], 60, 0.1,
             f"the standby {standby[0]} holding the Lease")
    took = time.monotonic() - t0
    print(f"leader {leader} deleted; standby {standby[0]} leads after {took * 1000:.0f} ms")
    h.namespace(NS)
    try:
        h.backend(NS, "after", replicas=1)
        h.lb_service(NS, "after", dual=False)
        ips = h.wait_ingress(NS, "after", timeout=60)
        print(f"a new Service got {ips} from the new leader")
        now = h.all_ingress()
        changed = {k: (v, now.get(k)) for k, v in before.items() if now.get(k) != v}
        if changed:
            raise AssertionError(f"Services changed IPs across the hand-over: {changed}")
    finally:
        h.delete("namespace", NS)
    h.wait_ironlb_ready()


if __name__ == "__main__":
    scenario(check)
