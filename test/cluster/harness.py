#!/usr/bin/python3
"""What the cluster scenarios (test/cluster/scenarios/*.py) share: the running cluster
(localcluster.py), kubectl and Helm against it, a real client on the node network, and the
ironlb image as built (config/image/build.sh).

    h = Harness.from_args()                   # --state DIR --image-dir DIR
    h.install()                               # helm install, the chart's own defaults
    svc = h.web_service("default", "hello")   # Deployment of the test image + LB Service
    h.fetch(svc.ipv4)                         # -> "hello from <pod>"

Polling with deadlines only; every helper raises with what it was waiting for.
"""

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from localcluster import LocalCluster, cgroup_pids, run, wait_for  # noqa: E402,F401

SYSTEM_NS = "metallb-system"
RELEASE = "ironlb"
SCRAPER_SA = "ironlb-test-scraper"  # reads the speakers' /metrics (scraper_token())
# Where the scraper's account lives: like Prometheus, outside ironlb's namespace, so that
# uninstalling ironlb leaves nothing of ironlb's behind in its namespace but nothing of the
# scraper's is counted as ironlb's either.
SCRAPER_NS = "monitoring"
CHART = os.path.join(ROOT, "config", "helm", "ironlb")
SAMPLES = os.path.join(ROOT, "config", "samples")
BACKEND_IMAGE = "ironlb.test/hello:1"
BACKEND_PORT = 8080
# Pool for traffic: the sandbox sample's documentation ranges (on-link for the client).
TRAFFIC_POOL = "sandbox"
PROBE = os.path.join(HERE, "probe.py")


