#!/usr/bin/python3
"""A real multi-node Kubernetes cluster on one machine, for ironlb's cluster tests and sandbox.

    localcluster.py up STATE [--nodes 3] [--images DIR ...]   start it; returns when every node is Ready
    localcluster.py down STATE [--purge]                       stop and delete everything
    localcluster.py stop-node STATE NAME | start-node STATE NAME
    localcluster.py cleanup                                    remove leftovers of killed runs

What runs (all real Kubernetes binaries, built by test/controlplane/build.sh; see README.md):

  bridge ns  <prefix>-br     one Ethernet segment (test/netns/topology.py): the "node network"
  client ns  <prefix>-client 192.0.2.1   a machine on that network, for curl/arping/ndisc6
  cp ns      <prefix>-cp     192.0.2.2   etcd, kube-apiserver (test/controlplane/start.sh),
                                         kube-controller-manager, kube-scheduler
  node ns    <prefix>-nK     192.0.2.1K  containerd, kubelet, kube-proxy (iptables mode), and
                                         the pods the scheduler puts there

Each node's daemons also get a mount namespace of their own (private propagation) in which /run,
/var/log and /var/lib are fresh tmpfs: containerd's sockets and state, runc's state, the pods'
network namespaces, CNI's cache and IP allocations, kubelet's /var/log/containers links all live
there and vanish with the node, never on this machine. They are started with nsenter, not
`ip netns exec`, which would remount /sys and hide the cgroup mounts from the kubelet. Every
process of a node (daemons, shims, containers) is in the cgroup /ironlb-<prefix>/<node> (cgroup
v1, cgroupfs driver; the kubelet's cgroupRoot), so stopping a node kills exactly its processes
and teardown removes every cgroup it made. Pod networking: a CNI bridge per node with
host-local IPAM (pod CIDRs 203.0.113.32K/27 and 2001:db8:244:K::/64, written into the Node
objects, which are created before the kubelets register) and static routes between nodes.

The host reaches the API server through a forwarder on its own 127.0.0.1 (test/netns/apiforward.py
--into), at the address the control plane's kubeconfig names, so `source STATE/cp/env` gives a
working kubectl and Helm. Only documentation address ranges carry traffic, and only inside
namespaces this script made. Stdlib only; root required.
"""

import argparse
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "netns"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "speaker"))
import topology  # noqa: E402
from topology import Topology, wait_for  # noqa: E402
from cluster import Kube  # noqa: E402

CP_DIR = os.path.join(ROOT, "test", "controlplane")
PREFIX = "ilbk"                      # namespace and cgroup names start with this
CGROUP_FS = "/sys/fs/cgroup"
CP_INDEX = 2                         # the control plane's host number on the node network
POD_V4 = ipaddress.ip_network("203.0.113.0/24")
POD_V6 = ipaddress.ip_network("2001:db8:244::/56")
MAX_NODES = 8                        # /27 of POD_V4 per node
VIP_NETS = ("198.51.100.0/24", "2001:db8:100::/64")   # pools the scenarios and sandbox use
SANDBOX_IMAGE = "ironlb.test/pause:1"
# Kernel settings the kubelet insists on (it would write them machine-wide; with
# protectKernelDefaults it only checks). Each node's mount namespace shows it these values.
KUBELET_SYSCTLS = {"vm/overcommit_memory": 1, "vm/panic_on_oom": 0, "kernel/panic": 10,
                   "kernel/panic_on_oops": 1, "kernel/keys/root_maxkeys": 1000000,
                   "kernel/keys/root_maxbytes": 25000000}
START_TIMEOUT = float(os.environ.get("IRONLB_CLUSTER_TIMEOUT", "180"))


def log(msg):
    print(f"cluster: {msg}", file=sys.stderr, flush=True)


