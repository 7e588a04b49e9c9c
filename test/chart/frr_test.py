#!/usr/bin/python3
"""BGP mode's FRR container in the speaker pod (speaker.frr.*; docs/bgp.md, "How FRR runs beside
the speaker"), rendered by the real Helm without a cluster.

    frr_test.py HELM REPO_ROOT SCENARIO

SCENARIO (one ctest each):
  rendered        speaker.frr.enabled: a container "frr" from the ironlb-frr image with exactly
                  FRR's six capabilities, the emptyDir both containers mount at /var/run/frr,
                  group 102 added to the pod's supplementalGroups (merged with the user's),
                  --frr-socket-dir, the stop wait, `get` on Secrets for the speaker, and a
                  BGPPeer/BGPAdvertisement sample in the notes.
  disabled        by default (and from the plain manifests) none of that: no frr container, no
                  SYS_ADMIN anywhere, no group 102, no Secret access for the speaker.
  grace_period    a grace period not above speaker.frr.stopWaitSeconds + 10 s is refused with a
                  message naming both values; unset, it follows the stop wait.
  metallb_mapped  MetalLB's speaker.frr values: enabled, pullPolicy and resources apply; its FRR
                  image (quay.io/frrouting/frr), FRR-mode side containers and frrk8s.enabled=true
                  are listed as ignored.
Prints one PASS/FAIL line per check; exits 1 if any failed.
"""

import os
import sys
import textwrap

import yaml

import chartlib
from chartlib import check, containers, expect, helm, listed, notes, one, pod, render

ROOT, SCENARIO = sys.argv[2], sys.argv[3]
chartlib.setup(sys.argv[1], ROOT)
METALLB_FRR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metallb-values/bgp-frr.yaml")
FRR_CAPS = {"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE", "SYS_ADMIN", "SETUID", "SETGID"}
SOCKETS = "/var/run/frr"
ON = ("--set", "speaker.frr.enabled=true")


def speaker(docs, name="ironlb-speaker"):
    return one(docs, "DaemonSet", name)


def speaker_role_rules(docs, name="ironlb-speaker"):
    return one(docs, "Role", name).get("rules", [])


def secret_rules(rules):
    return [r for r in rules if "secrets" in r.get("resources", [])]


def mounts(container):
    return {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}


