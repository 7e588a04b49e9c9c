#!/usr/bin/python3
"""BGP mode end to end (docs/bgp.md): the real ironlb-speaker in each node namespace driving a
real FRR beside it (test/netns/frr.py, sockets in a directory given by --frr-socket-dir), the
router namespace (the topology's client, 192.0.2.1 / 2001:db8:1::1) running BIRD 2, a
different BGP implementation, and the metallb.io objects in the real API server.

    with BgpCluster(kube, speaker_bin, nodes=2) as c:
        c.bgp_objects()                      # pool, Secret, BFDProfile, BGPPeers, BGPAdvertisement
        c.start_all()                        # FRR + speaker on every node
        c.wait_sessions(2)
        c.service("web", ["203.0.113.5"], endpoints=[0, 1]); c.add_vip("203.0.113.5")
        c.wait_nexthops("203.0.113.5", [0, 1])

The router learns routes into its kernel table (BIRD's kernel protocol, ECMP merged), so the
router's own connections to a VIP follow what BGP taught it. Everything is deleted on exit.
"""

import base64
import os
import re
import sys
import time

from cluster import SpeakerCluster, wait_for  # noqa: F401

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "netns"))
from bird import Bird  # noqa: E402
from frr import Frr  # noqa: E402

PASSWORD = "Md5-s3cret"
MY_ASN, ROUTER_ASN = 64512, 64513
POOL_V4, POOL_V6 = "203.0.113.0/24", "2001:db8:2::/120"
MARKER = "ironlb-withdrawn"

BIRD_CONF = """
router id 192.0.2.1;
log "@LOG@" all;
protocol device { }
protocol kernel { ipv4 { export all; import none; }; merge paths on; }
protocol kernel { ipv6 { export all; import none; }; merge paths on; }
protocol bfd { interface "*" { interval 100 ms; multiplier 3; }; }
template bgp node4 {
  local 192.0.2.1 as %(router)d;
  error wait time 1, 5;
  connect retry time 1;
  graceful restart on;
  ipv4 { import all; export none; };
  password "%(password)s";
  bfd on;
}
template bgp node6 {
  local 2001:db8:1::1 as %(router)d;
  error wait time 1, 5;
  connect retry time 1;
  graceful restart on;
  ipv6 { import all; export none; };
  password "%(password)s";
}
%(protocols)s
"""