class Harness:
    def __init__(self, state, image_dir):
        self.cluster = LocalCluster(state).load()
        self.kube = self.cluster.kube()
        self.image_dir = image_dir
        with open(os.path.join(image_dir, "ironlb.ref")) as f:
            self.image_ref = f.read().strip()
        with open(os.path.join(image_dir, "ironlb.digest")) as f:
            self.image_digest = f.read().strip()       # manifest digest (what registries show)
        with open(os.path.join(image_dir, "ironlb.summary.json")) as f:
            self.image_id = json.load(f)["config_digest"]  # the image ID the kubelet reports
        self.helm_env = dict(os.environ)
        for k, v in self.kube.env.items():
            if k.startswith("HELM_") or k == "KUBECONFIG":
                self.helm_env[k] = v
        self.helm_bin = self.kube.env["IRONLB_HELM"]

    @classmethod
    def from_args(cls, argv=None):
        p = argparse.ArgumentParser()
        p.add_argument("--state", required=True, help="the cluster's state directory")
        p.add_argument("--image-dir", required=True, help="config/image/build.sh's output")
        args = p.parse_args(argv)
        return cls(args.state, args.image_dir)

    # ------------------------------------------------------------------ Helm
    def helm(self, *args, timeout=300, check=True):
        r = subprocess.run([self.helm_bin, *args], env=self.helm_env, capture_output=True,
                           text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"helm {' '.join(args)}: {r.stderr.strip()}")
        return r

    def install(self, *values):
        """`helm install` as the README says, plus --set values; two controller replicas so
        one is always on standby."""
        # The speakers' /metrics is TLS with a token check (docs/metrics-endpoint.md): the chart
        # binds its metrics-reader ClusterRole to the ServiceAccount speaker_metrics() uses.
        sets = ["--set", "controller.replicas=2",
                "--set", f"prometheus.metricsReader.serviceAccount={SCRAPER_SA}",
                "--set", f"prometheus.metricsReader.namespace={SCRAPER_NS}"]
        for v in values:
            sets += ["--set", v]
        return self.helm("install", RELEASE, CHART, "-n", SYSTEM_NS, "--create-namespace",
                         *sets)

    def variant_image(self, tag):
        """The built image again under another tag, with one more label, so its digest and
        image ID differ (what an upgrade to a new release looks like to the nodes); imported
        on every node. Returns its reference."""
        sys.path.insert(0, os.path.join(ROOT, "config", "image"))
        import oci_image  # noqa: E402 - the image writer, a sibling directory
        with open(os.path.join(self.image_dir, "ironlb.spec.json")) as f:
            spec = json.load(f)
        repo = self.image_ref.rsplit(":", 1)[0]
        ref = f"{repo}:{tag}"
        spec["references"] = [ref]
        spec["config"]["Labels"]["ironlb.test/variant"] = tag
        for layer in spec["layers"]:   # build.sh names some sources relative to the checkout
            for e in layer["entries"]:
                if "source" in e and not os.path.isabs(e["source"]):
                    e["source"] = os.path.join(ROOT, e["source"])
        archive = os.path.join(self.image_dir, f"ironlb-{tag}.oci.tar")
        oci_image.write_image(spec, archive)
        self.cluster.import_image(archive)
        return ref

    def installed(self):
        r = self.helm("status", RELEASE, "-n", SYSTEM_NS, check=False)
        return r.returncode == 0

    # ------------------------------------------------------------------ ironlb's pods
    def ironlb_pods(self, component=None):
        sel = f"app.kubernetes.io/name=ironlb,app.kubernetes.io/instance={RELEASE}"
        if component:
            sel += f",app.kubernetes.io/component={component}"
        return self.kube.list("pods", SYSTEM_NS, selector=sel)

    def wait_ironlb_ready(self, timeout=180, image=None):
        """Every speaker (one per node) and every controller replica Ready, through their
        probes; with `image`, every one of them running that image."""
        nodes = {n["name"] for n in self.cluster.nodes}

        def ready():
            ds = self.kube.get("daemonset", f"{RELEASE}-speaker", SYSTEM_NS) or {}
            dep = self.kube.get("deployment", f"{RELEASE}-controller", SYSTEM_NS) or {}
            st, dst = ds.get("status", {}), dep.get("status", {})
            if st.get("observedGeneration") != ds.get("metadata", {}).get("generation"):
                return False
            if st.get("numberReady") != len(nodes) or st.get("updatedNumberScheduled") != \
                    len(nodes):
                return False
            want = dep.get("spec", {}).get("replicas")
            if dst.get("observedGeneration") != dep.get("metadata", {}).get("generation"):
                return False
            if dst.get("readyReplicas") != want or dst.get("updatedReplicas") != want or \
                    dst.get("replicas") != want:
                return False
            pods = [p for p in self.ironlb_pods() if not p["metadata"].get("deletionTimestamp")]
            if len(pods) != len(nodes) + want:
                return False
            if {p["spec"].get("nodeName") for p in self.ironlb_pods("speaker")} != nodes:
                return False
            if image and any(c["image"] != image for p in pods
                             for c in p["spec"]["containers"]):
                return False
            return all(pod_ready(p) for p in pods)
        wait_for(ready, timeout, 0.5, "every ironlb pod Ready")

    def controller_leader(self):
        lease = self.kube.get("lease", f"{RELEASE}-controller", SYSTEM_NS) or {}
        return lease.get("spec", {}).get("holderIdentity")

    # ------------------------------------------------------------------ workloads
    def apply_file(self, path):
        self.kube.run("apply", "-f", path)

    def namespace(self, name):
        """Creates namespace `name`, first waiting out a deletion a previous run left."""
        wait_for(lambda: not (self.kube.get("namespace", name) or {}).get("metadata", {}).get(
            "deletionTimestamp"), 120, 0.3, f"namespace {name} to finish terminating")
        self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def backend(self, ns, name, replicas=2, kind="Deployment", node_selector=None,
                labels=None, ready_port=BACKEND_PORT):
        """The test image serving "hello from <pod>" on 8080, with a readiness probe (on
        `ready_port`: another port makes the pods run but never become Ready)."""
        labels = labels or {"app": name}
        spec = {"containers": [{
            "name": "web", "image": BACKEND_IMAGE, "imagePullPolicy": "Never",
            "ports": [{"containerPort": BACKEND_PORT}],
            "readinessProbe": {"tcpSocket": {"port": ready_port}, "periodSeconds": 1},
        }], "terminationGracePeriodSeconds": 1}
        if node_selector:
            spec["nodeSelector"] = node_selector
        self.kube.apply({"apiVersion": "apps/v1", "kind": kind,
                         "metadata": {"name": name, "namespace": ns},
                         "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                                  "template": {"metadata": {"labels": labels}, "spec": spec}}})

    def lb_service(self, ns, name, selector=None, local=False, dual=True, pool=TRAFFIC_POOL,
                   port=80):
        spec = {"type": "LoadBalancer", "selector": selector or {"app": name},
                "ports": [{"name": "http", "port": port, "targetPort": BACKEND_PORT}]}
        if dual:
            spec.update(ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv4", "IPv6"])
        if local:
            spec["externalTrafficPolicy"] = "Local"
        meta = {"name": name, "namespace": ns}
        if pool:
            meta["annotations"] = {"metallb.io/address-pool": pool}
        self.kube.apply({"apiVersion": "v1", "kind": "Service", "metadata": meta,
                         "spec": spec})

    def wait_ingress(self, ns, name, count=None, timeout=60):
        want = count or 1
        return wait_for(lambda: (lambda ips: ips if len(ips) >= want else None)(
            self.kube.ingress_ips(name, ns)), timeout, 0.2, f"EXTERNAL-IP of {ns}/{name}")

    def ready_pods(self, ns, selector):
        return [p for p in self.kube.list("pods", ns, selector=selector)
                if pod_ready(p) and not p["metadata"].get("deletionTimestamp")]

    def wait_ready_pods(self, ns, selector, count, timeout=120):
        return wait_for(lambda: (lambda ps: ps if len(ps) == count else None)(
            self.ready_pods(ns, selector)), timeout, 0.3,
            f"{count} Ready pods {selector} in {ns}")

    def all_ingress(self):
        """{ns/name: [ips]} for every LoadBalancer Service."""
        out = {}
        for s in self.kube.list("services"):
            if s["spec"].get("type") == "LoadBalancer":
                key = f"{s['metadata']['namespace']}/{s['metadata']['name']}"
                out[key] = [i.get("ip") for i in
                            s.get("status", {}).get("loadBalancer", {}).get("ingress", [])]
        return out

    def delete(self, *args):
        self.kube.run("delete", "--ignore-not-found", "--wait=true", "--timeout=120s", *args,
                      timeout=150)

    # ------------------------------------------------------------------ the client
    def client(self, args, timeout=30, check=False):
        return run(["ip", "netns", "exec", self.cluster.client_ns, *args], check=check,
                   timeout=timeout)

    def fetch(self, ip, port=80, timeout=2):
        """One HTTP GET from the client through its own kernel; the body or None."""
        host = f"[{ip}]" if ":" in ip else ip
        r = self.client(["curl", "-sS", "--max-time", str(timeout), f"http://{host}:{port}/"],
                        timeout=timeout + 10)
        return r.stdout.strip() if r.returncode == 0 else None

    def wait_fetch(self, ip, timeout=30, expect=None):
        def ok():
            body = self.fetch(ip)
            if body and (expect is None or expect(body)):
                return body
            return None
        return wait_for(ok, timeout, 0.2, f"the client fetching a page from {ip}")

    def neigh(self, ip):
        """The MAC in the client's neighbour table for ip, or None."""
        out = run(["ip", "-j", "-n", self.cluster.client_ns, "neigh", "show", "to", ip]).stdout
        for e in json.loads(out) if out.strip() else []:
            if e.get("lladdr") and "FAILED" not in e.get("state", []) and \
                    "INCOMPLETE" not in e.get("state", []):
                return e["lladdr"]
        return None

    def resolve(self, ip):
        """Lets the client's kernel resolve ip (one ping), returns the MAC it learnt."""
        run(["ip", "-n", self.cluster.client_ns, "neigh", "flush", "to", ip], check=False)
        self.client(["ping", "-c", "1", "-W", "1", ip], timeout=10)
        return self.neigh(ip)

    def answers(self, ip, timeout=1.0):
        """MACs answering the client's ARP request / Neighbor Solicitation for ip (scapy)."""
        cmd = "probe-ns" if ":" in ip else "probe-arp"
        r = self.client(["/usr/bin/python3", os.path.join(ROOT, "test", "netns",
                                                          "scapy_client.py"),
                         cmd, "eth0", ip, str(timeout)], check=True)
        return sorted(json.loads(r.stdout.strip().splitlines()[-1])["answers"])

    # ------------------------------------------------------------------ nodes
    def node_mac(self, name):
        n = self.cluster.node(name)
        return json.loads(run(["ip", "-j", "-n", n["ns"], "link", "show", "eth0"]).stdout)[0][
            "address"]

    def node_of_mac(self, mac):
        for n in self.cluster.nodes:
            if self.node_mac(n["name"]) == mac:
                return n["name"]
        return None

    def owner(self, ip, timeout=30):
        """The node whose MAC answers for ip, once exactly one node answers."""
        def one():
            macs = self.answers(ip)
            return self.node_of_mac(macs[0]) if len(macs) == 1 else None
        return wait_for(one, timeout, 0.1, f"exactly one node answering for {ip}")

    def l2status_node(self, ns, name):
        for s in self.kube.list("servicel2statuses", SYSTEM_NS):
            st = s.get("status", {})
            if st.get("serviceName") == name and st.get("serviceNamespace") == ns:
                return st.get("node")
        return None

    def processes(self, node, comm):
        """PIDs of processes named `comm` among the node's processes (its cgroup)."""
        out = []
        for pid in cgroup_pids(f"{self.cluster.cgroup}/{node}"):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == comm[:15]:
                        out.append(pid)
            except OSError:
                pass
        return out

    def proc_status(self, pid):
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)

    def scraper_token(self):
        """A token of SCRAPER_SA (bound to the chart's metrics-reader ClusterRole by install())."""
        if getattr(self, "_scraper_token", None) is None:
            self.kube.run("create", "namespace", SCRAPER_NS, check=False)
            self.kube.run("-n", SCRAPER_NS, "create", "serviceaccount", SCRAPER_SA, check=False)
            self._scraper_token = self.kube.run("-n", SCRAPER_NS, "create", "token", SCRAPER_SA,
                                                "--duration=2h").stdout.strip()
        return self._scraper_token

    def speaker_metrics(self, node):
        """The speaker's /metrics as Prometheus gets it: TLS (its self-signed certificate) and
        a ServiceAccount token the speaker checks by TokenReview + SubjectAccessReview."""
        n = self.cluster.node(node)
        r = run(["nsenter", f"--net=/run/netns/{n['ns']}", "curl", "-sS", "-k", "--max-time", "3",
                 "-H", f"Authorization: Bearer {self.scraper_token()}",
                 f"https://{n['ipv4']}:7472/metrics"], check=False)
        return r.stdout if r.returncode == 0 else ""


def reasons(h, ip):
    """{node: reason} from each speaker's ironlb_speaker_ip_unannounced metric for ip."""
    out = {}
    for n in h.cluster.nodes:
        for line in h.speaker_metrics(n["name"]).splitlines():
            if line.startswith("ironlb_speaker_ip_unannounced{") and f'ip="{ip}"' in line \
                    and not line.endswith(" 0"):
                out[n["name"]] = line.split('reason="')[1].split('"')[0]
    return out


def pod_ready(pod):
    for c in pod.get("status", {}).get("conditions", []):
        if c["type"] == "Ready":
            return c["status"] == "True"
    return False


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Prober:
    """probe.py in the client namespace: a new TCP connection and GET every `interval`
    seconds against each target, until stop(). Results carry CLOCK_MONOTONIC times, the same
    clock as time.monotonic() here."""

    def __init__(self, harness, targets, interval=0.05, timeout=0.5, max_seconds=600):
        self.results = []
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", harness.cluster.client_ns, "/usr/bin/python3", PROBE,
             "--interval", str(interval), "--timeout", str(timeout),
             "--max-seconds", str(max_seconds), *targets],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.results.append(json.loads(line))
            except ValueError:
                pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(timeout=10)
        return self.results

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    @staticmethod
    def longest_gap(results, target, since=None, until=None):
        """Longest time between two successive answered requests to target (seconds) in
        [since, until], with the times of the gap."""
        oks = [r["end"] for r in results if r["target"] == target and r["ok"] and
               (since is None or r["end"] >= since) and (until is None or r["end"] <= until)]
        if len(oks) < 2:
            return float("inf"), None, None
        gap, a, b = max((b - a, a, b) for a, b in zip(oks, oks[1:]))
        return gap, a, b

    @staticmethod
    def first_ok_after(results, target, t):
        """The end time of the first answered request started at or after t."""
        ends = [r["end"] for r in results if r["target"] == target and r["ok"] and
                r["start"] >= t]
        return min(ends) if ends else None


class NeighbourWatch:
    """`ip monitor neigh` in the client namespace: when the client's entry for each IP changes
    MAC, timestamped as the event is read."""

    def __init__(self, harness, ips):
        self.ips = set(ips)
        self.events = []  # (time.monotonic(), ip, mac)
        self.proc = subprocess.Popen(["ip", "-n", harness.cluster.client_ns, "monitor", "neigh"],
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        pattern = re.compile(r"^(?:Deleted )?(\S+) dev \S+ lladdr (\S+)")
        for line in self.proc.stdout:
            m = pattern.match(line)
            if m and m.group(1) in self.ips and not line.startswith("Deleted"):
                self.events.append((time.monotonic(), m.group(1), m.group(2)))

    def first_change(self, ip, since, away_from):
        for t, i, mac in list(self.events):
            if i == ip and t >= since and mac != away_from:
                return t, mac
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self._reader.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def scenario(fn):
    """Runs one scenario as a test program: prints PASS/FAIL with the reason, and on failure
    what ironlb's pods and the cluster looked like."""
    h = Harness.from_args()
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    try:
        fn(h)
    except BaseException as e:  # noqa: BLE001 - report anything, then fail
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        try:
            print(h.kube.run("get", "pods", "-A", "-o", "wide", check=False).stdout)
            print(h.kube.run("get", "svc", "-A", check=False).stdout)
            for p in h.ironlb_pods():
                logs = h.kube.run("logs", "-n", SYSTEM_NS, p["metadata"]["name"], "--tail=30",
                                  check=False).stdout
                print(f"---- {p['metadata']['name']} ({p['spec'].get('nodeName')})\n{logs}")
        except Exception:  # noqa: BLE001 - diagnostics must not hide the failure
            pass
        sys.exit(1)
    print(f"PASS {name}", flush=True)