def run(args, check=True, timeout=120, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    r = subprocess.run(args, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({r.returncode}): "
                           f"{(r.stderr or '').strip()[-2000:]}")
    return r


def kube_bin(name):
    """A Kubernetes binary from build.sh's cache (test/controlplane/lib.sh knows where)."""
    out = run(["bash", "-c", f'source "{CP_DIR}/lib.sh"; echo "$KUBE_BIN_DIR"']).stdout.strip()
    path = os.path.join(out, name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} missing: run test/controlplane/build.sh first")
    return path


# ---------------------------------------------------------------------------------- cgroups
def cgroup_hierarchies():
    """The cgroup v1 hierarchies the kubelet and runc use (cgroupfs driver)."""
    out = []
    for name in sorted(os.listdir(CGROUP_FS)):
        path = os.path.join(CGROUP_FS, name)
        if name != "unified" and os.path.isdir(path) and not os.path.islink(path):
            out.append(path)
    return out


def cgroup_create(rel):
    """Creates /<rel> in every hierarchy (cpuset needs its cpus and mems filled in first)."""
    for h in cgroup_hierarchies():
        parts = rel.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            path = os.path.join(h, *parts[:depth])
            if os.path.isdir(path):
                continue
            os.mkdir(path)
            if os.path.basename(h) == "cpuset":
                parent = os.path.dirname(path)
                for f in ("cpuset.cpus", "cpuset.mems"):
                    with open(os.path.join(parent, f)) as src:
                        value = src.read().strip()
                    with open(os.path.join(path, f), "w") as dst:
                        dst.write(value)


def cgroup_join(rel):
    """preexec_fn: puts the starting process into /<rel> of every hierarchy."""
    def join():
        pid = str(os.getpid())
        for h in cgroup_hierarchies():
            with open(os.path.join(h, rel.strip("/"), "cgroup.procs"), "w") as f:
                f.write(pid)
    return join


def cgroup_pids(rel):
    """Every process in /<rel> and below (pids hierarchy)."""
    base = os.path.join(CGROUP_FS, "pids", rel.strip("/"))
    pids = set()
    for dirpath, _, files in os.walk(base):
        if "cgroup.procs" in files:
            try:
                with open(os.path.join(dirpath, "cgroup.procs")) as f:
                    pids.update(int(p) for p in f.read().split())
            except OSError:
                pass
    return pids


def cgroup_kill(rel, keep=(), timeout=30):
    """SIGKILLs every process in /<rel> and below (except `keep`) until none is left."""
    deadline = time.monotonic() + timeout
    while True:
        pids = cgroup_pids(rel) - set(keep)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {sorted(pids)} in cgroup {rel} survive SIGKILL")
        time.sleep(0.05)


def cgroup_remove(rel):
    """rmdir of /<rel> and everything below it, deepest first, in every hierarchy."""
    for h in cgroup_hierarchies() + [os.path.join(CGROUP_FS, "unified")]:
        base = os.path.join(h, rel.strip("/"))
        if not os.path.isdir(base):
            continue
        for dirpath, _, _ in sorted(os.walk(base), key=lambda w: -w[0].count("/")):
            for attempt in range(50):
                try:
                    os.rmdir(dirpath)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)   # a process just killed is still leaving it


def cgroup_memory(rel, counter="memory.usage_in_bytes"):
    """Bytes the cgroup tree uses (RSS + cache, the memory controller's own figure); with
    counter="memory.max_usage_in_bytes", the most it ever used."""
    try:
        with open(os.path.join(CGROUP_FS, "memory", rel.strip("/"), counter)) as f:
            return int(f.read())
    except OSError:
        return 0


def cgroup_rss(rel):
    """Resident memory of the cgroup tree's processes (total_rss, no page cache)."""
    try:
        with open(os.path.join(CGROUP_FS, "memory", rel.strip("/"), "memory.stat")) as f:
            stats = dict(line.split() for line in f)
        return int(stats.get("total_rss", 0))
    except OSError:
        return 0


# ---------------------------------------------------------------------------------- PKI
def issue_cert(pki, name, subject, ca_dir):
    """A client certificate (key + cert) signed by the control plane's CA."""
    key, crt = os.path.join(pki, f"{name}.key"), os.path.join(pki, f"{name}.crt")
    csr, ext = os.path.join(pki, f"{name}.csr"), os.path.join(pki, f"{name}.ext")
    run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", csr, "-subj", subject])
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(ca_dir, "ca.crt"),
         "-CAkey", os.path.join(ca_dir, "ca.key"), "-CAcreateserial",
         "-CAserial", os.path.join(pki, "ca.srl"), "-days", "30", "-out", crt, "-extfile", ext])
    os.remove(csr)
    os.remove(ext)
    os.chmod(key, 0o600)
    return crt, key


