#!/usr/bin/python3
"""The daemons' metrics and probe endpoints under attack and behind authorisation
(docs/metrics-endpoint.md), against the real release binaries and the real kube-apiserver of
the test control plane (its TokenReview and SubjectAccessReview, RBAC from the chart's
metrics-reader ClusterRole).

    test_metrics_endpoint.py --state DIR --controller BIN --speaker BIN DAEMON SCENARIO
    DAEMON: controller (on loopback) | speaker (in a network namespace of its own, root)
    SCENARIO: gzip_post | unterminated | idle_flood | limits      (attacks.py)
              requires_token | sar_denied | sar_allowed | insecure_opt_in
"""

import argparse
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "speaker"))
from cluster import Kube, SpeakerCluster, METRICS_PORT, PROBE_PORT  # noqa: E402
from topology import wait_for  # noqa: E402

ATTACKS = ["gzip_post", "unterminated", "idle_flood", "limits"]
AUTH = ["requires_token", "sar_denied", "sar_allowed", "insecure_opt_in"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, token=None, timeout=5):
    """(status, body) of a GET; TLS without verification (the self-signed certificate)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def ensure_crds(kube):
    """The metallb.io CRDs, so the controller's informers sync and it turns ready."""
    kube.run("apply", "--server-side", "--force-conflicts", "--field-manager=ironlb-e2e", "-f",
             os.path.join(ROOT, "crds"))
    for crd in ("ipaddresspools", "l2advertisements", "servicel2statuses"):
        kube.run("wait", "--for=condition=Established", f"crd/{crd}.metallb.io", "--timeout=60s")


class Controller:
    """ironlb-controller on loopback, its own namespace and loadBalancerClass."""

    def __init__(self, kube, binary, tag, insecure=False):
        self.kube = kube
        ensure_crds(kube)
        self.metrics_port = free_port()
        self.probe_port = free_port()
        self.workdir = tempfile.mkdtemp(prefix=f"{tag}-")
        self.log_path = os.path.join(self.workdir, "controller.log")
        args = [binary, f"--kubeconfig={kube.kubeconfig}", f"--namespace={tag}",
                f"--lb-class=ironlb.test/{tag}", "--leader-elect=false", f"--identity={tag}",
                f"--metrics-address=127.0.0.1:{self.metrics_port}",
                f"--probe-address=127.0.0.1:{self.probe_port}"]
        if insecure:
            args.append("--metrics-insecure")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: self.proc.poll() is not None or
                     get(f"http://127.0.0.1:{self.probe_port}/readyz")[0] == 200,
                     60, 0.1, "controller ready")
        except TimeoutError:
            self.close()
            raise
        if self.proc.poll() is not None:
            self.close()
            raise RuntimeError("controller exited")

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def dump(self):
        with open(self.log_path) as f:
            sys.stderr.writelines(f.readlines()[-40:])


def attack_controller(kube, args):
    c = Controller(kube, args.controller, f"metrics-{os.getpid()}")
    try:
        rc = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "attacks.py"), args.scenario,
                             f"--pid={c.proc.pid}", f"--metrics-port={c.metrics_port}",
                             f"--probe-port={c.probe_port}"], timeout=300).returncode
        if c.proc.poll() is not None:
            print("FAIL the controller exited during the attack", flush=True)
            rc = 1
        if rc:
            c.dump()
        return rc
    finally:
        c.close()


def attack_speaker(kube, args):
    with SpeakerCluster(kube, args.speaker, nodes=1) as cluster:
        cluster.metrics_args = []  # the default: TLS and token check
        speaker = cluster.start_speaker(0)
        cluster.wait_ready(0)
        node = cluster.nodes[0]
        r = node.run(["/usr/bin/python3", os.path.join(HERE, "attacks.py"), args.scenario,
                      f"--pid={speaker.proc.pid}", f"--metrics-port={METRICS_PORT}",
                      f"--probe-port={PROBE_PORT}"], check=False, timeout=300)
        sys.stdout.write(r.stdout)
        sys.stdout.write(r.stderr)
        rc = r.returncode
        if not speaker.alive():
            print("FAIL the speaker exited during the attack", flush=True)
            rc = 1
        if rc:
            cluster.dump_logs()
        return rc


