#!/usr/bin/python3
"""alerts_scrape_running_ironlb: drives a running ironlb (the real controller and three real
speakers in network namespaces, on the test control plane) through the states the chart's
alerts are about, and scrapes every daemon's /metrics in each state. The alert tests
(test_alert.py) and the dashboard test (test_dashboard.py) evaluate the chart's rules and
queries against these scrapes.

  scrape_states.py --state DIR --speaker BIN --controller BIN --out SCRAPES.json

States, in order (each scraped once its condition is observed, never after a fixed wait):
  healthy         one pool of 4 addresses, 1 Service announced by one owner
  pool_75         3 of the 4 addresses assigned
  pool_exhausted  all 4 assigned
  unannounced     a Service from a second pool that no L2Advertisement selects
  duplicate       a device on the segment claims the owner's IP with another MAC (ARP)
  split           node 2's membership traffic black-holed: the speakers see 2 and 1 live members
  stale           an IPAddressPool the API server accepts but ironlb rejects: running speakers
                  keep the last configuration (stale), a restarted speaker has none (not loaded)
  no_leader       a controller replica whose Lease another replica holds: leader 0
Output: {"states": {state: {target: exposition text}}}; targets are "controller",
"controller-standby" and "speaker-<i>".
"""

import argparse
import datetime
import json
import os
import signal
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "speaker"))
from cluster import Kube, SpeakerCluster, wait_for  # noqa: E402

VIPS = [f"192.0.2.{100 + i}" for i in range(4)]
DARK_VIP = "198.51.100.10"
FOREIGN_MAC = "02:00:5e:10:00:01"


def http_get(port, path="/metrics"):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"GET {path} on {port}: {head[:80]!r}")
    return body.decode()


class Scraper:
    def __init__(self, c):
        self.c = c
        self.states = {}
        self.extra = {}  # target -> port (host namespace)

    def controller_port(self):
        for arg in self.c.controller.args:
            if arg.startswith("--metrics-address="):
                return int(arg.rsplit(":", 1)[1])
        raise RuntimeError("controller has no --metrics-address")

    def snapshot(self, state, targets=None):
        got = {}
        if targets is None or "controller" in targets:
            got["controller"] = http_get(self.controller_port())
        for name, port in self.extra.items():
            if targets is None or name in targets:
                got[name] = http_get(port)
        for i in self.c.running():
            if targets is None or f"speaker-{i}" in targets:
                text = self.c.metrics(i)
                if not text:
                    raise RuntimeError(f"speaker {i}: no metrics")
                got[f"speaker-{i}"] = text
        self.states[state] = got
        print(f"scraped {state}: {', '.join(sorted(got))}", flush=True)


def value(text, name, **match):
    return sum(v for labels, v in SpeakerCluster.samples(text, name)
               if all(labels.get(k) == x for k, x in match.items()))


def run(args):
    kube = Kube(args.state)
    with SpeakerCluster(kube, args.speaker, nodes=3, controller_bin=args.controller) as c:
        try:
            scenario(c, args)
        except BaseException:
            c.dump_logs()
            raise


