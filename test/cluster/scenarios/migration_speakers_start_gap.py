#!/usr/bin/python3
"""cluster_migration_speakers_start_gap: ironlb's part of the gap in docs/migrating-from-metallb.md.

Between steps 4 and 5 of the guide nobody answers ARP/NDP for the Service IPs. This scenario
recreates that window on the real cluster: ironlb's speakers off (`speaker.enabled=false`; the
controller stays, it plays no part in answering), their pods gone, the client's neighbour
entries flushed (the worst case: a client that must resolve the IP in the window), checked that
nothing answers. Then it runs the guide's step 5 as written (the `migration-step=start-ironlb`
block, test/migration/doc_steps.py) while the client opens a new connection through each VIP
every 50 ms, and reports the time from the start of that command to the first page through
each VIP: the Helm upgrade, the DaemonSet's pods scheduled and started (image on the node), the
speaker's start-up, its first announcement. TRIALS trials; the IPs must not change and every
trial must end within MAX_S (a bound for a stuck start, not a target)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from failover_speaker_killed import prepare  # noqa: E402
from harness import (CHART, RELEASE, ROOT, SYSTEM_NS, Prober, percentile, run,  # noqa: E402
                     scenario, wait_for)

TRIALS = 3
MAX_S = 90.0
DOC = os.path.join(ROOT, "docs", "migrating-from-metallb.md")
DOC_STEPS = os.path.join(ROOT, "test", "migration", "doc_steps.py")


def step5(h):
    """The guide's step 5, run with bash in a clone's root, Helm and kubectl of the cluster."""
    body = subprocess.run(["/usr/bin/python3", DOC_STEPS, DOC, "start-ironlb"], check=True,
                          capture_output=True, text=True).stdout
    env = dict(h.helm_env)
    env["PATH"] = os.pathsep.join([os.path.dirname(h.helm_bin),
                                   os.path.dirname(h.kube.env["IRONLB_KUBECTL"]),
                                   env.get("PATH", "")])
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"guide step start-ironlb failed: {r.stderr.strip()}")


def trial(h, ips):
    h.helm("upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--reuse-values",
           "--set", "speaker.enabled=false")
    wait_for(lambda: not h.ironlb_pods("speaker"), 120, 0.2, "ironlb's speaker pods gone")
    for ip in ips:
        run(["ip", "-n", h.cluster.client_ns, "neigh", "flush", "to", ip], check=False)
        if h.answers(ip):
            raise AssertionError(f"{ip} still answered with the speakers gone")
    with Prober(h, ips, interval=0.05, timeout=0.5) as prober:
        t0 = time.monotonic()
        step5(h)
        t_helm = time.monotonic() - t0
        firsts = {}
        deadline = t0 + MAX_S
        while len(firsts) < len(ips) and time.monotonic() < deadline:
            for ip in ips:
                if ip not in firsts:
                    t = Prober.first_ok_after(prober.results, ip, t0)
                    if t is not None:
                        firsts[ip] = t - t0
            time.sleep(0.1)
    missing = [ip for ip in ips if ip not in firsts]
    if missing:
        raise AssertionError(f"no page through {missing} within {MAX_S:.0f} s of step 5")
    return t_helm, firsts


def check(h):
    if not h.installed():
        h.install()
    prepare(h)
    h.wait_ironlb_ready()
    ips = h.wait_ingress("default", "hello", count=2)
    before = h.all_ingress()
    gaps = {ip: [] for ip in ips}
    for i in range(TRIALS):
        t_helm, firsts = trial(h, ips)
        print(f"trial {i + 1}: step 5's helm upgrade {t_helm:.1f} s; first page "
              + ", ".join(f"{ip} {firsts[ip]:.1f} s" for ip in ips) + " after step 5 began",
              flush=True)
        for ip in ips:
            gaps[ip].append(firsts[ip])
    for ip in ips:
        print(f"{ip}: step 5 start -> first page p50 {percentile(gaps[ip], 50):.1f} s, "
              f"max {max(gaps[ip]):.1f} s ({TRIALS} trials)")
    h.wait_ironlb_ready()
    if h.all_ingress() != before:
        raise AssertionError(f"Service IPs changed: {before} -> {h.all_ingress()}")


if __name__ == "__main__":
    scenario(check)