def write_kubeconfig(path, server, ca, crt, key):
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "Config",
                   "clusters": [{"name": "local", "cluster": {
                       "server": server, "certificate-authority": ca}}],
                   "users": [{"name": "me", "user": {
                       "client-certificate": crt, "client-key": key}}],
                   "contexts": [{"name": "local", "context": {"cluster": "local",
                                                              "user": "me"}}],
                   "current-context": "local"}, f, indent=1)
    os.chmod(path, 0o600)


# ---------------------------------------------------------------------------------- cluster
class LocalCluster:
    """The cluster described by STATE/cluster.json: `up` writes it, everything else reads it."""

    def __init__(self, state):
        self.state = os.path.abspath(state)
        self.info = {}

    # -------------------------------------------------------------- persistence
    @property
    def info_path(self):
        return os.path.join(self.state, "cluster.json")

    def load(self):
        with open(self.info_path) as f:
            self.info = json.load(f)
        return self

    def save(self):
        tmp = self.info_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.info, f, indent=1)
        os.replace(tmp, self.info_path)

    # -------------------------------------------------------------- accessors
    @property
    def prefix(self):
        return self.info["prefix"]

    @property
    def cgroup(self):
        return self.info["cgroup"]

    @property
    def cp_state(self):
        return os.path.join(self.state, "cp")

    @property
    def nodes(self):
        return self.info["nodes"]

    def node(self, name):
        for n in self.nodes:
            if n["name"] == name:
                return n
        raise KeyError(f"no node {name} in {self.state}")

    def node_dir(self, name):
        return os.path.join(self.state, "nodes", name)

    def kube(self):
        return Kube(self.cp_state)

    @property
    def client_ns(self):
        return self.info["client_ns"]

    # -------------------------------------------------------------- up
    def up(self, nodes=3, images=()):
        if not 1 <= nodes <= MAX_NODES:
            raise ValueError(f"--nodes must be 1..{MAX_NODES}")
        if os.path.exists(self.info_path):
            log(f"{self.state} holds a cluster; taking it down first")
            self.load().down()
        shutil.rmtree(self.state, ignore_errors=True)
        os.makedirs(self.state)
        begin = time.monotonic()
        topo = Topology(nodes=nodes, prefix=PREFIX)
        self.info = {"prefix": topo.prefix, "cgroup": f"/ironlb-{topo.prefix}",
                     "client_ns": topo.client.ns, "bridge_ns": topo.bridge_ns,
                     "client_ipv4": topo.client.ipv4, "client_ipv6": topo.client.ipv6,
                     "nodes": [], "pids": {}}
        self.save()   # from here on, `down` can clean up whatever exists
        try:
            topo._create()
            cp = topology.Host(topo, f"{topo.prefix}-cp", CP_INDEX)
            topo._new_ns(cp.ns)
            topo.add_link(cp, "eth0", v4=f"{cp.ipv4}/24", v6=f"{cp.ipv6}/64")
            self.info.update(cp_ns=cp.ns, cp_ipv4=cp.ipv4, cp_ipv6=cp.ipv6)
            for i, host in enumerate(topo.nodes):
                self.info["nodes"].append({
                    "name": f"node-{i + 1}", "index": i, "ns": host.ns,
                    "ipv4": host.ipv4, "ipv6": host.ipv6,
                    "bridge_port": f"p{i + 3}",  # topology numbers ports: client p1, n0 p2..
                    "pod_cidrs": [str(list(POD_V4.subnets(new_prefix=27))[i]),
                                  str(list(POD_V6.subnets(new_prefix=64))[i])],
                    "pids": {}})
            self._fix_bridge_ports(topo)
            # VIPs come from the other documentation ranges; on-link for the client, as on a
            # flat layer-2 segment.
            for net in VIP_NETS:
                run(["ip", "-n", topo.client.ns, "route", "add", net, "dev", "eth0"])
            self.save()
            cgroup_create(self.cgroup)
            self._start_control_plane()
            log(f"control plane up in {time.monotonic() - begin:.1f}s")
            self._create_nodes()
            for n in self.nodes:
                self._configure_node(n)
            for n in self.nodes:
                self.start_node(n["name"], images=images, wait=False)
            for n in self.nodes:
                self._wait_node_ready(n)
            log(f"{len(self.nodes)} nodes Ready in {time.monotonic() - begin:.1f}s "
                f"(cluster memory {cgroup_memory(self.cgroup) >> 20} MiB)")
        except BaseException:
            log(f"start failed; logs in {self.state}")
            self._tail_logs()
            self.down()
            raise
        self._write_env()
        return self

    def _fix_bridge_ports(self, topo):
        """Records which bridge port is each node's cable (by MAC, not by creation order)."""
        ports = json.loads(run(["ip", "-j", "-n", topo.bridge_ns, "link", "show"]).stdout)
        for n in self.info["nodes"]:
            peer = json.loads(run(["ip", "-j", "-n", n["ns"], "link", "show", "eth0"]).stdout)[0]
            for p in ports:
                if p.get("ifindex") == peer.get("link_index"):
                    n["bridge_port"] = p["ifname"]

    def _spawn(self, name, args, cgroup, log_path, env=None):
        """Starts a long-running process detached from us, in `cgroup`, logging to log_path."""
        with open(log_path, "a") as out:
            out.write(f"---- {time.strftime('%FT%TZ', time.gmtime())} {' '.join(args)}\n")
            out.flush()
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=cgroup_join(cgroup), env=env)
        return proc.pid

    # -------------------------------------------------------------- control plane
    def _start_control_plane(self):
        os.makedirs(self.cp_state)
        cg = f"{self.cgroup}/control-plane"
        cgroup_create(cg)
        # The API server's port as the host sees it through the forwarder: free on the host
        # (the namespace is empty, so it is free there too).
        port = int(run(["bash", "-c", f'source "{CP_DIR}/lib.sh"; cp_free_port']).stdout)
        # Webhooks behind a Service (ironlb's, docs/webhook.md) are called at an endpoint's pod
        # IP, which this namespace routes to, instead of the cluster IP, which only nodes' NAT
        # (kube-proxy) resolves.
        env = dict(os.environ, IRONLB_CONTROLPLANE_NETNS=self.info["cp_ns"],
                   IRONLB_APISERVER_ADVERTISE=self.info["cp_ipv4"],
                   IRONLB_APISERVER_BIND_PORT=str(port),
                   IRONLB_APISERVER_EXTRA_ARGS=" ".join(filter(None, [
                       os.environ.get("IRONLB_APISERVER_EXTRA_ARGS", ""),
                       "--enable-aggregator-routing=true"])))
        r = subprocess.run([os.path.join(CP_DIR, "start.sh"), self.cp_state], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=START_TIMEOUT + 60, preexec_fn=cgroup_join(cg))
        if r.returncode != 0:
            raise RuntimeError(f"control plane did not start:\n{r.stderr[-3000:]}")
        self.info["apiserver_port"] = port
        self.info["pids"]["forwarder"] = self._spawn(
            "apiforward", ["/usr/bin/python3", os.path.join(ROOT, "test", "netns",
                                                            "apiforward.py"),
                           "--port", str(port), "--target", f"127.0.0.1:{port}",
                           "--into", self.info["cp_ns"]],
            self.cgroup, os.path.join(self.cp_state, "logs", "apiforward.log"))
        self.save()
        kube = self.kube()
        wait_for(lambda: kube.run("get", "--raw", "/readyz", check=False).stdout == "ok",
                 30, 0.1, "the API server through the host forwarder")

        pki = os.path.join(self.state, "pki")
        os.makedirs(pki, exist_ok=True)
        ca_dir = os.path.join(self.cp_state, "pki")
        server_in_ns = f"https://127.0.0.1:{port}"
        nsenter = ["nsenter", f"--net=/run/netns/{self.info['cp_ns']}", "--"]
        logs = os.path.join(self.cp_state, "logs")
        for comp, subject in (("kube-controller-manager",
                               "/CN=system:kube-controller-manager"),
                              ("kube-scheduler", "/CN=system:kube-scheduler")):
            crt, key = issue_cert(pki, comp, subject, ca_dir)
            kc = os.path.join(pki, f"{comp}.kubeconfig")
            write_kubeconfig(kc, server_in_ns, os.path.join(ca_dir, "ca.crt"), crt, key)
            args = [kube_bin(comp), f"--kubeconfig={kc}", f"--authentication-kubeconfig={kc}",
                    f"--authorization-kubeconfig={kc}", "--leader-elect=false",
                    "--bind-address=127.0.0.1", "--v=1"]
            if comp == "kube-controller-manager":
                args += ["--use-service-account-credentials=true",
                         f"--root-ca-file={ca_dir}/ca.crt",
                         f"--service-account-private-key-file={ca_dir}/sa.key",
                         # Pod CIDRs are in the Node objects already (_create_nodes).
                         "--allocate-node-cidrs=false"]
            self.info["pids"][comp] = self._spawn(comp, nsenter + args, cg,
                                                  os.path.join(logs, f"{comp}.log"))
        self.save()
        # Ready when the scheduler and the controller-manager answer their health checks.
        for comp, hport in (("kube-controller-manager", 10257), ("kube-scheduler", 10259)):
            wait_for(lambda: run(nsenter + ["curl", "-ks", "--max-time", "2",
                                            f"https://127.0.0.1:{hport}/healthz"],
                                 check=False).stdout == "ok",
                     START_TIMEOUT, 0.2, f"{comp} /healthz")

    # -------------------------------------------------------------- nodes
    def _create_nodes(self):
        """Node objects with their pod CIDRs, before the kubelets register (the kubelet adopts
        an existing Node; node IPAM in the controller-manager stays off)."""
        kube = self.kube()
        kube.apply(*[{"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": n["name"], "labels": {"kubernetes.io/hostname": n["name"],
                                          "kubernetes.io/os": "linux"}},
            "spec": {"podCIDR": n["pod_cidrs"][0], "podCIDRs": n["pod_cidrs"]}}
            for n in self.nodes])

    def _configure_node(self, n):
        d = self.node_dir(n["name"])
        for sub in ("logs", "pod-logs", "kubelet", "containerd", "cni", "sysctl", "pki"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        ca_dir = os.path.join(self.cp_state, "pki")
        ca = os.path.join(ca_dir, "ca.crt")
        server = f"https://{self.info['cp_ipv4']}:{self.info['apiserver_port']}"
        pki = os.path.join(d, "pki")
        crt, key = issue_cert(pki, "kubelet", f"/O=system:nodes/CN=system:node:{n['name']}",
                              ca_dir)
        write_kubeconfig(os.path.join(d, "kubelet.kubeconfig"), server, ca, crt, key)
        crt, key = issue_cert(pki, "kube-proxy", "/CN=system:kube-proxy", ca_dir)
        write_kubeconfig(os.path.join(d, "kube-proxy.kubeconfig"), server, ca, crt, key)

        others = [o for o in self.nodes if o is not n]
        # A default route like any machine's (through the control plane's namespace, which
        # forwards nothing): a Service's cluster IP needs a route before kube-proxy's NAT
        # rewrites it. Then routes to the other nodes' pods, and from the control plane to
        # every node's pods.
        run(["ip", "-n", n["ns"], "route", "replace", "default", "via", self.info["cp_ipv4"]])
        run(["ip", "-n", n["ns"], "-6", "route", "replace", "default", "via",
             self.info["cp_ipv6"]])
        for o in others:
            for cidr in o["pod_cidrs"]:
                via = o["ipv4"] if ":" not in cidr else o["ipv6"]
                run(["ip", "-n", n["ns"], "route", "replace", cidr, "via", via])
        for cidr in n["pod_cidrs"]:
            via = n["ipv4"] if ":" not in cidr else n["ipv6"]
            run(["ip", "-n", self.info["cp_ns"], "route", "replace", cidr, "via", via])
        for key_, value in (("net.ipv4.ip_forward", 1), ("net.ipv6.conf.all.forwarding", 1),
                            ("net.ipv4.conf.all.rp_filter", 0),
                            ("net.ipv4.conf.default.rp_filter", 0),
                            # traffic between pods of one node through a Service is bridged
                            # back into cni0 and must pass kube-proxy's NAT on the way
                            ("net.bridge.bridge-nf-call-iptables", 1),
                            ("net.bridge.bridge-nf-call-ip6tables", 1)):
            run(["ip", "netns", "exec", n["ns"], "sysctl", "-qw", f"{key_}={value}"])

        with open(os.path.join(d, "cni", "10-ironlb.conflist"), "w") as f:
            json.dump({"cniVersion": "1.0.0", "name": "ironlb-test", "plugins": [
                {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": False,
                 "hairpinMode": True,
                 "ipam": {"type": "host-local", "dataDir": "/run/cni-ipam",
                          "ranges": [[{"subnet": c}] for c in n["pod_cidrs"]],
                          "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]}},
                {"type": "portmap", "capabilities": {"portMappings": True}}]}, f, indent=1)
        with open(os.path.join(d, "containerd.toml"), "w") as f:
            f.write(CONTAINERD_CONFIG.format(root=os.path.join(d, "containerd"),
                                             cni=os.path.join(d, "cni"),
                                             sandbox=SANDBOX_IMAGE))
        with open(os.path.join(d, "kubelet.yaml"), "w") as f:
            json.dump(kubelet_config(self.cgroup, n, d, ca), f, indent=1)
        with open(os.path.join(d, "kube-proxy.yaml"), "w") as f:
            json.dump(kube_proxy_config(n, d), f, indent=1)
        # The values the kubelet checks, as files to show it in place of /proc/sys entries.
        for name, value in KUBELET_SYSCTLS.items():
            with open(os.path.join(d, "sysctl", name.replace("/", ".")), "w") as f:
                f.write(f"{value}\n")

    def _holder_script(self, n):
        d = self.node_dir(n["name"])
        lines = ["set -e",
                 "mount -t tmpfs -o mode=0755,size=512m ironlb-node-run /run",
                 "mkdir -p /run/netns /run/containerd /run/cni-ipam",
                 "mount -t tmpfs -o mode=0755,size=64m ironlb-node-log /var/log",
                 "mount -t tmpfs -o mode=0755,size=64m ironlb-node-lib /var/lib"]
        for name, value in KUBELET_SYSCTLS.items():
            with open(f"/proc/sys/{name}") as f:
                if f.read().strip() != str(value):
                    src = os.path.join(d, "sysctl", name.replace("/", "."))
                    lines.append(f"mount --bind '{src}' /proc/sys/{name}")
        lines.append("exec sleep infinity")
        return "\n".join(lines)

    def start_node(self, name, images=(), wait=True):
        """Boots a node: its mount namespace, containerd (images imported), kubelet,
        kube-proxy, and its cable. Also what `start-node` does after `stop-node`."""
        n = self.node(name)
        d = self.node_dir(name)
        cg = f"{self.cgroup}/{name}"
        cgroup_create(cg)
        cgroup_create(f"{cg}/system")
        sys_cg = f"{cg}/system"
        logs = os.path.join(d, "logs")
        holder = self._spawn("holder", ["nsenter", f"--net=/run/netns/{n['ns']}", "--",
                                        "unshare", "--mount", "--propagation", "private", "--",
                                        "/bin/sh", "-c", self._holder_script(n)],
                             sys_cg, os.path.join(logs, "holder.log"))
        n["pids"] = {"holder": holder}
        self.save()

        def holder_ready():
            # The holder execs `sleep` only after every mount succeeded (set -e).
            try:
                return os.readlink(f"/proc/{holder}/exe").endswith("/sleep")
            except OSError:
                raise RuntimeError(f"{name}: the mount namespace holder died "
                                   f"(log: {logs}/holder.log)")
        wait_for(holder_ready, 10, 0.02, f"{name}'s mount namespace")
        enter = ["nsenter", f"--target={holder}", "--mount", "--net", "--"]
        n["pids"]["containerd"] = self._spawn(
            "containerd", enter + ["containerd", "--config", os.path.join(d, "containerd.toml")],
            sys_cg, os.path.join(logs, "containerd.log"))
        self.save()
        ctr = enter + ["ctr", "--address", "/run/containerd/containerd.sock", "-n", "k8s.io"]
        wait_for(lambda: run(ctr + ["version"], check=False).returncode == 0,
                 30, 0.1, f"{name}'s containerd")
        for image in images:
            run(ctr + ["images", "import", image], timeout=300)
        n["pids"]["kubelet"] = self._spawn(
            "kubelet", enter + [kube_bin("kubelet"), f"--config={d}/kubelet.yaml",
                                f"--kubeconfig={d}/kubelet.kubeconfig",
                                f"--root-dir={d}/kubelet", f"--cert-dir={d}/kubelet/pki",
                                f"--node-ip={n['ipv4']},{n['ipv6']}",
                                f"--hostname-override={name}",
                                f"--pod-infra-container-image={SANDBOX_IMAGE}", "--v=1"],
            sys_cg, os.path.join(logs, "kubelet.log"))
        n["pids"]["kube-proxy"] = self._spawn(
            "kube-proxy", enter + [kube_bin("kube-proxy"), f"--config={d}/kube-proxy.yaml",
                                   "--v=1"],
            sys_cg, os.path.join(logs, "kube-proxy.log"))
        self.set_cable(name, True)
        self.save()
        if wait:
            self._wait_node_ready(n)

    def _wait_node_ready(self, n, timeout=START_TIMEOUT):
        kube = self.kube()

        def ready():
            node = kube.get("node", n["name"]) or {}
            for c in node.get("status", {}).get("conditions", []):
                if c["type"] == "Ready":
                    return c["status"] == "True"
            for key, pid in n["pids"].items():
                if not os.path.exists(f"/proc/{pid}"):
                    raise RuntimeError(f"{n['name']}: {key} (pid {pid}) exited; log: "
                                       f"{self.node_dir(n['name'])}/logs/{key}.log")
            return False
        wait_for(ready, timeout, 0.2, f"node {n['name']} Ready")

    def stop_node(self, name, cut_cable=True):
        """The node dies: its cable is cut and every process on it (kubelet, containerd,
        kube-proxy, pods) is killed at once. Its /run is gone as after a power cycle."""
        n = self.node(name)
        if cut_cable:
            self.set_cable(name, False)
        cgroup_kill(f"{self.cgroup}/{name}")
        # A reboot also empties cgroupfs: the kubelet would otherwise spend half a minute on
        # the dead containers' cgroups before it syncs pods again.
        cgroup_remove(f"{self.cgroup}/{name}")
        n["pids"] = {}
        self.save()

    def set_cable(self, name, up):
        """Plugs or pulls the node's cable (its port on the bridge: the node sees carrier
        loss, its addresses and routes stay)."""
        n = self.node(name)
        run(["ip", "-n", self.info["bridge_ns"], "link", "set", n["bridge_port"],
             "up" if up else "down"])

    def node_exec(self, name, args, **kw):
        """Runs a command in the node's network and mount namespaces (as its daemons see
        them); needs the node running."""
        holder = self.node(name)["pids"]["holder"]
        return run(["nsenter", f"--target={holder}", "--mount", "--net", "--", *args], **kw)

    def ctr(self, name, *args, **kw):
        return self.node_exec(name, ["ctr", "--address", "/run/containerd/containerd.sock",
                                     "-n", "k8s.io", *args], **kw)

    def import_image(self, archive):
        """Imports an image archive on every running node (as if pulled there)."""
        for n in self.nodes:
            if n["pids"]:
                self.ctr(n["name"], "images", "import", archive, timeout=300)

    # -------------------------------------------------------------- down
    def down(self, purge=False):
        """Stops everything `up` started; safe on a half-built cluster and when called twice."""
        info = self.info
        if not info and os.path.exists(self.info_path):
            info = self.load().info
        if not info:
            return
        for pid in info.get("pids", {}).values():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if info.get("cgroup"):
            peak = cgroup_memory(info["cgroup"], "memory.max_usage_in_bytes")
            if peak:
                log(f"peak memory of the whole cluster (its cgroup's max_usage_in_bytes, page "
                    f"cache included): {peak >> 20} MiB")
            cgroup_kill(info["cgroup"])
            cgroup_remove(info["cgroup"])
        if os.path.isdir(self.cp_state):
            run([os.path.join(CP_DIR, "stop.sh"), self.cp_state], check=False)
        if info.get("prefix"):
            topology.cleanup(info["prefix"])
        # Nothing was mounted outside the nodes' own mount namespaces, which died with their
        # processes; a leftover mount here would mean a bug, so say it loudly.
        with open("/proc/self/mountinfo") as f:
            leaked = [line.split()[4] for line in f if self.state in line.split()[4]]
        if leaked:
            log(f"warning: mounts left under {self.state}: {leaked}")
        if purge:
            shutil.rmtree(self.state, ignore_errors=True)
        else:
            self.info.pop("pids", None)

    # -------------------------------------------------------------- reporting
    def _tail_logs(self, lines=25):
        for dirpath, _, files in os.walk(self.state):
            for f in sorted(files):
                if f.endswith(".log"):
                    path = os.path.join(dirpath, f)
                    try:
                        with open(path, errors="replace") as fh:
                            tail = fh.readlines()[-lines:]
                    except OSError:
                        continue
                    print(f"==== {path}", file=sys.stderr)
                    sys.stderr.writelines(tail)

    def _write_env(self):
        """STATE/env: the control plane's env plus what locates the cluster."""
        with open(os.path.join(self.cp_state, "env")) as f:
            cp_env = f.read()
        with open(os.path.join(self.state, "env"), "w") as f:
            f.write(cp_env)
            f.write(f"export IRONLB_CLUSTER_STATE={self.state}\n")
            f.write(f"export IRONLB_CLUSTER_CLIENT_NS={self.client_ns}\n")

    def memory(self):
        return {"usage": cgroup_memory(self.cgroup), "rss": cgroup_rss(self.cgroup)}


CONTAINERD_CONFIG = """\
version = 2
root = "{root}"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{sandbox}"
  # This VM withholds CAP_SYS_RESOURCE: runc may only raise a container's oom_score_adj.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{cni}"
    max_conf_num = 1
"""


def kubelet_config(cgroup, n, d, ca):
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "address": n["ipv4"], "port": 10250, "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1", "healthzPort": 10248,
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": False},
                           "x509": {"clientCAFile": ca}},
        "authorization": {"mode": "AlwaysAllow"},
        "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
        "cgroupDriver": "cgroupfs", "cgroupRoot": f"{cgroup}/{n['name']}",
        "cgroupsPerQOS": True, "kubeletCgroups": f"{cgroup}/{n['name']}/system",
        "failSwapOn": False, "failCgroupV1": False,
        # Check, never write, the machine-wide kernel settings (see KUBELET_SYSCTLS).
        "protectKernelDefaults": True,
        "podLogsDir": os.path.join(d, "pod-logs"),
        "resolvConf": "", "clusterDomain": "cluster.local",
        "maxPods": 28, "serializeImagePulls": False,
        # Locally imported images only: never garbage-collect them, never evict for a
        # full disk on a shared machine.
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%",
                         "imagefs.available": "1%", "nodefs.inodesFree": "1%"},
        "nodeStatusUpdateFrequency": "5s", "nodeStatusReportFrequency": "1m",
        "shutdownGracePeriod": "0s", "registerNode": True,
    }


