#!/usr/bin/python3
"""cluster_helm_uninstall_cleans_up: `helm uninstall` removes everything ironlb made, the
chart's objects and those the daemons create at run time (the controller's Lease, the
speakers' ServiceL2Status objects, every component's ConfigurationState: all owned by what Helm
deletes, the Deployment or the Pods, so the garbage collector takes them even when a daemon
cannot clean up itself); the moment the release is gone no node
answers for the VIPs any more; the CRDs, and the pools in them, stay (as Helm does)."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from failover_speaker_killed import prepare  # noqa: E402
from harness import RELEASE, SYSTEM_NS, scenario, wait_for  # noqa: E402

NAMESPACED = ("pods", "daemonsets.apps", "deployments.apps", "replicasets.apps",
              "serviceaccounts", "secrets", "configmaps", "services", "roles", "rolebindings",
              "leases.coordination.k8s.io", "servicel2statuses.metallb.io",
              "configurationstates.metallb.io")
CLUSTER = ("clusterroles", "clusterrolebindings", "validatingadmissionpolicies",
           "validatingadmissionpolicybindings")
CRDS = ("ipaddresspools.metallb.io", "l2advertisements.metallb.io",
        "servicel2statuses.metallb.io", "configurationstates.metallb.io")
RUNTIME = ("servicel2statuses", "leases", "configurationstates")


def ironlb_objects(h):
    """Everything left in the cluster that ironlb (chart or daemons) made."""
    left = []
    for kind in NAMESPACED:
        for o in h.kube.list(kind, SYSTEM_NS):
            m = o["metadata"]
            if kind.startswith(RUNTIME) or "ironlb" in m["name"] or \
                    m.get("labels", {}).get("app.kubernetes.io/instance") == RELEASE:
                left.append(f"{kind}/{m['name']}")
    for kind in CLUSTER:
        for o in h.kube.list(kind):
            if "ironlb" in o["metadata"]["name"]:
                left.append(f"{kind}/{o['metadata']['name']}")
    return left


def check(h):
    prepare(h)
    ips = h.wait_ingress("default", "hello", count=2)   # the IPv4 and the IPv6 VIP
    h.wait_ironlb_ready()
    for ip in ips:
        h.owner(ip)
    made = ironlb_objects(h)
    runtime = [o for o in made if o.startswith(RUNTIME)]
    if len(runtime) < 2:
        raise AssertionError(f"expected the Lease and ServiceL2Status objects first: {made}")
    # One ConfigurationState per component, each owned by its Pod (docs/custom-resources.md).
    states = {o["metadata"]["name"]: o for o in
              h.kube.list("configurationstates.metallb.io", SYSTEM_NS)}
    pods = {p["metadata"]["uid"] for p in h.kube.list("pods", SYSTEM_NS)}
    if "controller" not in states or not any(n.startswith("speaker-") for n in states):
        raise AssertionError(f"expected the controller's and the speakers' ConfigurationStates: "
                             f"{sorted(states)}")
    for name, o in states.items():
        owners = [r["uid"] for r in o["metadata"].get("ownerReferences", [])
                  if r.get("kind") == "Pod"]
        if len(owners) != 1 or owners[0] not in pods:
            raise AssertionError(f"ConfigurationState {name} is not owned by a running Pod: "
                                 f"{o['metadata'].get('ownerReferences')}")
        if o.get("status", {}).get("result") != "Valid":
            raise AssertionError(f"ConfigurationState {name}: {o.get('status')}")
    t0 = time.monotonic()
    h.helm("uninstall", RELEASE, "-n", SYSTEM_NS, "--wait", "--timeout", "180s")
    took = time.monotonic() - t0
    for ip in ips:
        macs = h.answers(ip)
        if macs:
            raise AssertionError(f"{ip} still answered by {macs} after helm uninstall")
    print(f"helm uninstall took {took:.1f} s; right after, no node answers for {ips}")
    # The garbage collector removes the owned run-time objects shortly after their owners.
    try:
        wait_for(lambda: not ironlb_objects(h), 60, 0.5, "nothing of ironlb left")
    except TimeoutError:
        raise AssertionError(f"left after uninstall: {ironlb_objects(h)}") from None
    print(f"removed: {len(made)} objects, {runtime} among them")
    for crd in CRDS:
        if h.kube.get("crd", crd) is None:
            raise AssertionError(f"CRD {crd} was removed")
    if h.kube.get("ipaddresspools.metallb.io", "sandbox", SYSTEM_NS) is None:
        raise AssertionError("the pool sandbox went with the release")
    print(f"kept: the CRDs {', '.join(CRDS)} and the pools in them")


if __name__ == "__main__":
    scenario(check)
