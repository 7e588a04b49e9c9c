#!/usr/bin/python3
"""cluster_daemons_use_cluster_identity: the daemons reach the API server the way pods should:
in-cluster configuration (no kubeconfig), as the chart's ServiceAccounts, with the projected
service-account token the kubelet mounts and rotates (bound to the pod; no long-lived token
Secret exists), and with the chart's RBAC only: no other binding names their accounts, and
the API server's audit log (every request of every service account since the cluster
started: all the scenarios so far) holds no request of theirs that was denied."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import RELEASE, SYSTEM_NS, scenario  # noqa: E402

TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def check(h):
    h.wait_ironlb_ready()
    accounts = {f"{RELEASE}-controller", f"{RELEASE}-speaker"}
    for p in h.ironlb_pods():
        name, spec = p["metadata"]["name"], p["spec"]
        if spec.get("serviceAccountName") not in accounts:
            raise AssertionError(f"{name} runs as {spec.get('serviceAccountName')}")
        c = spec["containers"][0]
        if any(a.startswith("--kubeconfig") for a in c.get("args", []) + c.get("command", [])):
            raise AssertionError(f"{name} is given a kubeconfig: {c.get('args')}")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        volume = next((v for v in spec.get("volumes", []) if v["name"] == mounts.get(TOKEN_DIR)),
                      None)
        sources = (volume or {}).get("projected", {}).get("sources", [])
        token = next((s["serviceAccountToken"] for s in sources if "serviceAccountToken" in s),
                     None)
        if token is None or not token.get("expirationSeconds"):
            raise AssertionError(f"{name}: {TOKEN_DIR} is not a projected, expiring token: "
                                 f"{volume}")
        log = h.kube.run("logs", "-n", SYSTEM_NS, name, check=False).stdout
        if "controller" in name and 'api="in-cluster service account"' not in log:
            raise AssertionError(f"{name} does not say it uses the in-cluster account")
    secrets = [s["metadata"]["name"] for s in h.kube.list("secrets", SYSTEM_NS)
               if s.get("type") == "kubernetes.io/service-account-token"]
    if secrets:
        raise AssertionError(f"long-lived service-account token Secrets exist: {secrets}")

    subjects = {f"system:serviceaccount:{SYSTEM_NS}:{a}" for a in accounts}
    bindings = []
    for kind in ("clusterrolebindings", "rolebindings"):
        bindings += json.loads(h.kube.run("get", kind, "-A", "-o", "json").stdout)["items"]
    for b in bindings:
        named = [s for s in b.get("subjects") or [] if s.get("kind") == "ServiceAccount" and
                 f"system:serviceaccount:{s.get('namespace')}:{s['name']}" in subjects]
        chart = b["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == RELEASE
        if named and not chart:
            raise AssertionError(f"{b['kind']} {b['metadata']['name']} grants {named} "
                                 "outside the chart")

    audit = os.path.join(h.cluster.cp_state, "logs", "audit.log")
    requests, denied, pods = 0, [], set()
    with open(audit) as f:
        for line in f:
            e = json.loads(line)
            if e.get("user", {}).get("username") not in subjects:
                continue
            requests += 1
            extra = e["user"].get("extra", {})
            bound = extra.get("authentication.kubernetes.io/pod-name")
            if not bound:
                raise AssertionError(f"a request not made with a pod-bound token: {e}")
            pods.add(bound[0])
            # Denied by authorization (RBAC), not other 403s such as a write into a namespace
            # being deleted.
            code = e.get("responseStatus", {}).get("code", 0)
            if code == 401 or e.get("annotations", {}).get(
                    "authorization.k8s.io/decision") == "forbid":
                denied.append(f"{e['verb']} {e.get('requestURI')} -> {code}")
    if requests == 0:
        raise AssertionError(f"no request of {sorted(subjects)} in {audit}")
    if denied:
        raise AssertionError(f"{len(denied)} denied requests, e.g. {denied[:5]}")
    print(f"{requests} requests by {sorted(subjects)} from {len(pods)} pods, all with "
          "pod-bound projected tokens, none denied; no other binding names these accounts")


if __name__ == "__main__":
    scenario(check)