def kube_proxy_config(n, d):
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": os.path.join(d, "kube-proxy.kubeconfig")},
        "hostnameOverride": n["name"],
        # No IPVS in this kernel; iptables is also what most clusters run.
        "mode": "iptables",
        "clusterCIDR": f"{POD_V4},{POD_V6}",
        "bindAddress": "0.0.0.0",
        "healthzBindAddress": "127.0.0.1:10256", "metricsBindAddress": "127.0.0.1:10249",
        "nodePortAddresses": ["primary"],
        # Machine-wide conntrack settings are not the node's to change: leave them.
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s",
                      "tcpCloseWaitTimeout": "0s"},
        "iptables": {"minSyncPeriod": "0s", "syncPeriod": "30s"},
    }


def cleanup_leftovers():
    """Removes namespaces and cgroups of cluster runs that were killed before `down`."""
    for ns in topology.cleanup(PREFIX):
        log(f"deleted namespace {ns}")
    for h in cgroup_hierarchies():
        for name in os.listdir(h):
            if name.startswith(f"ironlb-{PREFIX}"):
                cgroup_kill(f"/{name}")
                cgroup_remove(f"/{name}")
                log(f"removed cgroup /{name}")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up")
    u.add_argument("state")
    u.add_argument("--nodes", type=int, default=3)
    u.add_argument("--images", nargs="*", default=[], help="image archives to import")
    d = sub.add_parser("down")
    d.add_argument("state")
    d.add_argument("--purge", action="store_true", help="also delete the state directory")
    for cmd in ("stop-node", "start-node"):
        s = sub.add_parser(cmd)
        s.add_argument("state")
        s.add_argument("node")
    sub.add_parser("cleanup")
    args = p.parse_args(argv[1:])
    if os.geteuid() != 0:
        p.error("run as root (network namespaces, cgroups, containerd)")
    if args.cmd == "cleanup":
        cleanup_leftovers()
        return 0
    c = LocalCluster(args.state)
    if args.cmd == "up":
        c.up(nodes=args.nodes, images=args.images)
        print(os.path.join(c.state, "env"))
    elif args.cmd == "down":
        if os.path.exists(c.info_path):
            c.load().down(purge=args.purge)
        elif args.purge:
            shutil.rmtree(c.state, ignore_errors=True)
    elif args.cmd == "stop-node":
        c.load().stop_node(args.node)
    elif args.cmd == "start-node":
        c.load().start_node(args.node)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(130)
