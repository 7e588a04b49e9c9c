"""What the chart tests share: ironlb's chart rendered by the real Helm without a cluster
(helm template / helm lint, with private Helm directories), PASS/FAIL lines, and NOTES.txt
rendered as `helm install` would print it.

    import chartlib
    chartlib.setup(HELM, REPO_ROOT)         # once, from the test's command line
    docs = chartlib.render("-f", values)    # the rendered objects, a check that it succeeded
    chartlib.run_scenario({...}, SCENARIO)  # runs one, cleans up, exits 1 if a check failed
"""

import os
import shutil
import subprocess
import sys
import tempfile

import yaml

NS = "metallb-system"
HELM = CHART = APP_VERSION = WORK = ""
failed = 0


def setup(helm, root):
    global HELM, CHART, APP_VERSION, WORK
    HELM, CHART = helm, os.path.join(root, "config/helm/ironlb")
    with open(os.path.join(CHART, "Chart.yaml")) as f:
        APP_VERSION = str(yaml.safe_load(f)["appVersion"])
    WORK = tempfile.mkdtemp(prefix="ironlb-chart-test-")


def run_scenario(scenarios, name):
    try:
        scenarios[name]()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print("%s: %d failed" % (name, failed))
    sys.exit(1 if failed else 0)


def check(name, ok, detail=""):
    global failed
    if not ok:
        failed += 1
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok or not detail else ": " + str(detail)))
    return ok


def expect(name, got, want):
    check("%s = %r" % (name, want), got == want, "got %r" % (got,))


def helm(*args, chart=None):
    env = dict(os.environ)
    for var in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        env[var] = os.path.join(WORK, var)
    env.pop("KUBECONFIG", None)
    cmd = [HELM, args[0]] + (["ironlb"] if args[0] == "template" else []) + [chart or CHART] + list(args[1:])
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def render(*flags):
    rc, out, err = helm("template", "--namespace", NS, *flags)
    check("helm template %s succeeds" % " ".join(flags), rc == 0, err)
    return [d for d in yaml.safe_load_all(out) if d] if rc == 0 else []


def one(docs, kind, name):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    check("one %s %s" % (kind, name), len(found) == 1, "found %d" % len(found))
    return found[0] if found else {}


def pod(workload):
    return workload.get("spec", {}).get("template", {})


def containers(workload):
    """The pod's containers by name."""
    return {c["name"]: c for c in pod(workload).get("spec", {}).get("containers", [])}


def main_container(workload):
    cs = pod(workload).get("spec", {}).get("containers", [{}])
    return cs[0]


def args_of(workload):
    return main_container(workload).get("args", [])


def notes(*flags):
    """NOTES.txt as `helm install` prints it, rendered without a cluster: a copy of the chart
    with NOTES.txt moved into a ConfigMap (tpl sees the chart's named templates)."""
    copy = os.path.join(WORK, "chart-notes")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(CHART, copy)
    shutil.copy(os.path.join(copy, "templates/NOTES.txt"), os.path.join(copy, "files/notes-under-test.txt"))
    with open(os.path.join(copy, "templates/zz-notes-under-test.yaml"), "w") as f:
        f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes-under-test}\n"
                'data:\n  notes: {{ tpl (.Files.Get "files/notes-under-test.txt") . | toJson }}\n')
    rc, out, err = helm("template", "--namespace", NS, "--show-only", "templates/zz-notes-under-test.yaml",
                        *flags, chart=copy)
    check("NOTES render %s" % " ".join(flags), rc == 0, err)
    return yaml.safe_load(out)["data"]["notes"] if rc == 0 else ""


def listed(text):
    """The "- key: why" lines of the ignored-values list, as {key: why}."""
    out = {}
    for line in text.splitlines():
        if line.startswith("- ") and ": " in line:
            key, why = line[2:].split(": ", 1)
            out[key] = why
    return out
