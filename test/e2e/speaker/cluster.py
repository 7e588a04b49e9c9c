#!/usr/bin/python3
"""End-to-end harness for ironlb-speaker: real speakers in network namespaces against the real
kube-apiserver of the test control plane (test/controlplane), with a real client.

    kube = Kube(state_dir)                     # the control plane's env file
    with SpeakerCluster(kube, speaker_bin, nodes=3) as c:
        c.pool("p", ["192.0.2.100-192.0.2.119"]); c.advertise("all", pools=["p"])
        c.service("web", ["192.0.2.100"], endpoints=[0, 1])
        owner = c.wait_single_owner("192.0.2.100")
        c.client_reaches("192.0.2.100") == c.nodes[owner].name

Per run: a network topology (topology.py: bridge + client + N nodes, unique prefix), one
Kubernetes namespace for the custom resources and Services, one Node object per node namespace
(InternalIP = its eth0 address, labels ironlb.test/run=<tag>), a loadBalancerClass unique to the
run so other tests' Services are never ours, a membership key file, and apiforward.py giving each
node namespace https://127.0.0.1:<apiserver port>. Until the controller lands, LB IPs are
assigned by patching Service status like the controller would. Everything is deleted on exit,
also on failure. Polling with deadlines only.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "netns"))
from topology import Topology, wait_for  # noqa: E402,F401

METRICS_PORT = 7472
PROBE_PORT = 7473
MEMBER_PORT = 7946
LISTEN_PORT = 8080

# Answers every connection with the name of the node it runs on; accepts any local address, so
# a VIP on lo is served by whichever node receives the traffic.
LISTENER = r"""
import socket, sys, threading
name = sys.argv[1].encode()
s = socket.create_server(("::", %d), family=socket.AF_INET6, dualstack_ipv6=True, backlog=64)
print("up", flush=True)
while True:
    c, _ = s.accept()
    try:
        c.sendall(name)
    finally:
        c.close()
