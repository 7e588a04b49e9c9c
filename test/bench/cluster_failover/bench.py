#!/usr/bin/python3
"""The trials behind run.sh (see there): installs ironlb on the given cluster, then runs the
speaker and node failover trials of test/cluster/failover.py and prints their distributions."""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "cluster"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "cluster", "scenarios"))
import failover  # noqa: E402
from failover_speaker_killed import prepare  # noqa: E402
from harness import Harness, percentile  # noqa: E402


def report(kind, results):
    print(f"\n### {kind}: {len(results)} trials")
    keys = ["neigh_s", "first_ok_s", "gap_s", "endpoints_s"]
    for key in keys:
        values = [r[key] for r in results if key in r]
        if values:
            print(f"  {key:<12} p50 {percentile(values, 50) * 1000:8.0f} ms   p99 "
                  f"{percentile(values, 99) * 1000:8.0f} ms   max {max(values) * 1000:8.0f} ms")
    between = [(r["failed_between"], r["requests_between"]) for r in results
               if "failed_between" in r]
    if between:
        failed = sum(f for f, _ in between)
        total = sum(t for _, t in between)
        print(f"  between the neighbour move and the endpoint update: {failed} of {total} "
              f"requests failed ({100 * failed / max(total, 1):.0f} %: connections kube-proxy "
              "sent to the dead node's pod)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--image-dir", required=True)
    p.add_argument("--trials", type=int, default=10)
    args = p.parse_args()
    h = Harness(args.state, args.image_dir)
    h.install()
    h.wait_ironlb_ready()
    ip = prepare(h)
    log = lambda line: print(f"  {line}", flush=True)  # noqa: E731
    for kind in ("speaker", "node"):
        print(f"\n# {kind} trials on {ip}", flush=True)
        results = [failover.trial(h, kind, ip, wait_endpoints=True, fresh_pod=True, log=log)
                   for _ in range(args.trials)]
        report(kind, results)


if __name__ == "__main__":
    main()
