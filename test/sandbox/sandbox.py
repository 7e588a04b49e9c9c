#!/usr/bin/python3
"""The local sandbox behind test/sandbox.sh: ironlb as a user meets it, on one machine.

It starts a real Kubernetes cluster of N nodes (test/cluster/localcluster.py: each node a
network namespace with containerd, kubelet and kube-proxy; etcd, kube-apiserver,
kube-controller-manager and kube-scheduler beside them), imports the ironlb image built from
this checkout and the small test images on every node, and then does what the README says:

  - `helm install ironlb config/helm/ironlb -n metallb-system --create-namespace` and shows
    `kubectl get pods -n metallb-system` once every pod is Ready through its probes,
  - `kubectl apply -f` the sample pool, a Deployment of a small web server and a dual-stack
    LoadBalancer Service (config/samples/sandbox-*.yaml), and shows the EXTERNAL-IPs,
  - from a client machine on the node network: which node answers for each VIP, what the
    client's own kernel resolved, and a page fetched through each VIP from a pod.

With --once it exits after those checks (0 when all pass); otherwise it stays up until Ctrl-C,
printing the commands to poke at it. Everything is deleted on exit, also on failure.

    sandbox.py --state DIR --image-dir DIR --test-images DIR [--nodes 3] [--once]
"""

import argparse
import os
import signal
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "cluster"))
from harness import CHART, RELEASE, SAMPLES, SYSTEM_NS, Harness  # noqa: E402
from localcluster import LocalCluster  # noqa: E402

SAMPLE_FILES = ("sandbox-pool.yaml", "sandbox-backend.yaml", "sandbox-service.yaml")
SERVICE, SERVICE_NS = "hello", "default"


def say(text=""):
    print(text, flush=True)


def url(ip):
    return f"http://[{ip}]/" if ":" in ip else f"http://{ip}/"


def check_vip(h, ip, pods):
    """Who answers for ip, what the client's kernel resolved, and a page through it. Returns
    the problems found (empty when all is well)."""
    problems = []
    owner = h.owner(ip)
    body = h.wait_fetch(ip, timeout=30)
    mac = h.neigh(ip)
    say(f"  {ip:<16} answered by {owner} ({h.node_mac(owner)}); client's neighbour entry: "
        f"{mac or 'none'}")
    say(f"  curl {url(ip):<24} -> {body}")
    if body.removeprefix("hello from ") not in pods:
        problems.append(f"{ip}: {body!r} does not come from a pod of {sorted(pods)}")
    if mac != h.node_mac(owner):
        problems.append(f"{ip}: the client resolved {mac}, {owner}'s MAC is {h.node_mac(owner)}")
    return problems


def show(args, h):
    rel = os.path.relpath(CHART, ROOT)
    say(f"== helm install {RELEASE} {rel} -n {SYSTEM_NS} --create-namespace")
    h.helm("install", RELEASE, CHART, "-n", SYSTEM_NS, "--create-namespace")
    h.wait_ironlb_ready(timeout=180)
    say(f"== kubectl get pods -n {SYSTEM_NS} -o wide")
    say(h.kube.run("get", "pods", "-n", SYSTEM_NS, "-o", "wide").stdout.rstrip())
    for f in SAMPLE_FILES:
        say(f"== kubectl apply -f config/samples/{f}")
        say(h.kube.run("apply", "-f", os.path.join(SAMPLES, f)).stdout.rstrip())
    pods = {p["metadata"]["name"] for p in h.wait_ready_pods(SERVICE_NS, "app=hello", 3)}
    ips = h.wait_ingress(SERVICE_NS, SERVICE, count=2)
    say(f"== kubectl get svc {SERVICE}")
    say(h.kube.run("get", "svc", SERVICE, "-n", SERVICE_NS, "-o", "wide").stdout.rstrip())
    say(f"== from the client ({h.cluster.client_ns}, {h.cluster.info['client_ipv4']}) on the "
        "node network")
    problems = [p for ip in ips for p in check_vip(h, ip, pods)]
    if problems:
        for p in problems:
            say(f"PROBLEM: {p}")
        return 1
    say("== the sandbox works: the client fetched a page from a pod through every EXTERNAL-IP")
    if args.once:
        return 0
    client = h.cluster.client_ns
    say(f"""
Try (in another shell, as root):
  source {h.cluster.state}/env          # kubectl and helm against this cluster
  $IRONLB_KUBECTL get nodes,pods -A -o wide
  $IRONLB_KUBECTL get ipaddresspools,l2advertisements,servicel2statuses -A
  ip netns exec {client} curl -g {url(ips[0])}
  ip netns exec {client} arping -c 3 -I eth0 {ips[0]}
  ip netns exec {client} ndisc6 {ips[1]} eth0
  {os.path.relpath(os.path.join(ROOT, 'test', 'cluster', 'localcluster.py'))} stop-node \
{h.cluster.state} node-1     # a node dies; start-node boots it again
Logs: {h.cluster.state}/nodes/*/logs, {h.cluster.state}/cp/logs
Ctrl-C tears everything down.""")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    say("== tearing down")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--state", required=True, help="a new directory for the cluster")
    p.add_argument("--image-dir", required=True, help="config/image/build.sh's output")
    p.add_argument("--test-images", required=True, help="test/cluster/images/build.sh's output")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--once", action="store_true", help="check and exit")
    args = p.parse_args()
    with open(os.path.join(args.image_dir, "ironlb.ref")) as f:
        ref = f.read().strip()
    archive = os.path.join(args.image_dir, f"ironlb-{ref.rsplit(':', 1)[1]}.oci.tar")
    images = [os.path.join(args.test_images, f"{n}.oci.tar") for n in ("pause", "hello")]
    cluster = LocalCluster(args.state)
    # Ctrl-C during start-up must tear down too.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        say(f"== starting a {args.nodes}-node Kubernetes cluster (network namespaces on one "
            "bridge) and importing the images on every node")
        cluster.up(nodes=args.nodes, images=images + [archive])
        say(cluster.kube().run("get", "nodes", "-o", "wide").stdout.rstrip())
        return show(args, Harness(args.state, args.image_dir))
    except KeyboardInterrupt:
        return 130
    finally:
        cluster.down(purge=True)


if __name__ == "__main__":
    sys.exit(main())
