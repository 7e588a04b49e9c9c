#!/usr/bin/python3
"""cluster_bgp_routes_from_chart: BGP mode as a user turns it on, from the Helm chart
(`helm upgrade --set speaker.frr.enabled=true`, docs/bgp.md "In the Helm chart"): every speaker
pod runs its `frr` container (the ironlb-frr image, imported on every node like a pull) and
becomes Ready; a router of another make, BIRD 2 in a namespace of its own on the node network,
peers with every node with an MD5 password the speakers read from a Secret; for a
LoadBalancer Service (externalTrafficPolicy Cluster) of a pool only a BGPAdvertisement
announces, the router's kernel learns the VIP with every node as a next hop (ECMP), a request
from the router through that route reaches a pod, and each speaker writes the Service's
ServiceBGPStatus naming the peer. Afterwards BGP is turned off again
and everything this scenario made is removed, so the next scenario starts as before."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "netns"))
from bird import Bird  # noqa: E402
from harness import CHART, RELEASE, SYSTEM_NS, pod_ready, run, scenario, wait_for  # noqa: E402

NS = "bgp-chart"
POOL = "bgp-chart"
POOL_RANGE = "198.51.100.224/28"   # no L2Advertisement selects it: only BGP announces it
MY_ASN, ROUTER_ASN = 64512, 64513
ROUTER_V4 = "192.0.2.254"          # the router's address on the node network
PASSWORD = "Bgp-chart-s3cret"
SECRET = "bgp-chart-router"

BIRD_CONF = """
router id %(router)s;
log "@LOG@" all;
protocol device { }
protocol kernel { ipv4 { export all; import none; }; merge paths on; }
template bgp node {
  local %(router)s as %(router_asn)d;
  connect retry time 1;
  error wait time 1, 5;
  ipv4 { import all; export none; };
  password "%(password)s";
}
%(peers)s
"""


class Router:
    """A network namespace on the cluster's node network (named with the cluster's prefix, so
    `localcluster.py down` removes it too), as topology.Host is for bird.Bird."""

    def __init__(self, cluster):
        self.ns = f"{cluster.prefix}-rtr"
        self.bridge_ns = cluster.info["bridge_ns"]
        self.port = "prtr"

    def run(self, args, check=True, timeout=60, **kw):
        return run(["ip", "netns", "exec", self.ns, *args], check=check, timeout=timeout, **kw)

    def create(self):
        run(["ip", "netns", "add", self.ns])
        run(["ip", "-n", self.ns, "link", "set", "lo", "up"])
        run(["ip", "-n", self.ns, "link", "add", "eth0", "type", "veth", "peer", "name", self.port,
             "netns", self.bridge_ns])
        run(["ip", "-n", self.bridge_ns, "link", "set", self.port, "master", "br0", "up"])
        run(["ip", "-n", self.ns, "addr", "add", f"{ROUTER_V4}/24", "dev", "eth0"])
        run(["ip", "-n", self.ns, "link", "set", "eth0", "up"])

    def delete(self):
        for pid in run(["ip", "netns", "pids", self.ns], check=False).stdout.split():
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        run(["ip", "netns", "del", self.ns], check=False)

    def nexthops(self, prefix):
        """The next hops of the kernel route for prefix ([] when there is none)."""
        out = self.run(["ip", "-4", "route", "show", prefix], check=False).stdout
        return sorted(tok for line in out.splitlines() for i, tok in enumerate(line.split())
                      if i > 0 and line.split()[i - 1] == "via")


def frr_image_archive(h):
    version = h.image_ref.rsplit(":", 1)[1]
    return os.path.join(h.image_dir, f"ironlb-frr-{version}.oci.tar")


def frr_image_values(h):
    """The imported FRR image, named outright: with --reuse-values an earlier scenario's
    image.tag (helm_upgrade_no_gap's variant) would otherwise name an ironlb-frr tag that does
    not exist on the nodes."""
    with open(os.path.join(h.image_dir, "ironlb-frr.ref")) as f:
        repository, tag = f.read().strip().rsplit(":", 1)
    return [f"speaker.frr.image.repository={repository}", f"speaker.frr.image.tag={tag}"]


def speakers_with_frr_ready(h):
    """Every node's speaker pod has the frr container, and the pod is Ready."""
    nodes = {n["name"] for n in h.cluster.nodes}
    pods = [p for p in h.ironlb_pods("speaker") if not p["metadata"].get("deletionTimestamp")]
    with_frr = [p for p in pods if "frr" in [c["name"] for c in p["spec"]["containers"]]]
    return len(with_frr) == len(pods) == len(nodes) and \
        {p["spec"]["nodeName"] for p in pods} == nodes and all(pod_ready(p) for p in pods)


def bgp_objects():
    meta = lambda name: {"name": name, "namespace": SYSTEM_NS}  # noqa: E731
    return [
        {"apiVersion": "v1", "kind": "Secret", "metadata": meta(SECRET),
         "type": "kubernetes.io/basic-auth", "stringData": {"password": PASSWORD}},
        {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool", "metadata": meta(POOL),
         "spec": {"addresses": [POOL_RANGE]}},
        {"apiVersion": "metallb.io/v1beta2", "kind": "BGPPeer", "metadata": meta("bgp-chart-router"),
         "spec": {"myASN": MY_ASN, "peerASN": ROUTER_ASN, "peerAddress": ROUTER_V4,
                  "passwordSecret": {"name": SECRET}, "holdTime": "9s", "keepaliveTime": "3s"}},
        {"apiVersion": "metallb.io/v1beta1", "kind": "BGPAdvertisement", "metadata": meta(POOL),
         "spec": {"ipAddressPools": [POOL]}},
    ]


def diagnose(h, bird):
    print("--- router: show protocols all ---")
    print(bird.cli("show", "protocols", "all")[-3000:])
    print("--- router log ---")
    print(bird.log()[-2000:])
    for p in h.ironlb_pods("speaker"):
        for c in p.get("status", {}).get("containerStatuses", []):
            print(f"---- {p['metadata']['name']} container {c['name']}: image {c.get('image')}, "
                  f"ready {c.get('ready')}, state {json.dumps(c.get('state'))}")
        logs = h.kube.run("logs", "-n", SYSTEM_NS, p["metadata"]["name"], "-c", "frr",
                          "--tail=20", check=False).stdout
        print(f"---- frr of {p['metadata']['name']} ({p['spec'].get('nodeName')})\n{logs}")


def check(h):
    h.cluster.import_image(frr_image_archive(h))
    node_ips = sorted(n["ipv4"] for n in h.cluster.nodes)
    router = Router(h.cluster)
    router.create()
    try:
        peers = "\n".join(f"protocol bgp {n['name'].replace('-', '_')} from node "
                          f"{{ neighbor {n['ipv4']} as {MY_ASN}; }}" for n in h.cluster.nodes)
        conf = BIRD_CONF % {"router": ROUTER_V4, "router_asn": ROUTER_ASN, "password": PASSWORD,
                            "peers": peers}
        with Bird(router, conf) as bird:
            try:
                run_bgp(h, router, bird, node_ips)
            except BaseException:
                diagnose(h, bird)
                raise
    finally:
        router.delete()
        # The Service first: the pool keeps its finalizer while a Service uses it.
        h.delete("namespace", NS)
        h.kube.run("delete", "--ignore-not-found", "--wait=true", "--timeout=120s", "-f", "-",
                   input=json.dumps({"apiVersion": "v1", "kind": "List", "items": bgp_objects()}),
                   timeout=150)
        h.helm("upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--reuse-values",
               "--set", "speaker.frr.enabled=false")
        h.wait_ironlb_ready(timeout=300)


def run_bgp(h, router, bird, node_ips):
    frr = ["speaker.frr.enabled=true", *frr_image_values(h)]
    if h.installed():
        h.helm("upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--reuse-values",
               *[a for v in frr for a in ("--set", v)])
    else:   # run on its own
        h.install(*frr)
    wait_for(lambda: speakers_with_frr_ready(h), 300, 0.5,
             "every speaker pod Ready with its frr container")
    h.wait_ironlb_ready(timeout=120)
    print("helm upgrade --set speaker.frr.enabled=true: every speaker Ready with frr")

    h.kube.apply(*bgp_objects())
    h.namespace(NS)
    h.backend(NS, "web", replicas=2)
    h.lb_service(NS, "web", dual=False, pool=POOL)
    (ip,) = h.wait_ingress(NS, "web")
    pods = {p["metadata"]["name"] for p in h.wait_ready_pods(NS, "app=web", 2)}

    wait_for(lambda: len(bird.protocols()) == len(node_ips) and all(
        "Established" in p[2] for p in bird.protocols().values()), 120, 0.2,
        "BIRD's sessions with every node Established (MD5 password from the Secret)")
    print("sessions:", {k: v[2] for k, v in bird.protocols().items()})
    wait_for(lambda: router.nexthops(ip) == node_ips, 60, 0.2,
             f"{ip} in the router's kernel table via every node {node_ips}")
    print(f"{ip}: ECMP via {router.nexthops(ip)}")
    body = wait_for(lambda: (lambda r: r.stdout.strip() if r.returncode == 0 else None)(
        router.run(["curl", "-sS", "--max-time", "2", f"http://{ip}/"], check=False)), 30, 0.2,
        f"the router fetching a page from {ip}")
    assert body.startswith("hello from ") and body[len("hello from "):] in pods, body
    print(f"router -> {ip}: {body!r}")

    # Each speaker records what it announces (ServiceBGPStatus, through the Role the chart
    # gives it): one per node, naming the Service and the peer.
    def statuses():
        got = {}
        for st in h.kube.list("servicebgpstatuses", SYSTEM_NS):
            s = st.get("status", {})
            if s.get("serviceName") == "web" and s.get("serviceNamespace") == NS:
                got[s.get("node")] = sorted(s.get("peers") or [])
        return got
    want = {n["name"]: ["bgp-chart-router"] for n in h.cluster.nodes}
    wait_for(lambda: statuses() == want, 60, 0.3, f"a ServiceBGPStatus per node naming the peer: {want}")
    print("ServiceBGPStatus:", statuses())


if __name__ == "__main__":
    scenario(check)
