#!/usr/bin/python3
"""bgp_frr_config_changes_apply_in_place: FRR (zebra, bgpd, bfdd from Debian) runs in a network
namespace of this test with an empty configuration; frr_apply_check drives it through seeded
random sequences of node plans, applying only the differences over the control sockets, and
checks after every step that FRR's running configuration equals ironlb's rendering. The peers'
addresses are documentation addresses no one in the namespace answers; nothing leaves it."""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from frr import Frr  # noqa: E402
from topology import Topology  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", required=True)
    ap.add_argument("--seeds", default="1,2,3,4,5,6")
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    with Topology(nodes=1) as topo:
        node = topo.nodes[0]
        for seed in args.seeds.split(","):
            # A fresh FRR per seed: each sequence starts from an empty configuration.
            with Frr(node) as frr:
                r = subprocess.run([args.check, "--vty-dir", frr.vty_dir, "--seed", seed,
                                    "--steps", str(args.steps)],
                                   capture_output=True, text=True, timeout=240)
                sys.stdout.write(r.stdout)
                if r.returncode != 0:
                    sys.stdout.write(r.stderr)
                    sys.stdout.write("--- bgpd log ---\n" + frr.log("bgpd")[-3000:])
                    print("FAIL: FRR did not end up running what ironlb rendered")
                    return 1
    print("PASS: every change applied in place and read back as rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