class BgpCluster(SpeakerCluster):
    """SpeakerCluster with FRR beside every speaker and BIRD as the router."""

    def __init__(self, *args, ipv6=False, bird_password=PASSWORD, **kw):
        super().__init__(*args, **kw)
        self.ipv6 = ipv6
        self.bird_password = bird_password
        self.frrs = {}
        self.bird = None

    def _setup(self):
        super()._setup()
        protocols = []
        for i, node in enumerate(self.nodes):
            protocols.append(f"protocol bgp n{i} from node4 {{ neighbor {node.ipv4} as "
                             f"{MY_ASN}; }}")
            if self.ipv6:
                protocols.append(f"protocol bgp n{i}v6 from node6 {{ neighbor {node.ipv6} as "
                                 f"{MY_ASN}; }}")
        # The router reaches VIPs only through routes BGP taught it, not on-link.
        for net in ("198.51.100.0/24", "203.0.113.0/24"):
            self.client.ip("route", "del", net, "dev", "eth0", check=False)
        self.bird = Bird(self.client, BIRD_CONF % {"router": ROUTER_ASN,
                                                   "password": self.bird_password,
                                                   "protocols": "\n".join(protocols)})
        self.bird.start()
        for i, node in enumerate(self.nodes):
            self.frrs[i] = Frr(node, config=os.environ.get('IRONLB_TEST_FRR_CONFIG', ''))
            self.frrs[i].start()

    def close(self):
        try:
            if hasattr(self, "ns"):
                for kind in ("servicebgpstatuses.metallb.io", "bgpadvertisements.metallb.io",
                             "bgppeers.metallb.io", "bfdprofiles.metallb.io",
                             "communities.metallb.io", "secrets"):
                    self.kube.delete(kind, ns=self.ns)
        finally:
            try:
                super().close()
            finally:
                for f in self.frrs.values():
                    f.stop()
                if self.bird is not None:
                    self.bird.stop()

    def dump_logs(self, stream=sys.stderr, lines=80):
        super().dump_logs(stream, lines)
        if self.bird is not None and self.bird.dir is not None:
            stream.write("----- router: show protocols -----\n")
            stream.write(self.bird.cli("show", "protocols"))
            stream.write("----- router log -----\n")
            stream.write(self.bird.log()[-3000:])

    # ------------------------------------------------------------------ speakers
    def start_speaker(self, i, extra_args=()):
        return super().start_speaker(
            i, [f"--frr-socket-dir={self.frrs[i].vty_dir}", *extra_args])

    def marker(self, i):
        return os.path.exists(os.path.join(self.frrs[i].vty_dir, MARKER))

    # ------------------------------------------------------------------ objects
    def meta(self, name, labels=None):
        return {"name": name, "namespace": self.ns, "labels": labels or {}}

    def secret(self, name, password):
        self.kube.apply({"apiVersion": "v1", "kind": "Secret", "metadata": self.meta(name),
                         "type": "kubernetes.io/basic-auth",
                         "data": {"password": base64.b64encode(password.encode()).decode()}})

    def peer(self, name, address, secret="router-auth", bfd=None, node_selectors=None,
             extra=None):
        spec = {"myASN": MY_ASN, "peerASN": ROUTER_ASN, "peerAddress": address,
                "holdTime": "9s", "keepaliveTime": "3s", "connectTime": "1s"}
        if secret:
            spec["passwordSecret"] = {"name": secret}
        if bfd:
            spec["bfdProfile"] = bfd
        if node_selectors:
            spec["nodeSelectors"] = [{"matchLabels": m} for m in node_selectors]
        spec.update(extra or {})
        self.kube.apply({"apiVersion": "metallb.io/v1beta2", "kind": "BGPPeer",
                         "metadata": self.meta(name), "spec": spec})

    def bgp_advertisement(self, name, pools=("bgp",), **spec):
        body = {"ipAddressPools": list(pools)}
        body.update(spec)
        self.kube.apply({"apiVersion": "metallb.io/v1beta1", "kind": "BGPAdvertisement",
                         "metadata": self.meta(name), "spec": body})

    def bgp_objects(self, bfd=False):
        """The pool "bgp", the password Secret, BGPPeer "router" (and "router-v6"), and one
        BGPAdvertisement "all" of the pool with a community."""
        self.pool("bgp", [POOL_V4] + ([POOL_V6] if self.ipv6 else []))
        self.secret("router-auth", PASSWORD)
        if bfd:
            self.kube.apply({"apiVersion": "metallb.io/v1beta1", "kind": "BFDProfile",
                             "metadata": self.meta("fast"),
                             "spec": {"receiveInterval": 100, "transmitInterval": 100,
                                      "detectMultiplier": 3}})
        self.peer("router", "192.0.2.1", bfd="fast" if bfd else None)
        if self.ipv6:
            self.peer("router-v6", "2001:db8:1::1")
        self.bgp_advertisement("all", communities=["64512:7"])

    # ------------------------------------------------------------------ the router's view
    def established(self):
        """Names of BIRD's protocols in state Established."""
        return sorted(k for k, v in self.bird.protocols().items() if "Established" in v[2])

    def wait_sessions(self, names, timeout=30):
        try:
            wait_for(lambda: all(n in self.established() for n in names), timeout, 0.1,
                     f"BGP sessions {names} Established at the router")
        except TimeoutError:
            self.dump_logs()
            raise

    def since(self):
        """BIRD's since() (compare readings with same_since())."""
        return self.bird.since()

    same_since = staticmethod(Bird.same_since)

    def nexthops(self, ip):
        """The router's kernel next hops for ip's host route ([] when none)."""
        family = "-6" if ":" in ip else "-4"
        plen = 128 if ":" in ip else 32
        out = self.client.run(["ip", family, "route", "show", f"{ip}/{plen}"],
                              check=False).stdout
        hops = []
        for line in out.splitlines():
            f = line.split()
            hops += [f[k + 1] for k in range(len(f) - 1) if f[k] == "via"]
        return sorted(hops)

    def bird_nexthops(self, ip):
        """The next hops of the routes BIRD holds for ip's host route, stale ones included
        (what graceful restart keeps), sorted."""
        plen = 128 if ":" in ip else 32
        out = self.bird.cli("show", "route", f"{ip}/{plen}")
        return sorted(re.findall(r"via (\S+)", out))

    def node_ips(self, indexes, v6=False):
        return sorted(self.nodes[i].ipv6 if v6 else self.nodes[i].ipv4 for i in indexes)

    def wait_nexthops(self, ip, indexes, timeout=30):
        want = self.node_ips(indexes, ":" in ip)
        try:
            wait_for(lambda: self.nexthops(ip) == want, timeout, 0.05,
                     f"{ip} via {want} at the router")
        except TimeoutError:
            sys.stderr.write(f"router has {self.nexthops(ip)} for {ip}\n")
            self.dump_logs()
            raise

    def route_detail(self, ip):
        plen = 128 if ":" in ip else 32
        return self.bird.route(f"{ip}/{plen}")

    def bgp_statuses(self):
        """{(node, service name): sorted peers} of the ServiceBGPStatus objects."""
        out = {}
        for o in self.kube.list("servicebgpstatuses.metallb.io", self.ns):
            st = o.get("status", {})
            out[(st.get("node"), st.get("serviceName"))] = sorted(st.get("peers", []))
        return out

    def watch_route(self, ip, until, timeout=30):
        """Polls the router's route for ip every few ms until until() is true; returns the
        number of polls that found no next hop (0 = the route never went away)."""
        gaps = 0
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise TimeoutError("watch_route: condition not met")
            if not self.nexthops(ip):
                gaps += 1
        return gaps
