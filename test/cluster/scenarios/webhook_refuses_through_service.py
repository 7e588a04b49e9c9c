#!/usr/bin/python3
"""cluster_webhook_refuses_through_service: the chart's admission webhook on a real cluster, the
way users get it (docs/webhook.md): the API server calls the controller through the
<release>-webhook Service, trusting the caBundle the controller patched in; `kubectl apply` of a
pool overlapping the installed one is refused with both pools and the range named, a disjoint
pool is accepted. Runs after helm_install_ready (ironlb installed, controllers Ready: Ready
includes the caBundle patched). Cleans up after itself."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import RELEASE, SYSTEM_NS, scenario, wait_for  # noqa: E402


def pool(name, addresses):
    return json.dumps({"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
                       "metadata": {"name": name, "namespace": SYSTEM_NS},
                       "spec": {"addresses": addresses}})


def check(h):
    h.wait_ironlb_ready()
    vwc = h.kube.get("validatingwebhookconfiguration", f"{SYSTEM_NS}-{RELEASE}-webhook")
    if not vwc or not vwc["webhooks"][0]["clientConfig"].get("caBundle"):
        raise AssertionError("the controller did not patch the caBundle")
    if "service" not in vwc["webhooks"][0]["clientConfig"]:
        raise AssertionError("the chart's configuration does not call the Service")
    try:
        h.kube.run("apply", "-f", "-", input=pool("wh-first", ["198.51.100.200/29"]))

        # The Service's endpoints may lag the controller's readiness for a moment.
        def refused():
            r = h.kube.run("apply", "-f", "-", input=pool("wh-second", ["198.51.100.204/30"]),
                           check=False)
            if r.returncode == 0:
                h.delete("ipaddresspool", "wh-second", "-n", SYSTEM_NS)
                return None
            return r.stderr
        out = wait_for(refused, 60, 1.0, "the webhook to refuse an overlapping pool")
        print(out)
        for part in (f"IPAddressPool {SYSTEM_NS}/wh-second", f"IPAddressPool {SYSTEM_NS}/wh-first",
                     '"198.51.100.204/30" overlaps "198.51.100.200/29"'):
            if part not in out:
                raise AssertionError(f"the refusal does not name {part!r}: {out}")
        h.kube.run("apply", "-f", "-", input=pool("wh-second", ["198.51.100.208/30"]))
    finally:
        h.delete("ipaddresspool", "wh-first", "wh-second", "-n", SYSTEM_NS)


if __name__ == "__main__":
    scenario(check)
