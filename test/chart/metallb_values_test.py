#!/usr/bin/python3
"""MetalLB chart values (v0.16) given to ironlb's chart, rendered by the real Helm.

    metallb_values_test.py HELM REPO_ROOT SCENARIO

SCENARIO (one ctest each, docs/metallb-chart-values.md):
  render            helm lint + helm template of the MetalLB-shaped files in metallb-values/;
                    each mapped value lands where ironlb reads it.
  ignored_reported  the keys without an ironlb meaning (and unknown keys) are listed in
                    NOTES.txt, the install still renders, and files without such keys list none.
  fail_on_ignored   metallbCompat.failOnIgnored=true turns that list into the install's error.
  schema            the schema takes MetalLB's shapes but still refuses nonsense, naming it.
Prints one PASS/FAIL line per check; exits 1 if any failed.
"""

import os
import sys

import yaml

import chartlib
from chartlib import NS, args_of, check, expect, helm, listed, main_container, notes, one, pod, render

ROOT, SCENARIO = sys.argv[2], sys.argv[3]
chartlib.setup(sys.argv[1], ROOT)
VALUES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metallb-values")


def values(name):
    return os.path.join(VALUES, name + ".yaml")


# ---- render ------------------------------------------------------------------------------------
def scenario_render():
    for f in ("full-v0.16", "l2-small"):
        rc, out, err = helm("lint", "-f", values(f))
        check("helm lint -f %s.yaml" % f, rc == 0, out + err)
        check("helm lint -f %s.yaml prints no coalesce warning" % f, "warning" not in (out + err).lower(),
              err)

    docs = render("-f", values("full-v0.16"))
    ctrl = one(docs, "Deployment", "edge-lb-controller")  # fullnameOverride
    spk = one(docs, "DaemonSet", "edge-lb-speaker")
    ca, sa = args_of(ctrl), args_of(spk)
    check("controller.logLevel=debug -> --log-level=debug", "--log-level=debug" in ca, ca)
    check("speaker.logLevel=warn -> --log-level=warn", "--log-level=warn" in sa, sa)
    check("loadBalancerClass -> --lb-class", "--lb-class=example.com/edge" in ca and "--lb-class=example.com/edge" in sa)
    check("speaker.memberlist.mlBindPort=7947 -> --memberlist-port=7947", "--memberlist-port=7947" in sa, sa)
    ports = {p["name"]: p for p in main_container(spk).get("ports", [])}
    expect("speaker memberlist containerPort", ports.get("memberlist", {}).get("containerPort"), 7947)
    expect("speaker monitoring containerPort (prometheus.metricsPort)", ports.get("monitoring", {}).get("containerPort"), 9120)
    check("prometheus.metricsPort=9120 -> both --metrics-address", "--metrics-address=0.0.0.0:9120" in ca
          and "--metrics-address=0.0.0.0:9120" in sa)
    check("speaker.excludeInterfaces.enabled=false -> exclude nothing", "--exclude-interfaces=^$" in sa, sa)
    check("speaker.ignoreExcludeLB -> --ignore-exclude-lb=true", "--ignore-exclude-lb=true" in sa)
    for who, w, secret in (("controller", ctrl, "edge-controller-metrics-cert"), ("speaker", spk, "edge-speaker-metrics-cert")):
        a = args_of(w)
        check("tls.%sMetricsTLSSecret -> --tls-cert-file/--tls-key-file" % who,
              "--tls-cert-file=/etc/ironlb/metrics-tls/tls.crt" in a and "--tls-key-file=/etc/ironlb/metrics-tls/tls.key" in a, a)
        vols = {v["name"]: v for v in pod(w)["spec"].get("volumes", [])}
        expect("%s metrics-tls volume secret" % who, vols.get("metrics-tls", {}).get("secret", {}).get("secretName"), secret)
        mounts = {m["name"]: m["mountPath"] for m in main_container(w).get("volumeMounts", [])}
        expect("%s metrics-tls mount" % who, mounts.get("metrics-tls"), "/etc/ironlb/metrics-tls")
    expect("controller fsGroup (reads the group-readable certificate)", pod(ctrl)["spec"]["securityContext"].get("fsGroup"), 65534)

    # docs/webhook.md: controller.webhookMode=enabled (full-v0.16) keeps the webhook on;
    # webhookMode=disabled or webhook.enabled=false turn it off (no flag, Service, configuration).
    check("controller.webhookMode=enabled -> --webhook", "--webhook" in ca, ca)
    vwc = one(docs, "ValidatingWebhookConfiguration", NS + "-edge-lb-webhook")
    hook = vwc["webhooks"][0]
    expect("webhook failurePolicy (Ignore by default)", hook["failurePolicy"], "Ignore")
    check("webhook ships without caBundle (the controller patches it)", "caBundle" not in hook["clientConfig"], hook)
    for flags in (("--set", "controller.webhookMode=disabled"), ("--set", "webhook.enabled=false")):
        off = render("-f", values("full-v0.16"), *flags)
        check("%s -> no --webhook" % flags[1], "--webhook" not in args_of(one(off, "Deployment", "edge-lb-controller")))
        check("%s -> no ValidatingWebhookConfiguration" % flags[1],
              not any(d and d.get("kind") == "ValidatingWebhookConfiguration" for d in off))

    # Images: MetalLB's own images are not used, the pull policy is.
    for who, w in (("controller", ctrl), ("speaker", spk)):
        expect("%s image (MetalLB's image ignored)" % who, main_container(w).get("image"), "ironlb/ironlb:" + chartlib.APP_VERSION)
        expect("%s imagePullPolicy" % who, main_container(w).get("imagePullPolicy"), "Always")
        expect("%s imagePullSecrets" % who, pod(w)["spec"].get("imagePullSecrets"), [{"name": "corp-registry"}])
        expect("%s runtimeClassName" % who, pod(w)["spec"].get("runtimeClassName"), "hardened")

    cspec, sspec = pod(ctrl)["spec"], pod(spk)["spec"]
    expect("controller tolerations", cspec.get("tolerations"),
           [{"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}])
    expect("speaker tolerations (tolerateMaster=false adds none)", sspec.get("tolerations"),
           [{"key": "edge-only", "operator": "Exists", "effect": "NoExecute"}])
    expect("controller nodeSelector", cspec.get("nodeSelector"),
           {"kubernetes.io/os": "linux", "node-role.example.com/infra": "true"})
    expect("speaker nodeSelector", sspec.get("nodeSelector"), {"kubernetes.io/os": "linux", "node-role.example.com/edge": "true"})
    expect("controller priorityClassName", cspec.get("priorityClassName"), "system-cluster-critical")
    expect("speaker priorityClassName", sspec.get("priorityClassName"), "system-node-critical")
    expect("controller resources.limits", main_container(ctrl).get("resources", {}).get("limits"), {"cpu": "200m", "memory": "128Mi"})
    expect("speaker resources.requests", main_container(spk).get("resources", {}).get("requests"), {"cpu": "150m", "memory": "48Mi"})
    check("controller affinity", cspec.get("affinity", {}).get("podAntiAffinity") is not None)
    expect("controller serviceAccountName", cspec.get("serviceAccountName"), "edge-lb-ctrl")
    expect("speaker serviceAccountName (create=false, name given)", sspec.get("serviceAccountName"), "edge-lb-speaker-sa")
    check("no speaker ServiceAccount created", not [d for d in docs if d["kind"] == "ServiceAccount" and d["metadata"]["name"] == "edge-lb-speaker-sa"])
    sacc = one(docs, "ServiceAccount", "edge-lb-ctrl")
    expect("controller ServiceAccount annotations", sacc.get("metadata", {}).get("annotations"), {"iam.example.com/role": "lb-controller"})
    expect("controller strategy", ctrl["spec"].get("strategy"), {"type": "Recreate"})
    expect("speaker updateStrategy", spk["spec"].get("updateStrategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}})
    expect("controller pod label (labels)", pod(ctrl)["metadata"]["labels"].get("cost-center"), "net-42")
    expect("speaker workload label (labels)", spk["metadata"]["labels"].get("cost-center"), "net-43")
    cann = pod(ctrl)["metadata"].get("annotations", {})
    expect("controller podAnnotations", cann.get("backup.example.com/exclude"), "true")
    expect("scrapeAnnotations -> prometheus.io/scrape", cann.get("prometheus.io/scrape"), "true")
    expect("scrapeAnnotations -> prometheus.io/port", cann.get("prometheus.io/port"), "9120")
    expect("scrapeAnnotations -> prometheus.io/scheme (secure metrics)", cann.get("prometheus.io/scheme"), "https")
    expect("speaker securityContext (merged over the chart's)", sspec.get("securityContext"),
           {"seccompProfile": {"type": "RuntimeDefault"}, "supplementalGroups": [4000]})
    expect("speaker container still root with NET_RAW only", main_container(spk).get("securityContext", {}).get("capabilities"),
           {"drop": ["ALL"], "add": ["NET_RAW"]})

    # Probes: MetalLB's settings, enabled=false drops the probe, startupProbe added.
    cc, sc = main_container(ctrl), main_container(spk)
    lp = cc.get("livenessProbe", {})
    expect("controller livenessProbe settings", {k: lp.get(k) for k in ("failureThreshold", "initialDelaySeconds", "periodSeconds", "timeoutSeconds")},
           {"failureThreshold": 5, "initialDelaySeconds": 20, "periodSeconds": 15, "timeoutSeconds": 3})
    expect("controller livenessProbe target", lp.get("httpGet"), {"path": "/healthz", "port": "probes"})
    check("controller readinessProbe.enabled=false -> no readinessProbe", "readinessProbe" not in cc)
    expect("speaker readinessProbe successThreshold", sc.get("readinessProbe", {}).get("successThreshold"), 2)
    expect("speaker startupProbe", sc.get("startupProbe"), {"httpGet": {"path": "/healthz", "port": "probes"}, "failureThreshold": 40, "periodSeconds": 3})
    check("controller has no startupProbe (none given)", "startupProbe" not in cc)
    expect("controller extraContainers", [c["name"] for c in cspec["containers"]], ["controller", "audit-tail"])
    expect("speaker extraContainers", [c["name"] for c in sspec["containers"]], ["speaker", "nic-stats"])

    # Monitoring.
    for who, tier, owner in (("controller", "control", "platform"), ("speaker", "nodes", "netops")):
        sm = one(docs, "ServiceMonitor", "edge-lb-" + who)
        md = sm.get("metadata", {})
        expect("%s ServiceMonitor additionalLabels (serviceMonitor.%s)" % (who, who), md.get("labels", {}).get("scrape-tier"), tier)
        expect("%s ServiceMonitor annotations" % who, md.get("annotations"), {"owner": owner})
        ep = sm.get("spec", {}).get("endpoints", [{}])[0]
        expect("%s ServiceMonitor interval" % who, ep.get("interval"), "15s")
        expect("%s ServiceMonitor jobLabel" % who, sm.get("spec", {}).get("jobLabel"), "app.kubernetes.io/component")
        expect("%s ServiceMonitor tlsConfig" % who, ep.get("tlsConfig"), {"insecureSkipVerify": True})
        expect("%s ServiceMonitor metricRelabelings" % who, ep.get("metricRelabelings"), [{"action": "drop", "regex": "go_.*", "sourceLabels": ["__name__"]}])
        expect("%s metrics Service port" % who, one(docs, "Service", "edge-lb-%s-metrics" % who).get("spec", {}).get("ports", [{}])[0].get("port"), 9120)
    check("podMonitor.enabled=false -> no PodMonitor", not [d for d in docs if d["kind"] == "PodMonitor"])
    crb = one(docs, "ClusterRoleBinding", "metallb-system:edge-lb-metrics-reader")
    expect("prometheus.serviceAccount/namespace -> metrics-reader binding", crb.get("subjects"),
           [{"kind": "ServiceAccount", "name": "kube-prometheus-stack-prometheus", "namespace": "monitoring"}])
    role = one(docs, "Role", "edge-lb-prometheus")
    expect("rbacPrometheus -> Role for target discovery", role.get("rules", [{}])[0].get("resources"), ["pods", "services", "endpoints"])
    rule = one(docs, "PrometheusRule", "edge-lb")
    expect("prometheusRule.additionalLabels", rule.get("metadata", {}).get("labels", {}).get("release"), "kube-prometheus-stack")
    alerts = {r["alert"]: r for r in rule.get("spec", {}).get("groups", [{}])[0].get("rules", [])}
    check("configNotLoaded.enabled=false -> no MetalLBConfigNotLoaded", "MetalLBConfigNotLoaded" not in alerts, list(alerts))
    check("addressPoolExhausted.excludePools in the expression",
          'pool!~"^lab-.*"' in alerts.get("MetalLBAddressPoolExhausted", {}).get("expr", ""))
    check("addressPoolUsage.excludePools in the expression",
          'pool!~"^scratch$"' in alerts.get("MetalLBAddressPoolUsage80Percent", {}).get("expr", ""))
    check("extraAlerts appended", "EdgeLBSpeakerRestarting" in alerts)
    check("crds.enabled=false -> no CRDs", not [d for d in docs if d["kind"] == "CustomResourceDefinition"])

    docs = render("-f", values("l2-small"))
    ctrl = one(docs, "Deployment", "ironlb-controller")
    spk = one(docs, "DaemonSet", "ironlb-speaker")
    sa = args_of(spk)
    check("speaker.logLevel=all -> --log-level=debug", "--log-level=debug" in sa, sa)
    check("controller.logLevel=info -> --log-level=info", "--log-level=info" in args_of(ctrl))
    check("speaker.excludeInterfaces.enabled=true -> the built-in list (no flag)",
          not [a for a in sa if a.startswith("--exclude-interfaces")], sa)
    check("mlBindPort=7946 -> --memberlist-port=7946", "--memberlist-port=7946" in sa)
    expect("speaker nodeSelector", pod(spk)["spec"].get("nodeSelector"), {"kubernetes.io/os": "linux", "gpu": "false"})
    tol = pod(spk)["spec"].get("tolerations", [])
    check("speaker keeps the control-plane tolerations (tolerateMaster default)",
          any(t.get("key") == "node-role.kubernetes.io/control-plane" for t in tol), tol)
    expect("controller tolerations", pod(ctrl)["spec"].get("tolerations"), [{"key": "CriticalAddonsOnly", "operator": "Exists"}])
    expect("controller requests.cpu", main_container(ctrl).get("resources", {}).get("requests", {}).get("cpu"), "50m")
    for who in ("controller", "speaker"):
        pm = one(docs, "PodMonitor", "ironlb-" + who)
        expect("%s PodMonitor additionalLabels" % who, pm.get("metadata", {}).get("labels", {}).get("release"), "prom")
        expect("%s PodMonitor interval" % who, pm.get("spec", {}).get("podMetricsEndpoints", [{}])[0].get("interval"), "1m")
    crb = one(docs, "ClusterRoleBinding", "metallb-system:ironlb-metrics-reader")
    expect("metrics-reader binding", crb.get("subjects"), [{"kind": "ServiceAccount", "name": "prometheus-k8s", "namespace": "monitoring"}])
    rule = one(docs, "PrometheusRule", "ironlb")
    names = [r["alert"] for r in rule.get("spec", {}).get("groups", [{}])[0].get("rules", [])]
    check("addressPoolUsage thresholds -> MetalLBAddressPoolUsage90Percent only",
          "MetalLBAddressPoolUsage90Percent" in names and "MetalLBAddressPoolUsage75Percent" not in names, names)

    # controller.enabled=false: no controller workload, nor its ServiceAccount, Service, monitor.
    docs = render("-f", values("full-v0.16"), "--set", "controller.enabled=false")
    gone = [d["kind"] + " " + d["metadata"]["name"] for d in docs if "edge-lb-ctrl" == d["metadata"]["name"]
            or d["metadata"]["name"] in ("edge-lb-controller", "edge-lb-controller-metrics")
            and d["kind"] in ("Deployment", "Service", "ServiceMonitor", "ServiceAccount")]
    check("controller.enabled=false -> no controller Deployment, ServiceAccount, Service, ServiceMonitor", not gone, gone)
    check("controller.enabled=false keeps the speaker", any(d["kind"] == "DaemonSet" for d in docs))

    # rbacPrometheus=false: no binding and no Role for MetalLB's prometheus.serviceAccount.
    docs = render("-f", values("full-v0.16"), "--set", "prometheus.rbacPrometheus=false")
    made = [d["kind"] + " " + d["metadata"]["name"] for d in docs
            if d["metadata"]["name"] in ("metallb-system:edge-lb-metrics-reader", "edge-lb-prometheus")
            and d["kind"] in ("ClusterRoleBinding", "Role", "RoleBinding")]
    check("rbacPrometheus=false -> no metrics-reader binding, no Prometheus Role", not made, made)
    # scrapeAnnotations with plain-HTTP metrics: no https scheme hint.
    docs = render("-f", values("full-v0.16"), "--set", "prometheus.secureMetrics=false")
    ann = pod(one(docs, "DaemonSet", "edge-lb-speaker"))["metadata"].get("annotations", {})
    check("secureMetrics=false -> prometheus.io/scrape without an https scheme",
          ann.get("prometheus.io/scrape") == "true" and "prometheus.io/scheme" not in ann, ann)

    # An interval left empty (MetalLB's default "interval:") means Prometheus' own.
    docs = render("-f", values("full-v0.16"), "--set", "prometheus.podMonitor.enabled=true")
    pm = one(docs, "PodMonitor", "edge-lb-speaker")
    check("podMonitor.interval empty -> no interval", "interval" not in pm.get("spec", {}).get("podMetricsEndpoints", [{}])[0])


# ---- ignored keys reported -----------------------------------------------------------------------
FULL_IGNORED = {
    "crds.validationFailurePolicy", "frr-k8s", "networkpolicies",
    "prometheus.prometheusRule.bgpSessionDown", "speaker.bgpDebounceTimeout", "speaker.frr.metricsPort",
    "speaker.frr.image.repository=quay.io/frrouting/frr", "speaker.frr.image.tag=10.5.3", "speaker.frrMetrics", "speaker.initContainers", "speaker.memberlist.mlSecretKeyPath",
    "speaker.reloader", "tls.cipherSuites", "tls.curvePreferences", "tls.minVersion",
    "controller.image.repository=quay.io/metallb/controller", "controller.image.tag=v0.16.0",
    "speaker.image.repository=quay.io/metallb/speaker", "speaker.image.tag=v0.16.0",
}
UNKNOWN_LISTED = {
    "configInline", "contoller", "prometheus.secureMetricsPort", "prometheus.serviceMonitor.selector",
    "speaker.secretName", "speaker.logLevel=none", "speaker.memberlist.enabled=false",
    "speaker.memberlist.mlBindAddrOverride=::",
}


# MetalLB v0.16's 72 two-level keys (full-v0.16.yaml holds them all): 60 with an ironlb meaning,
# checked in place by the render scenario (speaker.frr and frrk8s: frr_test.py), and 12 without
# one, which must be listed.
MAPPED = {"imagePullSecrets", "nameOverride", "fullnameOverride", "loadBalancerClass", "rbac.create",
          "tls.controllerMetricsTLSSecret", "tls.speakerMetricsTLSSecret", "crds.enabled",
          "frrk8s.enabled", "frrk8s.external", "frrk8s.namespace"}
MAPPED |= {"prometheus." + k for k in ("scrapeAnnotations", "metricsPort", "rbacPrometheus", "serviceAccount",
                                       "namespace", "podMonitor", "serviceMonitor", "prometheusRule")}
WORKLOAD = ("enabled", "logLevel", "image", "serviceAccount", "securityContext", "resources", "nodeSelector",
            "tolerations", "priorityClassName", "runtimeClassName", "affinity", "podAnnotations", "labels",
            "livenessProbe", "readinessProbe", "extraContainers")
MAPPED |= {"controller." + k for k in WORKLOAD + ("strategy", "webhookMode")}
MAPPED |= {"speaker." + k for k in WORKLOAD + ("tolerateMaster", "memberlist", "excludeInterfaces",
                                               "ignoreExcludeLB", "updateStrategy", "startupProbe", "frr")}
IGNORED_TWO_LEVEL = {"tls.cipherSuites", "tls.curvePreferences", "tls.minVersion",
                     "speaker.bgpDebounceTimeout", "speaker.reloader", "speaker.frrMetrics",
                     "speaker.initContainers", "crds.validationFailurePolicy", "networkpolicies.enabled",
                     "networkpolicies.defaultDeny", "networkpolicies.apiPort", "frr-k8s"}


def two_level_keys(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    return {k + "." + s if isinstance(v, dict) and v else k
            for k, v in doc.items() for s in (v if isinstance(v, dict) and v else [None])}


def scenario_ignored_reported():
    keys = two_level_keys(values("full-v0.16"))
    expect("full-v0.16.yaml holds MetalLB v0.16's 72 two-level keys", len(keys), 72)
    expect("each is mapped or known to have no ironlb meaning", keys - MAPPED - IGNORED_TWO_LEVEL, set())
    expect("60 mapped, 12 without meaning", (len(MAPPED), len(IGNORED_TWO_LEVEL)), (60, 12))
    got = listed(notes("-f", values("full-v0.16")))
    unreported = {k for k in IGNORED_TWO_LEVEL if not any(k == g or k.startswith(g + ".") for g in got)}
    expect("every key without an ironlb meaning is reported", unreported, set())
    expect("full-v0.16.yaml: NOTES lists exactly the keys without an ironlb meaning", set(got), FULL_IGNORED)
    check("every listed key says why", all(len(w) > 20 for w in got.values()), got)
    got = listed(notes("-f", values("unknown-keys")))
    expect("unknown-keys.yaml: NOTES lists every unknown or unsupported key", set(got), UNKNOWN_LISTED)
    expect("a typo is named as unknown", got.get("contoller"), "not a value of ironlb's chart nor of MetalLB's (v0.16)")
    check("install still renders with ignored keys", bool(render("-f", values("unknown-keys"))))
    for label, flags in (("defaults", ()), ("l2-small.yaml", ("-f", values("l2-small"))),
                         ("ironlb's own custom values", ("-f", os.path.join(ROOT, "test/integration/helm/custom-values.yaml")))):
        text = notes(*flags)
        check("%s: NOTES lists no ignored value" % label, "IGNORED VALUES" not in text and not listed(text), text[-400:])


def scenario_fail_on_ignored():
    rc, out, err = helm("template", "--namespace", NS, "-f", values("full-v0.16"), "--set", "metallbCompat.failOnIgnored=true")
    check("failOnIgnored=true: install refused", rc != 0)
    check("failOnIgnored=true: the error lists every ignored key", set(listed(err)) == FULL_IGNORED, err)
    rc, out, err = helm("template", "--namespace", NS, "-f", values("l2-small"), "--set", "metallbCompat.failOnIgnored=true")
    check("failOnIgnored=true with nothing ignored: renders", rc == 0, err)


def scenario_schema():
    for label, flags, want in (
        ("speaker.excludeInterfaces object form", ("--set", "speaker.excludeInterfaces.enabled=false"), None),
        ("speaker.excludeInterfaces list form", ("--set", "speaker.excludeInterfaces={^eth9$}"), None),
        ("speaker.excludeInterfaces.enabled not a boolean", ("--set-string", "speaker.excludeInterfaces.enabled=yes"), "/speaker/excludeInterfaces"),
        ("speaker.excludeInterfaces unknown object key", ("--set", "speaker.excludeInterfaces.names=eth0"), "/speaker/excludeInterfaces"),
        ("mlBindPort out of range", ("--set", "speaker.memberlist.mlBindPort=70000"), "/speaker/memberlist/mlBindPort"),
        ("memberlist.port out of range", ("--set", "speaker.memberlist.port=0"), "/speaker/memberlist/port"),
        ("controller.logLevel unknown", ("--set", "controller.logLevel=verbose"), "/controller/logLevel"),
        ("global logLevel stays ironlb's (no 'all')", ("--set", "logLevel=all"), "/logLevel"),
        ("prometheus.metricsPort not a number", ("--set-string", "prometheus.metricsPort=abc"), "/prometheus/metricsPort"),
        ("serviceMonitor.interval not a duration", ("--set", "prometheus.serviceMonitor.interval=often"), "/prometheus/serviceMonitor/interval"),
        ("serviceMonitor.speaker.additionalLabels not strings", ("--set", "prometheus.serviceMonitor.speaker.additionalLabels.tier=1"), "/prometheus/serviceMonitor/speaker/additionalLabels/tier"),
        ("livenessProbe.periodSeconds negative", ("--set", "speaker.livenessProbe.periodSeconds=-1"), "/speaker/livenessProbe/periodSeconds"),
        ("controller.image.pullPolicy unknown", ("--set", "controller.image.pullPolicy=Sometimes"), "/controller/image/pullPolicy"),
        ("extraContainers entry without a name", ("--set", "speaker.extraContainers[0].image=x"), "/speaker/extraContainers/0"),
    ):
        rc, out, err = helm("lint", *flags)
        if want is None:
            check("schema accepts %s" % label, rc == 0, out + err)
        else:
            check("schema refuses %s, naming %s" % (label, want), rc != 0 and ("at '%s'" % want) in (out + err), out + err)


chartlib.run_scenario({"render": scenario_render, "ignored_reported": scenario_ignored_reported,
                       "fail_on_ignored": scenario_fail_on_ignored, "schema": scenario_schema}, SCENARIO)