""" % LISTEN_PORT


def parse_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"export (\w+)=(.*)$", line.strip())
            if m:
                env[m.group(1)] = m.group(2).strip("'\"")
    return env


class Kube:
    """kubectl against the test control plane (admin)."""

    def __init__(self, state_dir):
        self.state = state_dir
        self.env = parse_env(os.path.join(state_dir, "env"))
        self.kubectl = self.env["IRONLB_KUBECTL"]
        self.kubeconfig = self.env["IRONLB_KUBECONFIG"]
        self.port = int(self.env["IRONLB_APISERVER_PORT"])

    def run(self, *args, input=None, check=True, timeout=60):
        cmd = [self.kubectl, "--kubeconfig", self.kubeconfig, *args]
        r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
        return r

    def apply(self, *objects):
        self.run("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                       "items": list(objects)}))

    def create(self, obj):
        return json.loads(self.run("create", "-o", "json", "-f", "-", input=json.dumps(obj)).stdout)

    def get(self, kind, name, ns=None):
        args = ["get", kind, name, "-o", "json"] + (["-n", ns] if ns else [])
        r = self.run(*args, check=False)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def ingress_ips(self, name, ns):
        """status.loadBalancer.ingress[].ip of Service ns/name ([] when absent)."""
        svc = self.get("service", name, ns) or {}
        return [i.get("ip") for i in
                svc.get("status", {}).get("loadBalancer", {}).get("ingress", [])]

    def list(self, kind, ns=None, selector=None):
        args = ["get", kind, "-o", "json"] + (["-n", ns] if ns else []) + \
            (["-l", selector] if selector else [])
        return json.loads(self.run(*args).stdout)["items"]

    def patch(self, kind, name, patch, ns=None, status=False):
        args = ["patch", kind, name, "--type=merge", "-p", json.dumps(patch)]
        if ns:
            args += ["-n", ns]
        if status:
            args += ["--subresource=status"]
        self.run(*args)

    def delete(self, kind, name=None, ns=None, selector=None):
        args = ["delete", kind] + ([name] if name else []) + (["-n", ns] if ns else []) + \
            (["-l", selector] if selector else []) + ["--ignore-not-found", "--wait=false"]
        if not name and not selector:
            args.append("--all")
        self.run(*args, check=False)

    def events(self, ns, reason=None, name=None):
        out = []
        for e in self.list("events", ns):
            if reason and e.get("reason") != reason:
                continue
            if name and e.get("involvedObject", {}).get("name") != name:
                continue
            out.append(e)
        return out

    def apiserver(self, action):
        """stop | start the API server (component.sh), keeping etcd and the data."""
        subprocess.run([os.path.join(ROOT, "test", "controlplane", "component.sh"), self.state,
                        "kube-apiserver", action], check=True, capture_output=True, timeout=120)


_crds_applied = False


class Speaker:
    """One ironlb-speaker process in a node namespace."""

    def __init__(self, cluster, index, extra_args=()):
        self.cluster = cluster
        self.index = index
        node = cluster.nodes[index]
        self.log_path = os.path.join(cluster.workdir, f"speaker-{index}.log")
        self.log = open(self.log_path, "a")
        args = [cluster.speaker_bin,
                f"--kubeconfig={cluster.kube.kubeconfig}",
                f"--namespace={cluster.ns}",
                f"--lb-class={cluster.lb_class}",
                f"--metrics-address=127.0.0.1:{METRICS_PORT}",
                f"--probe-address=127.0.0.1:{PROBE_PORT}", *cluster.metrics_args,
                f"--node-name={cluster.node_names[index]}",
                f"--memberlist-address={node.ipv4}",
                f"--memberlist-port={MEMBER_PORT}",
                f"--memberlist-key-file={cluster.key_file}",
                "--log-level=debug", *extra_args]
        self.proc = node.popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                               stderr=subprocess.STDOUT)

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def wait(self, timeout=15):
        return self.proc.wait(timeout=timeout)


class SpeakerCluster:
    def __init__(self, kube, speaker_bin, nodes=3, zones=None, controller_bin=None,
                 namespace=None, lb_class=None):
        """namespace / lb_class default to ones unique to the run; lb_class="" handles
        Services without a loadBalancerClass (a real installation's default)."""
        self.kube = kube
        self.namespace = namespace
        self.wanted_lb_class = lb_class
        self.speaker_bin = speaker_bin
        self.controller_bin = controller_bin
        self.controller = None
        self.topo = Topology(nodes=nodes)
        self.zones = zones or {}
        self.speakers = {}
        self.listeners = []
        # The harness scrapes /metrics in plain HTTP (docs/metrics-endpoint.md: an opt-in);
        # tests of the secure endpoint set this to [].
        self.metrics_args = ["--metrics-insecure"]

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self):
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _setup(self):
        global _crds_applied
        self.topo.__enter__()
        self.tag = self.topo.prefix
        self.ns = self.namespace or f"e2e-{self.tag}"
        self.lb_class = (f"ironlb.test/{self.tag}" if self.wanted_lb_class is None
                         else self.wanted_lb_class)
        self.nodes = self.topo.nodes
        self.client = self.topo.client
        self.node_names = [f"{self.tag}-n{i}" for i in range(len(self.nodes))]
        self.workdir = tempfile.mkdtemp(prefix=f"{self.tag}-")
        self.key_file = os.path.join(self.workdir, "secretkey")
        with open(self.key_file, "w") as f:
            f.write(os.urandom(24).hex())
        if not _crds_applied:
            self.kube.run("apply", "--server-side", "--force-conflicts",
                          "--field-manager=ironlb-e2e", "-f", os.path.join(ROOT, "crds"))
            for crd in ("ipaddresspools", "l2advertisements", "servicel2statuses"):
                self.kube.run("wait", "--for=condition=Established",
                              f"crd/{crd}.metallb.io", "--timeout=60s")
            _crds_applied = True
        self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ns}})
        self.topo.forward_loopback(self.kube.port)
        # VIPs from the other documentation ranges are on-link for the client too.
        for net in ("198.51.100.0/24", "203.0.113.0/24"):
            self.client.ip("route", "add", net, "dev", "eth0")
        for i, node in enumerate(self.nodes):
            self.create_node(i)
            # The node accepts traffic for VIPs on lo but its kernel never answers ARP for them.
            node.sysctl("net.ipv4.conf.all.arp_ignore", 1)
            node.sysctl("net.ipv4.conf.all.arp_announce", 2)
            # VIP traffic may arrive on an interface without a route back (a second NIC).
            node.sysctl("net.ipv4.conf.all.rp_filter", 0)
            node.sysctl("net.ipv4.conf.default.rp_filter", 0)
            listener = node.popen(["/usr/bin/python3", "-c", LISTENER, self.node_names[i]],
                                  stdin=subprocess.DEVNULL)
            if listener.stdout.readline().strip() != "up":
                raise RuntimeError(f"listener in {node.ns} did not start")
        if self.controller_bin:
            self.start_controller()

    def start_controller(self):
        """The real ironlb-controller, in the host namespace (it talks to 127.0.0.1 directly)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.controller_log = open(os.path.join(self.workdir, "controller.log"), "a")
        self.controller = subprocess.Popen(
            [self.controller_bin, f"--kubeconfig={self.kube.kubeconfig}",
             f"--namespace={self.ns}", f"--lb-class={self.lb_class}",
             f"--metrics-address=127.0.0.1:{port}", "--probe-address=127.0.0.1:0",
             "--metrics-insecure", f"--identity={self.tag}",
             "--log-level=debug"],
            stdin=subprocess.DEVNULL, stdout=self.controller_log, stderr=subprocess.STDOUT)

    def close(self):
        for s in self.speakers.values():
            if s.alive():
                s.proc.kill()
        if self.controller is not None:
            if self.controller.poll() is None:
                self.controller.kill()
            self.controller.wait(timeout=10)
            self.controller_log.close()
            self.controller = None
        try:
            if hasattr(self, "ns"):
                # The controller's pool protection (docs/allocation.md) is gone with it.
                for pool in self.kube.list("ipaddresspools", self.ns):
                    if pool["metadata"].get("finalizers"):
                        self.kube.patch("ipaddresspools", pool["metadata"]["name"],
                                        {"metadata": {"finalizers": None}}, ns=self.ns)
                for kind in ("services", "endpointslices", "servicel2statuses",
                             "l2advertisements", "ipaddresspools", "events"):
                    self.kube.delete(kind, ns=self.ns)
                self.kube.delete("namespace", self.ns)
                self.kube.delete("nodes", selector=f"ironlb.test/run={self.tag}")
        finally:
            self.topo.close()
            for s in self.speakers.values():
                s.log.close()

    def dump_logs(self, stream=sys.stderr, lines=80):
        if self.controller is not None:
            try:
                with open(os.path.join(self.workdir, "controller.log")) as f:
                    stream.write("----- controller -----\n")
                    stream.writelines(f.readlines()[-lines:])
            except OSError:
                pass
        for i, s in self.speakers.items():
            try:
                with open(s.log_path) as f:
                    tail = f.readlines()[-lines:]
            except OSError:
                continue
            stream.write(f"----- speaker {i} ({self.node_names[i]}) -----\n")
            stream.writelines(tail)

    # ------------------------------------------------------------------ Kubernetes objects
    def create_node(self, i, labels=None, network_unavailable=False):
        name = self.node_names[i]
        all_labels = {"ironlb.test/run": self.tag, "kubernetes.io/hostname": name,
                      "zone": self.zones.get(i, "a")}
        all_labels.update(labels or {})
        self.kube.apply({"apiVersion": "v1", "kind": "Node",
                         "metadata": {"name": name, "labels": all_labels}})
        self.set_node_status(i, network_unavailable)

    def set_node_status(self, i, network_unavailable=False):
        conditions = [{"type": "Ready", "status": "True", "reason": "E2E"},
                      {"type": "NetworkUnavailable",
                       "status": "True" if network_unavailable else "False", "reason": "E2E"}]
        self.kube.patch("node", self.node_names[i], {"status": {
            "addresses": [{"type": "InternalIP", "address": self.nodes[i].ipv4},
                          {"type": "Hostname", "address": self.node_names[i]}],
            "conditions": conditions}}, status=True)

    def label_node(self, i, key, value):
        """value None removes the label."""
        self.kube.patch("node", self.node_names[i], {"metadata": {"labels": {key: value}}})

    def pool(self, name, addresses):
        self.kube.apply({"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
                         "metadata": {"name": name, "namespace": self.ns},
                         "spec": {"addresses": addresses}})

    def advertise(self, name, pools=None, node_selectors=None, interfaces=None,
                  service_selectors=None):
        spec = {}
        if pools:
            spec["ipAddressPools"] = pools
        if node_selectors:
            spec["nodeSelectors"] = [{"matchLabels": m} for m in node_selectors]
        if interfaces:
            spec["interfaces"] = interfaces
        if service_selectors:
            spec["serviceSelectors"] = [{"matchLabels": m} for m in service_selectors]
        self.kube.apply({"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
                         "metadata": {"name": name, "namespace": self.ns}, "spec": spec})

    def service(self, name, ips, endpoints=(), local=False, labels=None, ready=True, raw=False,
                port=LISTEN_PORT, share=None):
        """A LoadBalancer Service of this run's class with `ips` as its LB IPs and an
        EndpointSlice with one endpoint on each node in `endpoints` (indexes). With the real
        controller running the IPs are requested (annotation metallb.io/loadBalancerIPs) and
        assigned by it; otherwise, or with raw=True (shapes the controller would refuse), the
        status is written directly as the controller would."""
        families = []
        for ip in ips:
            family = "IPv6" if ":" in ip else "IPv4"
            if family not in families:
                families.append(family)
        spec = {"type": "LoadBalancer", "loadBalancerClass": self.lb_class,
                "ports": [{"name": "http", "port": port, "protocol": "TCP"}],
                "selector": {"app": name},
                "externalTrafficPolicy": "Local" if local else "Cluster",
                "ipFamilies": families,
                "ipFamilyPolicy": "RequireDualStack" if len(families) > 1 else "SingleStack"}
        via_controller = self.controller is not None and not raw
        annotations = {"metallb.io/loadBalancerIPs": ",".join(ips)} if via_controller else {}
        if share:
            annotations["metallb.io/allow-shared-ip"] = share
        self.kube.apply({"apiVersion": "v1", "kind": "Service",
                         "metadata": {"name": name, "namespace": self.ns,
                                      "labels": labels or {}, "annotations": annotations},
                         "spec": spec})
        if via_controller:
            wait_for(lambda: self.kube.ingress_ips(name, self.ns) == ips, 30, 0.1,
                     f"the controller assigning {ips} to {name}")
        else:
            self.set_ingress(name, ips)
        self.set_endpoints(name, endpoints, ready=ready)

    def set_ingress(self, name, ips):
        self.kube.patch("service", name, {"status": {"loadBalancer": {
            "ingress": [{"ip": ip} for ip in ips]}}}, ns=self.ns, status=True)

    def set_endpoints(self, name, nodes, ready=True, ns=None, port=LISTEN_PORT):
        """The EndpointSlice "<name>-e2e" of Service name (in ns, default the run's): one
        endpoint per node index in `nodes` (kube-controller-manager's job in a cluster)."""
        endpoints = [{"addresses": [f"10.244.{i}.10"], "conditions": {"ready": ready},
                      "nodeName": self.node_names[i]} for i in nodes]
        self.kube.apply({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                         "metadata": {"name": f"{name}-e2e", "namespace": ns or self.ns,
                                      "labels": {"kubernetes.io/service-name": name}},
                         "addressType": "IPv4", "endpoints": endpoints,
                         "ports": [{"name": "http", "port": port, "protocol": "TCP"}]})

    def l2statuses(self):
        return self.kube.list("servicel2statuses.metallb.io", self.ns)

    # ------------------------------------------------------------------ speakers
    def start_speaker(self, i, extra_args=()):
        old = self.speakers.get(i)
        if old and old.alive():
            raise RuntimeError(f"speaker {i} already running")
        if old:
            old.log.close()
        self.speakers[i] = Speaker(self, i, extra_args)
        return self.speakers[i]

    def start_all(self, extra_args=()):
        for i in range(len(self.nodes)):
            self.start_speaker(i, extra_args)
        for i in range(len(self.nodes)):
            self.wait_ready(i)

    def metrics(self, i):
        r = self.nodes[i].run(["curl", "-s", "--max-time", "2",
                               f"http://127.0.0.1:{METRICS_PORT}/metrics"], check=False)
        return r.stdout if r.returncode == 0 else ""

    def ready(self, i):
        r = self.nodes[i].run(["curl", "-s", "--max-time", "2", "-o", "/dev/null", "-w",
                               "%{http_code}", f"http://127.0.0.1:{PROBE_PORT}/readyz"],
                              check=False)
        return r.stdout.strip() == "200"

    def wait_ready(self, i, timeout=30):
        try:
            wait_for(lambda: self.ready(i), timeout, 0.05, f"speaker {i} ready")
        except TimeoutError:
            self.dump_logs()
            raise

    @staticmethod
    def samples(text, name):
        """[(labels dict, value)] for metric `name` in a Prometheus text exposition."""
        out = []
        for line in text.splitlines():
            if not line.startswith(name):
                continue
            m = re.match(r"^" + re.escape(name) + r"(\{(.*)\})?\s+(\S+)$", line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            out.append((labels, float(m.group(3))))
        return out

    def metric(self, i, name, **match):
        total = 0.0
        for labels, value in self.samples(self.metrics(i), name):
            if all(labels.get(k) == v for k, v in match.items()):
                total += value
        return total

    def announcers(self, ip, among=None):
        """Indexes of running speakers that announce `ip` (metallb_speaker_announced)."""
        out = set()
        for i in among if among is not None else self.running():
            if any(l.get("ip") == ip for l, v in self.samples(self.metrics(i),
                                                             "metallb_speaker_announced") if v):
                out.add(i)
        return out

    def computed_owner(self, i, ip):
        """The owner speaker i computes for ip, or None."""
        for labels, v in self.samples(self.metrics(i), "ironlb_speaker_ip_owner"):
            if labels.get("ip") == ip and v:
                return labels.get("node")
        return None

    def unannounced_reason(self, i, ip):
        for labels, v in self.samples(self.metrics(i), "ironlb_speaker_ip_unannounced"):
            if labels.get("ip") == ip and v:
                return labels.get("reason")
        return None

    def running(self):
        return [i for i, s in sorted(self.speakers.items()) if s.alive()]

    def wait_single_owner(self, ip, timeout=20, among=None, exclude=()):
        """Waits until exactly one running speaker announces ip, every running speaker computes
        it as the owner, and it is not in `exclude`. Returns its index."""
        def check():
            nodes = among if among is not None else self.running()
            owners = self.announcers(ip, nodes)
            if len(owners) != 1:
                return None
            (o,) = owners
            if o in exclude:
                return None
            if any(self.computed_owner(i, ip) != self.node_names[o] for i in nodes):
                return None
            return o + 1  # truthy
        try:
            return wait_for(check, timeout, 0.05, f"a single owner of {ip}") - 1
        except TimeoutError:
            self.dump_logs()
            raise

    def wait_nobody(self, ip, timeout=20):
        wait_for(lambda: not self.announcers(ip), timeout, 0.05, f"nobody announcing {ip}")

    # ------------------------------------------------------------------ data plane
    def add_vip(self, ip):
        """Every node accepts traffic for ip (on lo; arp_ignore keeps the kernels quiet)."""
        plen = 128 if ":" in ip else 32
        for node in self.nodes:
            node.ip("addr", "add", f"{ip}/{plen}", "dev", "lo")

    def client_reaches(self, ip, timeout=3):
        """Connects from the client to ip:8080 and returns the node name that answered."""
        family = "socket.AF_INET6" if ":" in ip else "socket.AF_INET"
        code = (f"import socket;s=socket.socket({family});s.settimeout({timeout});"
                f"s.connect(('{ip}',{LISTEN_PORT}));print(s.recv(100).decode())")
        r = self.client.run(["/usr/bin/python3", "-c", code], check=False, timeout=timeout + 5)
        return r.stdout.strip() if r.returncode == 0 else None

    def scapy(self, *args):
        r = self.client.run(["/usr/bin/python3", os.path.join(ROOT, "test", "netns",
                                                              "scapy_client.py"), *args])
        return json.loads(r.stdout.strip().splitlines()[-1])

    def answers(self, ip, timeout=1.0):
        """MACs answering an ARP request (IPv4) or a Neighbor Solicitation (IPv6) from the
        client."""
        cmd = "probe-ns" if ":" in ip else "probe-arp"
        return sorted(self.scapy(cmd, "eth0", ip, str(timeout))["answers"])

    def mac_of(self, i, ifname="eth0"):
        return self.nodes[i].mac(ifname)

    def node_of_mac(self, mac):
        for i, node in enumerate(self.nodes):
            links = json.loads(node.ip("-j", "link", "show").stdout)
            if any(l.get("address") == mac for l in links):
                return i
        return None

    def client_neigh(self, ip):
        return self.client.neigh(ip)

    def resolve_from_client(self, ip):
        """Lets the client's own kernel resolve ip (ping), returns the MAC it learnt."""
        cmd = ["ping", "-6"] if ":" in ip else ["ping"]
        self.client.run(cmd + ["-c", "1", "-W", "1", ip], check=False)
        return self.client.neigh(ip)

    def bridge_port(self, i):
        """The bridge-side port of node i's eth0."""
        ifindex = self.nodes[i].link("eth0").get("link_index")
        out = json.loads(subprocess.run(["ip", "-n", self.topo.bridge_ns, "-j", "link", "show"],
                                        capture_output=True, text=True, check=True).stdout)
        for l in out:
            if l.get("ifindex") == ifindex:
                return l["ifname"]
        raise RuntimeError(f"no bridge port for node {i}")

    def block_membership(self, side_a, side_b, blocked):
        """Nodes of side_a and side_b cannot exchange IP packets (blackhole routes both ways)
        while `blocked`; the L2 segment stays shared."""
        action = "add" if blocked else "del"
        for side, other in ((side_a, side_b), (side_b, side_a)):
            for i in side:
                for j in other:
                    self.nodes[i].ip("route", action, "blackhole", f"{self.nodes[j].ipv4}/32",
                                     check=blocked)

    def set_port(self, i, up):
        subprocess.run(["ip", "-n", self.topo.bridge_ns, "link", "set", self.bridge_port(i),
                        "up" if up else "down"], check=True)


# ---------------------------------------------------------------------------------------------
# Test entry point shared by the test_*.py files.

ARGS = {}


def main():
    """test_x.py --state DIR --speaker BIN [unittest args]"""
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True, help="test control plane state directory")
    p.add_argument("--speaker", required=True, help="ironlb-speaker binary")
    p.add_argument("--controller", help="ironlb-controller binary: assigns the LB IPs")
    args, rest = p.parse_known_args()
    ARGS["kube"] = Kube(args.state)
    ARGS["speaker"] = args.speaker
    ARGS["controller"] = args.controller
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


def new_cluster(nodes=3, zones=None):
    return SpeakerCluster(ARGS["kube"], ARGS["speaker"], nodes=nodes, zones=zones,
                          controller_bin=ARGS.get("controller"))


class ClusterTestCase(unittest.TestCase):
    """One cluster per test class, built before its first test and always torn down.
    Subclasses set NODES / ZONES and fill the cluster in prepare(c) (speakers, pools,
    Services); a failing prepare() tears the cluster down too."""
    NODES = 3
    ZONES = None

    @classmethod
    def prepare(cls, c):
        c.start_all()

    @classmethod
    def setUpClass(cls):
        cls.c = new_cluster(nodes=cls.NODES, zones=cls.ZONES).__enter__()
        try:
            cls.prepare(cls.c)
        except BaseException:
            cls.c.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
