#!/usr/bin/python3
"""cluster_daemons_use_cluster_identity: the daemons reach the API server the way pods should:
in-cluster configuration (no kubeconfig), as the chart's ServiceAccounts, with the projected
service-account token the kubelet mounts and rotates (bound to the pod; no long-lived token
Secret exists), and with the chart's RBAC only: no other binding names their accounts, and
the API server's audit log (every request of every service account since the cluster
started: all the scenarios so far) holds no request of theirs that was denied.

Rotation: the kubelet replaces a projected token by writing a new timestamped directory and
swapping the `..data` symlink. The scenario does exactly that in the volumes of the speaker
that owns the sandbox VIP and of the leading controller, with a fresh token bound to each
pod (what the kubelet would fetch), makes each daemon write (a ServiceL2Status to recreate, a
Service to assign), and finds those writes in the audit log under the new tokens' IDs."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import RELEASE, SYSTEM_NS, jwt_claims, scenario, wait_for  # noqa: E402

TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
NS = "identity-test"
# What the kubelet's atomic writer does for a projected volume: a new timestamped directory
# with every file, then ..data swapped to it in one rename. The new token comes on stdin.
ROTATE = r"""
set -eu
cd "$1"
new="..$(date +%Y_%m_%d_%H_%M_%S.%N)"
mkdir "$new"
cp ..data/ca.crt ..data/namespace "$new/"
cat > "$new/token"
ln -s "$new" ..data_tmp
mv -T ..data_tmp ..data
"""


def audit_events(h):
    with open(os.path.join(h.cluster.cp_state, "logs", "audit.log")) as f:
        for line in f:
            yield json.loads(line)


def rotate_token(h, pod, account):
    """Writes a fresh token bound to `pod` into its projected token volume, as the kubelet
    does; returns the token's ID (jti)."""
    meta, spec = pod["metadata"], pod["spec"]
    token = h.kube.run("create", "token", account, "-n", SYSTEM_NS, "--duration=1h",
                       "--bound-object-kind=Pod", f"--bound-object-name={meta['name']}",
                       f"--bound-object-uid={meta['uid']}").stdout.strip()
    mount = next(m for m in spec["containers"][0]["volumeMounts"] if m["mountPath"] == TOKEN_DIR)
    volume = os.path.join(h.cluster.node_dir(spec["nodeName"]), "kubelet", "pods", meta["uid"],
                          "volumes", "kubernetes.io~projected", mount["name"])
    h.cluster.node_exec(spec["nodeName"], ["sh", "-c", ROTATE, "rotate", volume], input=token)
    return jwt_claims(token)["jti"]


def used_with(h, account, pod_name, jti, since):
    """A request by `account` from `pod_name` authenticated with token `jti` after `since`."""
    user = f"system:serviceaccount:{SYSTEM_NS}:{account}"
    for e in audit_events(h):
        extra = e.get("user", {}).get("extra", {})
        if e["user"].get("username") == user and \
                extra.get("authentication.kubernetes.io/pod-name") == [pod_name] and \
                extra.get("authentication.kubernetes.io/credential-id") == [f"JTI={jti}"] and \
                e.get("stageTimestamp", "") >= since:
            return f"{e['verb']} {e.get('requestURI')} -> {e['responseStatus']['code']}"
    return None


def check_rotation(h):
    since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1))
    # The speaker that announces the sandbox Service: deleting its ServiceL2Status makes it
    # write a new one.
    status = next(s for s in h.kube.list("servicel2statuses", SYSTEM_NS)
                  if s["status"].get("serviceName") == "hello")
    node = status["status"]["node"]
    speaker = next(p for p in h.ironlb_pods("speaker") if p["spec"]["nodeName"] == node)
    jti = rotate_token(h, speaker, f"{RELEASE}-speaker")
    h.kube.run("delete", "servicel2status", "-n", SYSTEM_NS, status["metadata"]["name"])
    seen = wait_for(lambda: used_with(h, f"{RELEASE}-speaker", speaker["metadata"]["name"], jti,
                                      since), 60, 0.5,
                    f"the speaker on {node} writing with its rotated token")
    print(f"speaker {speaker['metadata']['name']}: rotated token used: {seen}")
    # The leading controller: a new Service makes it write a status.
    leader = h.controller_leader()
    controller = next(p for p in h.ironlb_pods("controller") if p["metadata"]["name"] == leader)
    jti = rotate_token(h, controller, f"{RELEASE}-controller")
    h.namespace(NS)
    try:
        h.lb_service(NS, "rotation", dual=False)
        h.wait_ingress(NS, "rotation")
        seen = wait_for(lambda: used_with(h, f"{RELEASE}-controller", leader, jti, since), 60,
                        0.5, "the controller writing with its rotated token")
        print(f"controller {leader}: rotated token used: {seen}")
    finally:
        h.delete("namespace", NS)


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
    check_rotation(h)


if __name__ == "__main__":
    scenario(check)