def scenario_rendered():
    rc, out, err = helm("lint", *ON)
    check("helm lint with speaker.frr.enabled", rc == 0, out + err)
    docs = render(*ON)
    ds = speaker(docs)
    cs = containers(ds)
    expect("speaker pod containers", list(cs), ["speaker", "frr"])
    frr, spk = cs.get("frr", {}), cs.get("speaker", {})
    expect("frr image: ironlb-frr beside image.repository, tag appVersion", frr.get("image"),
           "ironlb/ironlb-frr:" + chartlib.APP_VERSION)
    expect("frr imagePullPolicy (image.pullPolicy)", frr.get("imagePullPolicy"), "IfNotPresent")
    sc = frr.get("securityContext", {})
    expect("frr capabilities dropped", sc.get("capabilities", {}).get("drop"), ["ALL"])
    add = sc.get("capabilities", {}).get("add", [])
    expect("frr capabilities added: exactly FRR's six", (sorted(add), len(add)), (sorted(FRR_CAPS), 6))
    expect("frr runs as root (then drops to frr)", (sc.get("runAsUser"), sc.get("runAsNonRoot")), (0, False))
    expect("frr allowPrivilegeEscalation", sc.get("allowPrivilegeEscalation"), False)
    expect("frr readOnlyRootFilesystem", sc.get("readOnlyRootFilesystem"), True)
    expect("speaker container still NET_RAW only", spk.get("securityContext", {}).get("capabilities"),
           {"drop": ["ALL"], "add": ["NET_RAW"]})
    check("frr container has no probes (its supervisor exits when a daemon dies)",
          not any(p in frr for p in ("livenessProbe", "readinessProbe", "startupProbe")), frr)
    expect("frr env", frr.get("env"), [{"name": "IRONLB_FRR_STOP_WAIT_SECONDS", "value": "20"}])
    expect("frr resources (chart default)", frr.get("resources"), {"requests": {"cpu": "50m", "memory": "64Mi"}})

    vols = {v["name"]: v for v in pod(ds)["spec"].get("volumes", [])}
    expect("frr-sockets volume is an emptyDir", vols.get("frr-sockets"), {"name": "frr-sockets", "emptyDir": {}})
    expect("frr mounts it at /var/run/frr", mounts(frr).get("frr-sockets"), SOCKETS)
    expect("speaker mounts it at /var/run/frr", mounts(spk).get("frr-sockets"), SOCKETS)
    check("speaker --frr-socket-dir=/var/run/frr", "--frr-socket-dir=" + SOCKETS in spk.get("args", []), spk.get("args"))
    psc = pod(ds)["spec"].get("securityContext", {})
    expect("pod supplementalGroups: frrvty (102)", psc.get("supplementalGroups"), [102])
    expect("pod seccompProfile kept", psc.get("seccompProfile"), {"type": "RuntimeDefault"})
    expect("grace period unset: stop wait + 15 s", pod(ds)["spec"].get("terminationGracePeriodSeconds"), 35)

    rules = secret_rules(speaker_role_rules(docs))
    expect("speaker Role: get on Secrets, by name only (no list/watch)", rules,
           [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
    cluster = [r for r in one(docs, "ClusterRole", "metallb-system:ironlb-speaker").get("rules", [])
               if "secrets" in r.get("resources", [])]
    expect("speaker ClusterRole: no Secret access in other namespaces", cluster, [])

    # NOTES: a BGPPeer and BGPAdvertisement sample, only in BGP mode.
    text = notes(*ON)
    samples = text.split("<<YAML\n")
    bgp = list(yaml.safe_load_all(textwrap.dedent(samples[-1].split("  YAML")[0]))) if len(samples) == 3 else []
    expect("NOTES in BGP mode: the BGP sample's kinds", [d.get("kind") for d in bgp], ["BGPPeer", "BGPAdvertisement"])
    check("NOTES without FRR: no BGP sample", "BGPPeer" not in notes(), "")

    # The user's pod securityContext is kept and 102 added once.
    for given, want in (("{4000}", [4000, 102]), ("{102,4000}", [102, 4000])):
        ds = speaker(render(*ON, "--set", "speaker.securityContext.supplementalGroups=" + given))
        expect("supplementalGroups %s -> %s" % (given, want), pod(ds)["spec"]["securityContext"].get("supplementalGroups"), want)
    ds = speaker(render(*ON, "--set", "speaker.securityContext.runAsGroup=0"))
    expect("user's pod securityContext kept", pod(ds)["spec"]["securityContext"],
           {"runAsGroup": 0, "seccompProfile": {"type": "RuntimeDefault"}, "supplementalGroups": [102]})

    # Image: follows image.repository/tag (a mirror), or speaker.frr.image, and its pullPolicy.
    ds = speaker(render(*ON, "--set", "image.repository=registry.example.com/lb/ironlb", "--set", "image.tag=1.2.3",
                        "--set", "image.pullPolicy=Always"))
    frr = containers(ds).get("frr", {})
    expect("frr image follows image.repository and image.tag", frr.get("image"), "registry.example.com/lb/ironlb-frr:1.2.3")
    expect("frr imagePullPolicy follows image.pullPolicy", frr.get("imagePullPolicy"), "Always")
    ds = speaker(render(*ON, "--set", "speaker.frr.image.tag=0.2.0-rc1"))
    expect("speaker.frr.image.tag alone: the default repository with that tag", containers(ds).get("frr", {}).get("image"),
           "ironlb/ironlb-frr:0.2.0-rc1")
    ds = speaker(render(*ON, "--set", "speaker.frr.image.repository=registry.example.com/mirror/frr-ironlb",
                        "--set", "speaker.frr.image.tag=0.1.0-custom", "--set", "speaker.frr.image.pullPolicy=Never",
                        "--set", "speaker.frr.stopWaitSeconds=5"))
    frr = containers(ds).get("frr", {})
    expect("speaker.frr.image.repository/tag", frr.get("image"), "registry.example.com/mirror/frr-ironlb:0.1.0-custom")
    expect("speaker.frr.image.pullPolicy", frr.get("imagePullPolicy"), "Never")
    expect("speaker.frr.stopWaitSeconds=5 -> IRONLB_FRR_STOP_WAIT_SECONDS", frr.get("env"),
           [{"name": "IRONLB_FRR_STOP_WAIT_SECONDS", "value": "5"}])
    expect("stopWaitSeconds=5, grace period unset -> 20", pod(ds)["spec"].get("terminationGracePeriodSeconds"), 20)


def scenario_disabled():
    for label, docs in (("default values", render()),
                        ("MetalLB's full values (frr.enabled false)",
                         render("-f", os.path.join(os.path.dirname(METALLB_FRR), "full-v0.16.yaml")))):
        name = "edge-lb-speaker" if "MetalLB" in label else "ironlb-speaker"
        ds = speaker(docs, name)
        text = yaml.safe_dump(ds)
        check("%s: no frr container" % label, "frr" not in containers(ds), list(containers(ds)))
        check("%s: nothing of FRR in the DaemonSet (image, volume, flag, SYS_ADMIN)" % label,
              all(s not in text for s in ("frr", "SYS_ADMIN")), [s for s in ("frr", "SYS_ADMIN") if s in text])
        check("%s: no group 102" % label, 102 not in (pod(ds)["spec"]["securityContext"].get("supplementalGroups") or []))
        expect("%s: speaker Role has no Secret access" % label, secret_rules(speaker_role_rules(docs, name)), [])
    ds = speaker(render())
    expect("default grace period", pod(ds)["spec"].get("terminationGracePeriodSeconds"), 10)
    expect("only the speaker container", list(containers(ds)), ["speaker"])
    # The plain manifests (config/render-manifests.sh) are the defaults: layer 2 only.
    with open(os.path.join(ROOT, "config/manifests/ironlb.yaml")) as f:
        plain = [d for d in yaml.safe_load_all(f) if d]
    ds = [d for d in plain if d["kind"] == "DaemonSet"]
    check("config/manifests/ironlb.yaml: one DaemonSet, without an frr container",
          len(ds) == 1 and list(containers(ds[0])) == ["speaker"], [list(containers(d)) for d in ds])
    check("config/manifests/ironlb.yaml: no SYS_ADMIN", "SYS_ADMIN" not in yaml.safe_dump_all(plain))


def scenario_grace_period():
    for flags, ok in (
        (("--set", "speaker.terminationGracePeriodSeconds=30"), False),
        (("--set", "speaker.terminationGracePeriodSeconds=31"), True),
        (("--set", "speaker.frr.stopWaitSeconds=5", "--set", "speaker.terminationGracePeriodSeconds=15"), False),
        (("--set", "speaker.frr.stopWaitSeconds=5", "--set", "speaker.terminationGracePeriodSeconds=16"), True),
        (("--set", "speaker.frr.stopWaitSeconds=0", "--set", "speaker.terminationGracePeriodSeconds=10"), False),
        (("--set", "speaker.frr.stopWaitSeconds=600"), True),
    ):
        rc, out, err = helm("template", "--namespace", chartlib.NS, *ON, *flags)
        label = " ".join(flags[1::2])
        if ok:
            check("FRR on, %s: renders" % label, rc == 0, err)
            continue
        check("FRR on, %s: refused" % label, rc != 0, out[-300:])
        check("FRR on, %s: the message names both values and the bound" % label,
              "speaker.terminationGracePeriodSeconds=" in err and "must exceed speaker.frr.stopWaitSeconds" in err
              and "+ 10 s" in err, err)
    ds = speaker(render(*ON, "--set", "speaker.frr.stopWaitSeconds=600"))
    expect("stopWaitSeconds=600, grace period unset -> 615", pod(ds)["spec"].get("terminationGracePeriodSeconds"), 615)
    ds = speaker(render("--set", "speaker.terminationGracePeriodSeconds=3"))
    expect("FRR off: any grace period (3)", pod(ds)["spec"].get("terminationGracePeriodSeconds"), 3)
    for value, path in (("3601", "/speaker/frr/stopWaitSeconds"), ("-1", "/speaker/frr/stopWaitSeconds")):
        rc, out, err = helm("lint", *ON, "--set", "speaker.frr.stopWaitSeconds=" + value)
        check("schema refuses stopWaitSeconds=%s, naming %s" % (value, path), rc != 0 and ("at '%s'" % path) in out + err, out + err)


def scenario_metallb_mapped():
    rc, out, err = helm("lint", "-f", METALLB_FRR)
    check("helm lint -f bgp-frr.yaml", rc == 0, out + err)
    docs = render("-f", METALLB_FRR)
    ds = speaker(docs)
    frr = containers(ds).get("frr", {})
    check("speaker.frr.enabled=true -> the frr container", bool(frr), list(containers(ds)))
    expect("MetalLB's FRR image (quay.io/frrouting/frr) not used: ironlb-frr", frr.get("image"),
           "ironlb/ironlb-frr:" + chartlib.APP_VERSION)
    expect("speaker.frr.image.pullPolicy", frr.get("imagePullPolicy"), "Always")
    expect("speaker.frr.resources over the chart's", frr.get("resources"),
           {"requests": {"cpu": "80m", "memory": "96Mi"}, "limits": {"memory": "1Gi"}})
    expect("MetalLB's speaker.securityContext merged with group 102",
           pod(ds)["spec"]["securityContext"].get("supplementalGroups"), [4000, 102])
    expect("containers: no reloader, frr-metrics or init containers", (list(containers(ds)), pod(ds)["spec"].get("initContainers")),
           (["speaker", "frr"], None))
    check("speaker Role: get on Secrets", bool(secret_rules(speaker_role_rules(docs))))
    got = listed(notes("-f", METALLB_FRR))
    expect("NOTES lists MetalLB's FRR-mode keys ironlb does not apply", set(got),
           {"speaker.frr.image.repository=quay.io/frrouting/frr", "speaker.frr.image.tag=10.5.3",
            "speaker.frr.metricsPort", "speaker.reloader", "speaker.frrMetrics"})
    why = got.get("speaker.frr.image.repository=quay.io/frrouting/frr", "")
    check("the FRR image line says why and what runs instead",
          "no ironlb supervisor" in why and "ironlb/ironlb-frr:" + chartlib.APP_VERSION in why, why)
    check("speaker.frr.metricsPort: the speaker exports the BGP metrics", "speaker exports" in got.get("speaker.frr.metricsPort", ""))
    # frr-k8s (MetalLB's default BGP backend) is not ironlb's: enabled=true is listed, pointing at
    # speaker.frr.enabled; enabled=false is what ironlb does (bgp-frr.yaml: nothing listed for it).
    got = listed(notes("--set", "frrk8s.enabled=true"))
    check("frrk8s.enabled=true listed, pointing at speaker.frr.enabled",
          "speaker.frr.enabled=true" in got.get("frrk8s.enabled=true", ""), got)
    # A repository that is not FRR's own is taken as an ironlb-frr image.
    ds = speaker(render("-f", METALLB_FRR, "--set", "speaker.frr.image.repository=registry.example.com/ironlb-frr"))
    expect("another speaker.frr.image.repository is used, with its tag", containers(ds).get("frr", {}).get("image"),
           "registry.example.com/ironlb-frr:10.5.3")
    rc, out, err = helm("template", "--namespace", chartlib.NS, "-f", METALLB_FRR, "--set", "metallbCompat.failOnIgnored=true")
    check("failOnIgnored=true refuses MetalLB's FRR image", rc != 0 and "speaker.frr.image.repository=quay.io/frrouting/frr" in err, err)


chartlib.run_scenario({"rendered": scenario_rendered, "disabled": scenario_disabled,
                       "grace_period": scenario_grace_period, "metallb_mapped": scenario_metallb_mapped}, SCENARIO)
