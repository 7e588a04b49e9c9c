#!/usr/bin/python3
"""bgp_frr_announces_to_bird: ironlb's BGP pipeline (bgp_node_apply: metallb.io objects ->
validation -> per-node plan -> FRR configuration -> changes over FRR's control sockets) on two
node namespaces, each with a real FRR, peering with BIRD 2 in the router namespace: a different
BGP implementation, so interoperability is proven against code ironlb does not configure.

Proves, with MD5 passwords from the passwords map (the Secrets' role) and a 100 ms x 3 BFD
profile on every session:
  - both sessions come up and BFD sessions are Up at the router;
  - externalTrafficPolicy Cluster: the router has the VIP with both nodes as next hops (ECMP in
    its kernel table); Local: only the node with the endpoint;
  - communities and large communities arrive as configured;
  - the router reaches a listener on the VIP through the route it learned;
  - a node's FRR killed: the router drops that next hop (BFD); a new FRR, configured from
    scratch by a fresh pipeline run that reads FRR's (empty) state back, restores ECMP;
  - a Service removed is withdrawn at the router while the sessions stay up (no reset).
Namespaces are created by the test and always deleted; addresses are documentation ones."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bird import Bird  # noqa: E402
from frr import Frr  # noqa: E402
from topology import Topology, wait_for  # noqa: E402

NS = "metallb-system"
PASSWORD = "Md5-s3cret"
VIP = "203.0.113.5"
LOCAL_VIP = "203.0.113.6"

BIRD_CONF = """
router id 192.0.2.1;
log "@LOG@" all;
protocol device { }
protocol kernel { ipv4 { export all; import none; }; merge paths on; }
protocol bfd { interface "*" { interval 100 ms; multiplier 3; }; }
template bgp node {
  local 192.0.2.1 as 64513;
  # A BFD session can still be in its slow start when BGP comes up; retry soon after such an
  # early drop instead of BIRD's default minute.
  error wait time 1, 5;
  connect retry time 1;
  ipv4 { import all; export none; };
  password "%s";
  bfd on;
}
protocol bgp n0 from node { neighbor 192.0.2.10 as 64512; }
protocol bgp n1 from node { neighbor 192.0.2.11 as 64512; }
""" % PASSWORD


def objects(nodes):
    meta = lambda name: {"name": name, "namespace": NS}  # noqa: E731
    out = [
        {"kind": "IPAddressPool", "metadata": meta("public"), "spec": {"addresses": ["203.0.113.0/24"]}},
        {"kind": "BFDProfile", "metadata": meta("fast"),
         "spec": {"receiveInterval": 100, "transmitInterval": 100, "detectMultiplier": 3}},
        {"kind": "BGPPeer", "metadata": meta("router"),
         "spec": {"myASN": 64512, "peerASN": 64513, "peerAddress": "192.0.2.1",
                  "passwordSecret": {"name": "router-auth"}, "bfdProfile": "fast",
                  "holdTime": "9s", "keepaliveTime": "3s"}},
        {"kind": "Community", "metadata": meta("aliases"),
         "spec": {"communities": [{"name": "edge", "value": "64512:7"}]}},
        {"kind": "BGPAdvertisement", "metadata": meta("public"),
         "spec": {"ipAddressPools": ["public"], "communities": ["edge", "large:64512:1:2"]}},
    ]
    out += [{"kind": "Node", "metadata": {"name": n, "labels": {"kubernetes.io/hostname": n}}}
            for n in nodes]
    return out


def apply(tool, node, frr, services, nodes):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"node": node, "objects": objects(nodes), "services": services,
                   "passwords": {"router": PASSWORD}}, f)
    try:
        r = subprocess.run([tool, "--input", f.name, "--vty-dir", frr.vty_dir],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    if r.returncode != 0 or "applied" not in r.stdout:
        raise AssertionError(f"bgp_node_apply on {node} failed:\n{r.stdout}{r.stderr}")
    if PASSWORD in r.stdout + r.stderr:
        raise AssertionError("the password appeared in the tool's output")
    return r.stdout


def kernel_nexthops(router, prefix):
    """The next hops of the router's kernel route for prefix (one or several; [] when none)."""
    out = router.run(["ip", "-4", "route", "show", prefix], check=False).stdout
    return sorted(tok for line in out.splitlines() for i, tok in enumerate(line.split())
                  if i > 0 and line.split()[i - 1] == "via")


def diagnose(bird, frrs):
    """What the router and the nodes' FRR say, printed when a wait fails."""
    print("--- router: show protocols all ---")
    print(bird.cli("show", "protocols", "all")[-3000:])
    print("--- router log ---")
    print(bird.log()[-2000:])
    for f in frrs:
        if f.vty_dir is None:
            continue
        r = subprocess.run(["vtysh", "--vty_socket", f.vty_dir, "-c", "show bgp summary", "-c",
                            "show bfd peers brief"], capture_output=True, text=True, timeout=10)
        print(f"--- {f.host.ns}: show bgp summary ---")
        print(r.stdout[-2000:], r.stderr[-500:])


