#!/usr/bin/python3
"""cluster_helm_upgrade_no_gap: `helm upgrade` to a new image (another tag and digest, imported
on every node like a pull) rolls every speaker and controller while a client requests a page
through both VIPs 20 times a second. Every pod ends on the new image and Ready, no Service
changes its IP, and the client never goes without an answer for long: the longest gap is
printed and must stay under MAX_GAP_S (a speaker's graceful stop hands its addresses over in
about a millisecond; a longer silence would mean an outage, not noise)."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from failover_speaker_killed import prepare  # noqa: E402
from harness import CHART, RELEASE, SYSTEM_NS, Prober, scenario  # noqa: E402

MAX_GAP_S = 2.0
INTERVAL_S = 0.05


def check(h):
    prepare(h)
    h.wait_ironlb_ready()
    ips = h.wait_ingress("default", "hello", count=2)
    before = h.all_ingress()
    new = h.variant_image(f"{h.image_ref.rsplit(':', 1)[1]}-next")
    with Prober(h, ips, interval=INTERVAL_S, timeout=0.5) as prober:
        t0 = time.monotonic()
        h.helm("upgrade", RELEASE, CHART, "-n", SYSTEM_NS, "--reuse-values",
               "--set", f"image.tag={new.rsplit(':', 1)[1]}")
        h.wait_ironlb_ready(timeout=300, image=new)
        t1 = time.monotonic()
        after = h.all_ingress()
        results = prober.stop()
    print(f"helm upgrade to {new}: every pod replaced and Ready after {t1 - t0:.1f} s")
    worst = 0.0
    for ip in ips:
        n = sum(1 for r in results if r["target"] == ip and t0 <= r["start"] <= t1)
        ok = sum(1 for r in results if r["target"] == ip and t0 <= r["start"] <= t1 and r["ok"])
        gap, a, b = Prober.longest_gap(results, ip, since=t0, until=t1)
        worst = max(worst, gap)
        print(f"  {ip}: {ok}/{n} requests answered during the upgrade; longest gap "
              f"{gap * 1000:.0f} ms")
    if after != before:
        raise AssertionError(f"Service IPs changed: {before} -> {after}")
    if worst > MAX_GAP_S:
        raise AssertionError(f"the client went {worst:.2f} s without an answer")


if __name__ == "__main__":
    scenario(check)
