#!/usr/bin/python3
"""Checks on `helm template` output of the ironlb chart.

    render_checks.py default RENDERED.yaml REPO_ROOT
    render_checks.py custom  RENDERED.yaml REPO_ROOT

"default" is the chart with its default values (release ironlb, namespace metallb-system);
"custom" is custom-values.yaml beside this file (release ironlb, namespace metallb-system).
Prints one PASS/FAIL line per check; exits 1 if any failed.
"""

import glob
import os
import sys

import yaml

RELEASE = "ironlb"
NS = "metallb-system"

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok)))
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok or not detail else ": " + str(detail)))


def load(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def find(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs, kind, name):
    found = find(docs, kind, name)
    check("one %s %s" % (kind, name), len(found) == 1, "found %d" % len(found))
    return found[0] if found else None


def container(workload):
    return workload["spec"]["template"]["spec"]["containers"][0]


def env_sources(c):
    return {e["name"]: e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") for e in c.get("env", [])}


def rules_of(role):
    """Rules as a set of (group, resource, verb, resourceName-or-'') tuples."""
    out = set()
    for r in role.get("rules", []):
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                for v in r.get("verbs", []):
                    for n in r.get("resourceNames", [""]):
                        out.add((g, res, v, n))
    return out


def expand(group, resources, verbs, names=("",)):
    return {(group, r, v, n) for r in resources for v in verbs for n in names}


READ = ["get", "list", "watch"]


def expected_rbac():
    ctrl_cluster = (
        expand("", ["services", "namespaces"], READ)
        | expand("", ["services/status"], ["update"])
        | expand("", ["events"], ["create", "patch"])
        | expand("authentication.k8s.io", ["tokenreviews"], ["create"])
        | expand("authorization.k8s.io", ["subjectaccessreviews"], ["create"])
    )
    ctrl_ns = (
        expand("metallb.io", ["ipaddresspools", "l2advertisements"], READ)
        | expand("metallb.io", ["bgppeers", "bgpadvertisements", "bfdprofiles", "communities"], READ)
        | expand("metallb.io", ["ipaddresspools"], ["patch"])
        | expand("metallb.io", ["ipaddresspools/status"], ["patch"])
        | expand("coordination.k8s.io", ["leases"], ["create"])
        | expand("coordination.k8s.io", ["leases"], ["get", "update", "watch"], ["ironlb-controller"])
        | expand("apps", ["deployments"], ["get"], ["ironlb-controller"])
        | expand("metallb.io", ["configurationstates"], ["get", "create", "update"])
        | expand("metallb.io", ["configurationstates/status"], ["update"])
        # The memberlist Secret the controller creates when absent (docs/membership.md).
        | expand("", ["secrets"], ["create"])
        | expand("", ["secrets"], ["get"], ["ironlb-memberlist"])
    )
    spk_cluster = (
        expand("", ["services", "nodes", "namespaces"], READ)
        | expand("discovery.k8s.io", ["endpointslices"], READ)
        | expand("", ["events"], ["create", "patch"])
        | expand("authentication.k8s.io", ["tokenreviews"], ["create"])
        | expand("authorization.k8s.io", ["subjectaccessreviews"], ["create"])
    )
    spk_ns = (
        expand("metallb.io", ["ipaddresspools", "l2advertisements"], READ)
        | expand("metallb.io", ["servicel2statuses"], READ + ["create", "delete"])
        | expand("metallb.io", ["servicel2statuses/status"], ["update"])
        # BGP mode (docs/bgp.md); no Secret access yet.
        | expand("metallb.io", ["bgppeers", "bgpadvertisements", "bfdprofiles", "communities"], READ)
        | expand("metallb.io", ["servicebgpstatuses"], READ + ["create", "update", "patch", "delete"])
        | expand("metallb.io", ["servicebgpstatuses/status"], ["update", "patch"])
        | expand("metallb.io", ["configurationstates"], ["get", "create", "update"])
        | expand("metallb.io", ["configurationstates/status"], ["update"])
    )
    return ctrl_cluster, ctrl_ns, spk_cluster, spk_ns


def check_common_security(ctrl, spk):
    cpod = ctrl["spec"]["template"]["spec"]
    c = container(ctrl)
    check("controller: pod runAsNonRoot", cpod["securityContext"].get("runAsNonRoot") is True)
    check("controller: pod runAsUser is not root", cpod["securityContext"].get("runAsUser", 0) != 0)
    check(
        "controller: seccomp RuntimeDefault",
        cpod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
    )
    sc = c["securityContext"]
    check("controller: allowPrivilegeEscalation false", sc.get("allowPrivilegeEscalation") is False)
    check("controller: readOnlyRootFilesystem", sc.get("readOnlyRootFilesystem") is True)
    check("controller: drops ALL capabilities", sc.get("capabilities", {}).get("drop") == ["ALL"])
    check("controller: adds no capability", not sc.get("capabilities", {}).get("add"))
    check("controller: not hostNetwork", not cpod.get("hostNetwork"))
    check("controller: not privileged", not sc.get("privileged"))

    spod = spk["spec"]["template"]["spec"]
    s = container(spk)
    ssc = s["securityContext"]
    check("speaker: hostNetwork", spod.get("hostNetwork") is True)
    check("speaker: dnsPolicy ClusterFirstWithHostNet", spod.get("dnsPolicy") == "ClusterFirstWithHostNet")
    check("speaker: capabilities add exactly NET_RAW", ssc.get("capabilities", {}).get("add") == ["NET_RAW"],
          ssc.get("capabilities"))
    check("speaker: drops ALL capabilities", ssc.get("capabilities", {}).get("drop") == ["ALL"])
    check("speaker: allowPrivilegeEscalation false", ssc.get("allowPrivilegeEscalation") is False)
    check("speaker: readOnlyRootFilesystem", ssc.get("readOnlyRootFilesystem") is True)
    check("speaker: not privileged", not ssc.get("privileged"))
    check("speaker: seccomp RuntimeDefault",
          spod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault")
    check("speaker: no hostPID/hostIPC", not spod.get("hostPID") and not spod.get("hostIPC"))
    check("speaker: no hostPath volumes", all("hostPath" not in v for v in spod.get("volumes", [])))

    env = env_sources(s)
    check("speaker: NODE_NAME from spec.nodeName", env.get("NODE_NAME") == "spec.nodeName", env)
    check("speaker: NODE_IP from status.hostIP", env.get("NODE_IP") == "status.hostIP", env)
    check("speaker: POD_NAMESPACE from metadata.namespace", env.get("POD_NAMESPACE") == "metadata.namespace", env)
    check("speaker: POD_NAME and POD_UID (owner of its ServiceL2Status objects) from the downward API",
          env.get("POD_NAME") == "metadata.name" and env.get("POD_UID") == "metadata.uid", env)
    cenv = env_sources(c)
    check("controller: POD_NAME and POD_NAMESPACE from the downward API",
          cenv.get("POD_NAME") == "metadata.name" and cenv.get("POD_NAMESPACE") == "metadata.namespace", cenv)

    for name, w, port in (("controller", c, 7472), ("speaker", s, 7472)):
        ports = {p["name"]: (p["containerPort"], p.get("protocol", "TCP")) for p in w["ports"]}
        check("%s: monitoring port %d/TCP" % (name, port), ports.get("monitoring") == (port, "TCP"), ports)
        check("%s: probes port 7473/TCP" % name, ports.get("probes") == (7473, "TCP"), ports)
        check("%s: liveness GET /healthz on probes" % name,
              w["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "probes"})
        check("%s: readiness GET /readyz on probes" % name,
              w["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "probes"})
        check("%s: --metrics-address on the monitoring port" % name,
              "--metrics-address=0.0.0.0:%d" % port in w["args"], w["args"])
        check("%s: --probe-address on the probes port" % name,
              "--probe-address=0.0.0.0:7473" in w["args"], w["args"])
        check("%s: secure metrics by default (no --metrics-insecure)" % name,
              "--metrics-insecure" not in w["args"], w["args"])
        check("%s: --namespace from the downward API" % name, "--namespace=$(POD_NAMESPACE)" in w["args"])
    check("controller: the Lease is owned by its Deployment",
          "--lease-owner-deployment=ironlb-controller" in c["args"], c["args"])
    check("speaker: memberlist port 7946/UDP",
          {"name": "memberlist", "containerPort": 7946, "protocol": "UDP"} in s["ports"])
    for a in ("--node-name=$(NODE_NAME)", "--memberlist-address=$(NODE_IP)", "--memberlist-port=7946"):
        check("speaker: arg %s" % a, a in s["args"], s["args"])

    # The key file the speaker is told to read is where the Secret is mounted.
    keyfile = [a.split("=", 1)[1] for a in s["args"] if a.startswith("--memberlist-key-file=")]
    mounts = {m["name"]: m["mountPath"] for m in s.get("volumeMounts", [])}
    vol = [v for v in spod["volumes"] if v["name"] == "memberlist"]
    ok = (
        len(keyfile) == 1
        and vol
        and keyfile[0] == mounts.get("memberlist", "") + "/" + vol[0]["secret"]["items"][0]["path"]
        and vol[0]["secret"]["items"][0]["key"] == "secretkey"
    )
    check("speaker: --memberlist-key-file is the mounted Secret key secretkey", ok, (keyfile, mounts, vol))
    return vol[0]["secret"]["secretName"] if vol else None


def check_crds(docs, root):
    crds = find(docs, "CustomResourceDefinition")
    names = sorted(d["metadata"]["name"] for d in crds)
    want = sorted(load(p)[0]["metadata"]["name"] for p in glob.glob(os.path.join(root, "crds", "*.yaml")))
    check("CRDs: exactly those of crds/", names == want, names)
    check("CRDs: the L2 kinds and ConfigurationState",
          {"ipaddresspools.metallb.io", "l2advertisements.metallb.io",
           "servicel2statuses.metallb.io", "configurationstates.metallb.io"} <= set(names), names)
    for path in sorted(glob.glob(os.path.join(root, "crds", "*.yaml"))):
        src = load(path)[0]
        got = find(docs, "CustomResourceDefinition", src["metadata"]["name"])
        check("CRD %s: spec identical to crds/" % src["metadata"]["name"],
              got and got[0]["spec"] == src["spec"])
        if got:
            check("CRD %s: kept on uninstall" % src["metadata"]["name"],
                  got[0]["metadata"].get("annotations", {}).get("helm.sh/resource-policy") == "keep")
    check("CRDs: the BGP kinds (docs/bgp.md)",
          {"bgppeers.metallb.io", "bgpadvertisements.metallb.io", "bfdprofiles.metallb.io",
           "communities.metallb.io", "servicebgpstatuses.metallb.io"} <= set(names), names)


def check_rbac(docs):
    ctrl_cluster, ctrl_ns, spk_cluster, spk_ns = expected_rbac()
    cr_c = one(docs, "ClusterRole", NS + ":ironlb-controller")
    cr_s = one(docs, "ClusterRole", NS + ":ironlb-speaker")
    r_c = one(docs, "Role", "ironlb-controller")
    r_s = one(docs, "Role", "ironlb-speaker")
    for name, role, want in (
        ("controller ClusterRole", cr_c, ctrl_cluster),
        ("controller Role", r_c, ctrl_ns),
        ("speaker ClusterRole", cr_s, spk_cluster),
        ("speaker Role", r_s, spk_ns),
    ):
        got = rules_of(role) if role else set()
        check("RBAC %s: exactly the expected rules" % name, got == want,
              "extra %s missing %s" % (sorted(got - want), sorted(want - got)))
    for role in (r_c, r_s):
        if role:
            check("RBAC Role %s in the release namespace" % role["metadata"]["name"],
                  role["metadata"].get("namespace") == NS)
    reader = one(docs, "ClusterRole", NS + ":ironlb-metrics-reader")
    if reader:
        check("RBAC metrics-reader: get on the non-resource URL /metrics only",
              reader["rules"] == [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}],
              reader["rules"])
    everything = set()
    for role in (cr_c, cr_s, r_c, r_s):
        everything |= rules_of(role) if role else set()
    check("RBAC: no wildcard", not [r for r in everything if "*" in r])
    check("RBAC: no Secret access for the speaker (the key is a mounted file)",
          not [r for r in rules_of(cr_s or {}) | rules_of(r_s or {}) if r[1] == "secrets"])
    check("RBAC: the controller reads no Secret but the memberlist one, updates none",
          not [r for r in everything if r[1] == "secrets" and not (
              (r[2] == "get" and r[3] == "ironlb-memberlist") or (r[2] == "create" and r[3] == ""))])
    check("RBAC: no write to a Service spec",
          not [r for r in everything if r[1] == "services" and r[2] not in READ])
    for kind, name, sa in (
        ("ClusterRoleBinding", NS + ":ironlb-controller", "ironlb-controller"),
        ("ClusterRoleBinding", NS + ":ironlb-speaker", "ironlb-speaker"),
        ("RoleBinding", "ironlb-controller", "ironlb-controller"),
        ("RoleBinding", "ironlb-speaker", "ironlb-speaker"),
    ):
        b = one(docs, kind, name)
        if b:
            check("%s %s binds ServiceAccount %s/%s" % (kind, name, NS, sa),
                  b["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": NS}], b["subjects"])
            check("%s %s refers to its role" % (kind, name), b["roleRef"]["name"] == name)


def default(docs, root):
    ctrl = one(docs, "Deployment", "ironlb-controller")
    spk = one(docs, "DaemonSet", "ironlb-speaker")
    one(docs, "ServiceAccount", "ironlb-controller")
    one(docs, "ServiceAccount", "ironlb-speaker")
    if not ctrl or not spk:
        return
    secret_name = check_common_security(ctrl, spk)
    c, s = container(ctrl), container(spk)
    for a in ("--leader-elect=true", "--lease-name=ironlb-controller", "--identity=$(POD_NAME)",
              "--log-level=info", "--log-format=text"):
        check("controller: arg %s" % a, a in c["args"], c["args"])
    for a in ("--log-level=info", "--log-format=text"):
        check("speaker: arg %s" % a, a in s["args"], s["args"])
    check("no --lb-class by default", not [a for a in c["args"] + s["args"] if a.startswith("--lb-class")])
    check("speaker: no --exclude-interfaces by default (daemon default list)",
          not [a for a in s["args"] if a.startswith("--exclude-interfaces")])
    check("speaker: no --ignore-exclude-lb by default", not [a for a in s["args"] if "ignore-exclude-lb" in a])
    check("speaker: unsealed membership accepted by default (rolling upgrades)",
          not [a for a in s["args"] if "require-sealed" in a])
    check("controller: 1 replica", ctrl["spec"]["replicas"] == 1)
    check("controller: ServiceAccount ironlb-controller",
          ctrl["spec"]["template"]["spec"]["serviceAccountName"] == "ironlb-controller")
    check("speaker: ServiceAccount ironlb-speaker",
          spk["spec"]["template"]["spec"]["serviceAccountName"] == "ironlb-speaker")
    check("image ironlb/ironlb:0.1.0 IfNotPresent",
          c["image"] == s["image"] == "ironlb/ironlb:0.1.0" and c["imagePullPolicy"] == "IfNotPresent")
    tol = spk["spec"]["template"]["spec"].get("tolerations", [])
    for key in ("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"):
        check("speaker tolerates %s (tolerateMaster)" % key,
              {"key": key, "operator": "Exists", "effect": "NoSchedule"} in tol, tol)
    check("controller does not tolerate control-plane taints",
          not ctrl["spec"]["template"]["spec"].get("tolerations"))
    for w in (ctrl, spk):
        check("%s: nodeSelector kubernetes.io/os=linux" % w["kind"],
              w["spec"]["template"]["spec"].get("nodeSelector") == {"kubernetes.io/os": "linux"})
    check("resources set by default", "requests" in c.get("resources", {}) and "requests" in s.get("resources", {}))

    check("speaker mounts Secret ironlb-memberlist", secret_name == "ironlb-memberlist")
    check("no memberlist Secret rendered (the controller creates it at run time)", not find(docs, "Secret"))
    check("controller: --memberlist-secret-name=ironlb-memberlist",
          "--memberlist-secret-name=ironlb-memberlist" in c["args"], c["args"])
    mvol = [v for v in spk["spec"]["template"]["spec"]["volumes"] if v["name"] == "memberlist"]
    check("speaker: memberlist Secret volume optional (it may appear after the pod starts)",
          mvol and mvol[0]["secret"].get("optional") is True, mvol)
    check_crds(docs, root)
    check_rbac(docs)
    for kind in ("Namespace", "ServiceMonitor", "PodMonitor"):
        check("no %s by default" % kind, not find(docs, kind))
    # docs/webhook.md: the webhook's Service is the only one by default; its configuration ships
    # without caBundle, fails open, and reaches only the install namespace's metallb.io objects.
    check("only the webhook Service by default",
          [d["metadata"]["name"] for d in find(docs, "Service")] == ["ironlb-webhook"])
    vwc = one(docs, "ValidatingWebhookConfiguration", NS + "-ironlb-webhook")
    if vwc:
        hook = vwc["webhooks"][0]
        check("webhook: failurePolicy Ignore, timeout 5 s",
              (hook["failurePolicy"], hook["timeoutSeconds"]) == ("Ignore", 5))
        check("webhook: no caBundle in the chart", "caBundle" not in hook["clientConfig"])
        check("webhook: metallb.io configuration kinds only (BGPPeer in both versions)",
              [(r["apiGroups"], r["apiVersions"], r["resources"]) for r in hook["rules"]]
              == [(["metallb.io"], ["v1beta1"],
                   ["ipaddresspools", "l2advertisements", "bgpadvertisements", "bfdprofiles",
                    "communities"]),
                  (["metallb.io"], ["v1beta2", "v1beta1"], ["bgppeers"])])
        check("webhook: install namespace only",
              hook["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": NS}})
    for d in docs:
        if d["metadata"].get("namespace") not in (None, NS):
            check("%s %s in the release namespace" % (d["kind"], d["metadata"]["name"]), False)


def custom(docs, root):
    ctrl = one(docs, "Deployment", "ironlb-controller")
    spk = one(docs, "DaemonSet", "ironlb-speaker")
    if not ctrl or not spk:
        return
    secret_name = check_common_security(ctrl, spk)
    c, s = container(ctrl), container(spk)
    for name, w in (("controller", c), ("speaker", s)):
        for a in ("--lb-class=example.com/ironlb", "--log-level=debug", "--log-format=json"):
            check("%s: arg %s (values wiring)" % (name, a), a in w["args"], w["args"])
        check("%s: image and pull policy" % name,
              w["image"] == "registry.example/ironlb:1.2.3" and w["imagePullPolicy"] == "Always")
    check("controller: extraArgs appended", c["args"][-1] == "--example-flag=1", c["args"])
    check("controller: 2 replicas", ctrl["spec"]["replicas"] == 2)
    check("controller: resources from values", c["resources"] == {"limits": {"cpu": "1", "memory": "512Mi"},
                                                                   "requests": {"cpu": "100m", "memory": "128Mi"}})
    # Helm merges maps: the chart's default memory limit stays unless the user nulls it.
    check("speaker: resources from values", s["resources"] == {"requests": {"cpu": "50m", "memory": "64Mi"},
                                                               "limits": {"memory": "256Mi"}}, s["resources"])
    check("speaker: --exclude-interfaces joined", "--exclude-interfaces=^eth9$,^wg" in s["args"], s["args"])
    check("speaker: --ignore-exclude-lb=true", "--ignore-exclude-lb=true" in s["args"], s["args"])
    check("speaker: --memberlist-require-sealed=true", "--memberlist-require-sealed=true" in s["args"],
          s["args"])
    tol = spk["spec"]["template"]["spec"].get("tolerations", [])
    check("speaker: no control-plane toleration with tolerateMaster=false",
          not [t for t in tol if "node-role" in t.get("key", "")], tol)
    for w in (ctrl, spk):
        ps = w["spec"]["template"]["spec"]
        check("%s: global toleration" % w["kind"],
              {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"} in ps.get("tolerations", []))
        check("%s: global nodeSelector merged" % w["kind"],
              ps.get("nodeSelector") == {"kubernetes.io/os": "linux", "disk": "ssd"}, ps.get("nodeSelector"))
    check("speaker: existing memberlist Secret used", secret_name == "my-memberlist-key")
    check("no generated memberlist Secret with existingSecret", not find(docs, "Secret"))
    check("controller: no --memberlist-secret-name with existingSecret",
          not [a for a in c["args"] if a.startswith("--memberlist-secret-name")], c["args"])
    check("crds.enabled=false: no CRDs", not find(docs, "CustomResourceDefinition"))
    for kind in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"):
        check("rbac.create=false: no %s" % kind, not find(docs, kind))
    nsobj = one(docs, "Namespace", NS)
    if nsobj:
        check("Namespace: Pod Security privileged (hostNetwork + NET_RAW)",
              nsobj["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") == "privileged")
    for comp in ("controller", "speaker"):
        svc = one(docs, "Service", "ironlb-%s-metrics" % comp)
        if svc:
            check("metrics Service %s: headless, port monitoring 7472" % comp,
                  svc["spec"]["clusterIP"] == "None"
                  and svc["spec"]["ports"][0]["port"] == 7472
                  and svc["spec"]["ports"][0]["targetPort"] == "monitoring"
                  and svc["spec"]["selector"]["app.kubernetes.io/component"] == comp)
        sm = one(docs, "ServiceMonitor", "ironlb-" + comp)
        if sm:
            ep = sm["spec"]["endpoints"][0]
            check("ServiceMonitor %s: https, Prometheus' token, self-signed certificate" % comp,
                  ep.get("scheme") == "https"
                  and ep.get("bearerTokenFile") == "/var/run/secrets/kubernetes.io/serviceaccount/token"
                  and ep.get("tlsConfig") == {"insecureSkipVerify": True}, ep)
            check("ServiceMonitor %s: labels, port, interval" % comp,
                  sm["metadata"]["labels"].get("release") == "prometheus"
                  and sm["spec"]["endpoints"][0]["port"] == "monitoring"
                  and sm["spec"]["endpoints"][0]["interval"] == "15s"
                  and sm["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == comp)
        pm = one(docs, "PodMonitor", "ironlb-" + comp)
        if pm:
            check("PodMonitor %s: https" % comp,
                  pm["spec"]["podMetricsEndpoints"][0].get("scheme") == "https")
            check("PodMonitor %s: port monitoring" % comp,
                  pm["spec"]["podMetricsEndpoints"][0]["port"] == "monitoring"
                  and pm["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == comp)


def main():
    mode, path, root = sys.argv[1], sys.argv[2], sys.argv[3]
    docs = load(path)
    {"default": default, "custom": custom}[mode](docs, root)
    failed = sum(1 for _, ok in results if not ok)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