def scenario(args, router, bird, frrs, names, node_ips):
    services = [
        {"key": "default/web", "ips": [VIP], "serving": True, "servingNodes": names},
        {"key": "default/local", "ips": [LOCAL_VIP], "local": True, "serving": True,
         "servingNodes": ["n1"]},
    ]
    for name, frr in zip(names, frrs):
        out = apply(args.apply, name, frr, services, names)
        print(f"{name}: {out.strip().splitlines()[-1]}")

    wait_for(lambda: all(p[0] == "up" and "Established" in p[2]
                         for p in bird.protocols().values())
             and len(bird.protocols()) == 2, 30, 0.1,
             "both BGP sessions Established at the router")
    print("sessions:", bird.protocols())
    wait_for(lambda: kernel_nexthops(router, VIP) == node_ips, 30, 0.1,
             f"{VIP} via both nodes in the router's kernel table")
    print(f"{VIP}: ECMP via {kernel_nexthops(router, VIP)}")
    wait_for(lambda: kernel_nexthops(router, LOCAL_VIP) == ["192.0.2.11"], 30, 0.1,
             f"{LOCAL_VIP} (Local) via n1 only")
    local_route = router.run(["ip", "route", "show", LOCAL_VIP]).stdout.strip()
    if "192.0.2.10" in local_route:
        raise AssertionError(f"Local Service announced from n0 too: {local_route}")
    print(f"{LOCAL_VIP}: {local_route}")

    detail = bird.route(f"{VIP}/32")
    for want in ("BGP.community: (64512,7)", "BGP.large_community: (64512, 1, 2)"):
        if want not in detail:
            raise AssertionError(f"{want!r} missing at the router:\n{detail}")
    print("communities and large communities present")

    wait_for(lambda: bird.cli("show", "bfd", "sessions").count(" Up ") == 2, 30, 0.1,
             "two BFD sessions Up at the router")
    print("BFD:", " ".join(bird.cli("show", "bfd", "sessions").split()[-12:]))

    r = router.run(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w",
                    "%{http_code}", f"http://{VIP}:8080/"], check=False)
    if r.stdout != "200":
        raise AssertionError(f"curl through the learned route: {r.stdout} {r.stderr}")
    print(f"the router reached {VIP}:8080 through the BGP route")

    # n0's FRR dies: BFD tells the router, which drops n0's next hop; a new FRR starts empty
    # and the pipeline (a fresh applier reading FRR's state back) restores everything.
    t0 = time.monotonic()
    frrs[0].stop()
    wait_for(lambda: kernel_nexthops(router, VIP) == ["192.0.2.11"], 10, 0.005,
             f"the router dropping n0's next hop for {VIP}")
    print(f"n0's FRR killed: its next hop left the router's table after "
          f"{(time.monotonic() - t0) * 1000:.0f} ms (BFD 100 ms x 3)")
    frrs[0].start()
    out = apply(args.apply, names[0], frrs[0], services, names)
    if "applied" not in out:
        raise AssertionError(out)
    wait_for(lambda: kernel_nexthops(router, VIP) == node_ips, 30, 0.1,
             f"{VIP} via both nodes again after n0's FRR restarted")
    print("n0's FRR restarted and reconfigured from scratch: ECMP restored")

    wait_for(lambda: len(bird.protocols()) == 2 and all(
        "Established" in p[2] for p in bird.protocols().values()), 30, 0.1, "both sessions up")
    since = bird.since()
    for name, frr in zip(names, frrs):
        apply(args.apply, name, frr, services[1:], names)
    wait_for(lambda: not kernel_nexthops(router, VIP), 30, 0.1, f"{VIP} withdrawn at the router")
    after = bird.protocols()
    if not Bird.same_since(bird.since(), since) or any(
            "Established" not in v[2] for v in after.values()):
        raise AssertionError(f"sessions were reset by the change: {since} -> {after}")
    if not router.run(["ip", "route", "show", LOCAL_VIP]).stdout.strip():
        raise AssertionError("the Local Service's route went with the other one")
    print(f"{VIP} withdrawn, {LOCAL_VIP} kept, sessions not reset")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apply", required=True)
    args = ap.parse_args()
    with Topology(nodes=2) as topo:
        router = topo.client
        names = ["n0", "n1"]
        node_ips = [n.ipv4 for n in topo.nodes]
        assert node_ips == ["192.0.2.10", "192.0.2.11"], node_ips
        frrs = []
        try:
            for n in topo.nodes:
                frrs.append(Frr(n).__enter__())
                # The VIP is local on each node (kube-proxy's part in a cluster) with a listener.
                n.ip("addr", "add", f"{VIP}/32", "dev", "lo")
                n.ip("addr", "add", f"{LOCAL_VIP}/32", "dev", "lo")
                n.popen(["python3", "-m", "http.server", "--bind", VIP, "8080"],
                        cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with Bird(router, BIRD_CONF) as bird:
                try:
                    scenario(args, router, bird, frrs, names, node_ips)
                except Exception:
                    diagnose(bird, frrs)
                    raise
        finally:
            for f in frrs:
                f.stop()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
