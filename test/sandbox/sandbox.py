#!/usr/bin/python3
"""The local sandbox behind test/sandbox.sh: ironlb as an operator would see it, on one machine.

Given a running test control plane (test/controlplane/start.sh STATE), it builds N node
namespaces and a client namespace on one bridge (test/netns/topology.py, through the speaker
end-to-end harness), creates a Node object per node namespace, runs ironlb-controller (host
namespace) and one ironlb-speaker per node, applies the sample pool and the sample Service
exactly as a user would (`kubectl apply -f config/samples/...`), publishes an EndpointSlice
with an endpoint on every node (there is no kube-controller-manager here), and then shows:

  - `kubectl get svc hello` with its EXTERNAL-IPs,
  - which node announces each VIP, and that the client's own kernel resolved it to that node,
  - an HTTP request from the client to each VIP, answered by the owning node.

With --once it exits after those checks (0 when all pass); otherwise it stays up until Ctrl-C,
printing the commands to poke at it. Everything is deleted on exit, also on failure.

    sandbox.py --state DIR --controller BIN --speaker BIN [--nodes 3] [--once]
"""

import argparse
import os
import signal
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "speaker"))
from cluster import Kube, SpeakerCluster, wait_for  # noqa: E402

POOL_YAML = os.path.join(ROOT, "config", "samples", "sandbox-pool.yaml")
SERVICE_YAML = os.path.join(ROOT, "config", "samples", "sandbox-service.yaml")
SERVICE, SERVICE_NS, SYSTEM_NS = "hello", "default", "metallb-system"
HTTP_PORT = 80
# The pool's IPv6 range is off the client's /64: on-link, like a flat L2 segment.
POOL_V6_ROUTE = "2001:db8:100::/64"

# Serves "hello from <node>" over HTTP on every local address (the VIP sits on lo).
HTTP_SERVER = r"""
import http.server, socket, sys
body = ("hello from %s\n" % sys.argv[1]).encode()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()
server = Server(("::", int(sys.argv[2])), Handler)
print("up", flush=True)
server.serve_forever()
"""


def say(text=""):
    print(text, flush=True)


def start_http_servers(c):
    for i, node in enumerate(c.nodes):
        proc = node.popen(["/usr/bin/python3", "-c", HTTP_SERVER, c.node_names[i], str(HTTP_PORT)],
                          stdin=subprocess.DEVNULL)
        if proc.stdout.readline().strip() != "up":
            raise RuntimeError(f"HTTP server in {node.ns} did not start")


def url(ip):
    return f"http://[{ip}]/" if ":" in ip else f"http://{ip}/"


def check_vip(c, ip):
    """Who announces ip, what the client's kernel resolved, and the HTTP answer. Returns the
    list of problems (empty when all is well)."""
    problems = []
    owner = c.wait_single_owner(ip, timeout=30)
    name = c.node_names[owner]
    r = c.client.run(["curl", "-sS", "-g", "--max-time", "5", url(ip)], check=False)
    answer = r.stdout.strip() or r.stderr.strip()
    mac = c.client_neigh(ip)
    say(f"  {ip:<22} announced by {name} ({c.mac_of(owner)}); "
        f"client's neighbour entry: {mac or 'none'}")
    say(f"  curl {url(ip):<28} -> {answer}")
    if r.returncode != 0 or answer != f"hello from {name}":
        problems.append(f"{ip}: expected 'hello from {name}', got {answer!r}")
    if mac != c.mac_of(owner):
        problems.append(f"{ip}: the client resolved {mac}, the owner's MAC is {c.mac_of(owner)}")
    return problems


def run(args):
    kube = Kube(args.state)
    with SpeakerCluster(kube, args.speaker, nodes=args.nodes, controller_bin=args.controller,
                        namespace=SYSTEM_NS, lb_class="") as c:
        try:
            return show(args, kube, c)
        except BaseException:
            c.dump_logs()
            raise
        finally:
            kube.delete("service", SERVICE, ns=SERVICE_NS)
            kube.delete("endpointslice", f"{SERVICE}-e2e", ns=SERVICE_NS)


def show(args, kube, c):
    """Applies the samples, checks the client's view, then (without --once) stays up."""
    c.client.ip("-6", "route", "add", POOL_V6_ROUTE, "dev", "eth0")
    start_http_servers(c)
    say(f"== {len(c.nodes)} nodes ({', '.join(n.ns for n in c.nodes)}) and a client "
        f"({c.client.ns}) on one bridge; controller and speakers running")
    c.start_all()
    say(f"== kubectl apply -f {os.path.relpath(POOL_YAML, ROOT)}")
    say(kube.run("apply", "-f", POOL_YAML).stdout.rstrip())
    say(f"== kubectl apply -f {os.path.relpath(SERVICE_YAML, ROOT)}")
    say(kube.run("apply", "-f", SERVICE_YAML).stdout.rstrip())
    def assigned():
        ips = kube.ingress_ips(SERVICE, SERVICE_NS)
        return ips if len(ips) == 2 else None
    ips = wait_for(assigned, 30, 0.1, "the controller to assign an IPv4 and an IPv6 address")
    # One ready endpoint per node: what kube-controller-manager would write for pods there.
    c.set_endpoints(SERVICE, range(len(c.nodes)), ns=SERVICE_NS, port=HTTP_PORT)
    for ip in ips:
        c.add_vip(ip)  # the nodes accept traffic for it (kube-proxy's job in a cluster)
    say("== kubectl get svc hello")
    say(kube.run("get", "svc", SERVICE, "-n", SERVICE_NS, "-o", "wide").stdout.rstrip())
    say("== from the client namespace")
    problems = [p for ip in ips for p in check_vip(c, ip)]
    if problems:
        c.dump_logs()
        for p in problems:
            say(f"PROBLEM: {p}")
        return 1
    say("== the sandbox works: the client reached the Service through every EXTERNAL-IP")
    if args.once:
        return 0
    kubectl = f"{kube.kubectl} --kubeconfig {kube.kubeconfig}"
    say(f"""
Try (in another shell, as root):
  {kubectl} get svc -A
  {kubectl} get ipaddresspools,l2advertisements,servicel2statuses -A
  ip netns exec {c.client.ns} curl -g {url(ips[0])}
  ip netns exec {c.client.ns} arping -c 3 -I eth0 {ips[0]}
  ip netns exec {c.client.ns} ndisc6 {ips[1]} eth0
  ip netns exec {c.nodes[0].ns} curl -s 127.0.0.1:7472/metrics | grep metallb_
Logs: {c.workdir}
Ctrl-C tears everything down.""")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1):
        if any(not s.alive() for s in c.speakers.values()):
            say("a speaker exited; see the logs above")
            c.dump_logs()
            return 1
    say("== tearing down")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--state", required=True, help="test control plane state directory")
    p.add_argument("--controller", required=True, help="ironlb-controller binary")
    p.add_argument("--speaker", required=True, help="ironlb-speaker binary")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--once", action="store_true", help="check and exit")
    args = p.parse_args()
    for path in (args.controller, args.speaker):
        if not os.access(path, os.X_OK):
            sys.exit(f"sandbox: {path} is not an executable; build it first")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