def scenario(c, args):
    s = Scraper(c)
    c.start_all()
    c.pool("web", [f"{VIPS[0]}-{VIPS[-1]}"])
    c.advertise("web-only", pools=["web"])
    c.add_vip(VIPS[0])
    c.service("s0", [VIPS[0]], endpoints=[0, 1, 2])
    owner = c.wait_single_owner(VIPS[0])
    wait_for(lambda: value(http_get(s.controller_port()),
                           "metallb_allocator_addresses_in_use_total", pool="web") == 1,
             30, 0.1, "pool web: 1 address in use")
    s.snapshot("healthy")

    for i in (1, 2):
        c.service(f"s{i}", [VIPS[i]], endpoints=[0, 1, 2])
    wait_for(lambda: value(http_get(s.controller_port()),
                           "metallb_allocator_addresses_in_use_total", pool="web") == 3,
             30, 0.1, "pool web: 3 addresses in use")
    s.snapshot("pool_75")
    c.service("s3", [VIPS[3]], endpoints=[0, 1, 2])
    wait_for(lambda: value(http_get(s.controller_port()),
                           "metallb_allocator_addresses_in_use_total", pool="web") == 4,
             30, 0.1, "pool web: 4 addresses in use")
    s.snapshot("pool_exhausted")

    c.pool("dark", [f"{DARK_VIP}/32"])
    c.service("lonely", [DARK_VIP], endpoints=[0])
    wait_for(lambda: all(c.unannounced_reason(i, DARK_VIP) for i in range(3)), 30, 0.1,
             f"every speaker reporting {DARK_VIP} unannounced")
    s.snapshot("unannounced")

    c.scapy("claim", "eth0", VIPS[0], FOREIGN_MAC, "7", "0.25")
    wait_for(lambda: c.metric(owner, "ironlb_speaker_duplicate_owner_seen_total") > 0, 30, 0.1,
             "the owner counting the foreign claim")
    s.snapshot("duplicate")

    c.block_membership([2], [0, 1], True)
    wait_for(lambda: c.metric(0, "ironlb_speaker_membership_live_members") == 2
             and c.metric(2, "ironlb_speaker_membership_live_members") == 1, 60, 0.1,
             "the membership split 2 + 1")
    s.snapshot("split")
    c.block_membership([2], [0, 1], False)
    wait_for(lambda: all(c.metric(i, "ironlb_speaker_membership_live_members") == 3
                         for i in range(3)), 60, 0.1, "the membership whole again")

    # Accepted by the API server, rejected by ironlb: a loopback address cannot be a Service
    # address (docs/allocation.md).
    c.pool("broken", ["127.0.0.1/32"])
    wait_for(lambda: all(c.metric(i, "metallb_k8s_client_config_stale_bool") == 1
                         for i in range(3)), 30, 0.1, "the speakers on a stale configuration")
    c.speakers[2].proc.send_signal(signal.SIGKILL)
    c.speakers[2].wait()
    c.start_speaker(2)
    wait_for(lambda: "metallb_k8s_client_config_loaded_bool 0" in c.metrics(2), 30, 0.1,
             "the restarted speaker up without a configuration")
    s.snapshot("stale")

    # A Lease that another replica holds (renewed just now, for an hour): the replica started
    # with it waits as a standby, and no replica of this installation leads.
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    c.kube.apply({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                  "metadata": {"name": "held-elsewhere", "namespace": c.ns},
                  "spec": {"holderIdentity": "replica-on-a-lost-node",
                           "leaseDurationSeconds": 3600, "acquireTime": now, "renewTime": now}})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(os.path.join(c.workdir, "controller-standby.log"), "a")
    standby = subprocess.Popen(
        [args.controller, f"--kubeconfig={c.kube.kubeconfig}", f"--namespace={c.ns}",
         f"--lb-class={c.lb_class}", f"--metrics-address=127.0.0.1:{port}",
         "--probe-address=127.0.0.1:0", *c.metrics_args, "--identity=standby", "--lease-name=held-elsewhere", "--leader-elect"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        s.extra["controller-standby"] = port

        def standby_waiting():
            try:
                text = http_get(port)
            except OSError:
                return False
            return "\nironlb_controller_leader 0" in "\n" + text
        wait_for(standby_waiting, 30, 0.1, "the standby controller up and not leading")
        s.snapshot("no_leader", targets={"controller-standby"})
    finally:
        standby.kill()
        standby.wait(timeout=10)
        log.close()

    with open(args.out, "w") as f:
        json.dump({"states": s.states}, f, indent=1, sort_keys=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--speaker", required=True)
    p.add_argument("--controller", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    if os.path.exists(args.out):
        os.unlink(args.out)  # never leave an older run's scrapes for the alert tests
    run(args)
    print("PASS", flush=True)


if __name__ == "__main__":
    main()