def chart_metrics_reader(kube, tag):
    """The chart's metrics-reader ClusterRole (rendered from config/helm/ironlb), named for
    this run, so the test grants exactly what an operator binds to Prometheus."""
    helm = os.environ.get("IRONLB_HELM") or kube.env["IRONLB_HELM"]
    out = subprocess.run([helm, "template", tag, os.path.join(ROOT, "config", "helm", "ironlb"),
                          "--namespace", tag, "--show-only", "templates/rbac.yaml"],
                         check=True, capture_output=True, text=True).stdout
    import yaml  # noqa: PLC0415  (PyYAML, already used by the chart checks)
    for doc in yaml.safe_load_all(out):
        if doc and doc["kind"] == "ClusterRole" and doc["metadata"]["name"].endswith(
                "-metrics-reader"):
            return doc
    raise RuntimeError("the chart renders no *-metrics-reader ClusterRole")


def auth(kube, args):
    tag = f"metrics-{os.getpid()}"
    failures = []

    def check(what, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            failures.append(what)

    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": tag}})
    role = None
    c = None
    try:
        if args.scenario == "insecure_opt_in":
            c = Controller(kube, args.controller, tag, insecure=True)
            status, body = get(f"http://127.0.0.1:{c.metrics_port}/metrics")
            check("--metrics-insecure: plain GET /metrics without a token -> 200",
                  status == 200 and "metallb_k8s_client" in body, f"got {status}")
            status, _ = get(f"https://127.0.0.1:{c.metrics_port}/metrics")
            check("--metrics-insecure: no TLS on the metrics port", status is None, f"got {status}")
            return 1 if failures else 0
        c = Controller(kube, args.controller, tag)
        url = f"https://127.0.0.1:{c.metrics_port}/metrics"
        if args.scenario == "requires_token":
            status, _ = get(url)
            check("no token -> 401", status == 401, f"got {status}")
            status, _ = get(url, "not-a-real-token")
            check("an invalid token -> 401", status == 401, f"got {status}")
            status, body = get(f"http://127.0.0.1:{c.metrics_port}/metrics")
            check("plain HTTP on the TLS port -> no metrics", "metallb_" not in body,
                  f"got {status}")
        else:
            sa = "scraper"
            kube.run("-n", tag, "create", "serviceaccount", sa)
            token = kube.run("-n", tag, "create", "token", sa, "--duration=10m").stdout.strip()
            if args.scenario == "sar_denied":
                status, body = get(url, token)
                check("an authenticated ServiceAccount without the grant -> 403",
                      status == 403 and f"system:serviceaccount:{tag}:{sa}" in body,
                      f"got {status} {body.strip()}")
            else:
                role = chart_metrics_reader(kube, tag)
                kube.apply(role)
                kube.apply({"apiVersion": "rbac.authorization.k8s.io/v1",
                            "kind": "ClusterRoleBinding", "metadata": {"name": tag},
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                        "kind": "ClusterRole", "name": role["metadata"]["name"]},
                            "subjects": [{"kind": "ServiceAccount", "name": sa,
                                          "namespace": tag}]})
                # RBAC and the controller's 10 s decision cache: poll for the grant.
                last = {}

                def allowed():
                    last["r"] = get(url, token)
                    return last["r"][0] == 200
                try:
                    wait_for(allowed, 30, 0.5, "metrics allowed")
                except TimeoutError:
                    pass
                status, body = last["r"]
                check("a ServiceAccount bound to the chart's metrics-reader -> 200 with metrics",
                      status == 200 and "metallb_k8s_client" in body, f"got {status}")
        return 1 if failures else 0
    finally:
        if failures and c:
            c.dump()
        if c:
            c.close()
        if role:
            kube.run("delete", "clusterrolebinding", tag, "--ignore-not-found", check=False)
            kube.run("delete", "clusterrole", role["metadata"]["name"], "--ignore-not-found",
                     check=False)
        kube.run("delete", "namespace", tag, "--wait=false", check=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--controller", required=True)
    p.add_argument("--speaker", required=True)
    p.add_argument("daemon", choices=["controller", "speaker"])
    p.add_argument("scenario", choices=ATTACKS + AUTH)
    args = p.parse_args()
    kube = Kube(args.state)
    if args.scenario in AUTH:
        return auth(kube, args)
    return attack_speaker(kube, args) if args.daemon == "speaker" else attack_controller(kube, args)


if __name__ == "__main__":
    sys.exit(main())
