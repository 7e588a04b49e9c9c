#!/usr/bin/env python3
"""image_frr_needs_documented_capabilities: the capabilities docs/image.md gives FRR's
container (frrlib.CAPABILITIES: NET_ADMIN, NET_RAW, NET_BIND_SERVICE, SYS_ADMIN, SETUID,
SETGID) are enough, and each one is needed. With all of them the entrypoint comes up (the
three control sockets, "running"). Without any one, a daemon refuses to start (FRR asks for
its capabilities at start, or cannot drop to frr) and the entrypoint exits 1 within its
deadline, its log naming what failed. Each run is in its own network namespace.

  test_frr_capabilities.py --image-dir BUILD/image
"""

from __future__ import annotations

from frrlib import CAPABILITIES, frr_container, image_from_args, wait_exit
from imagelib import check, log, main_guard

# What FRR prints when it lacks one (lib/privs.c), by capability.
FAILURE_SIGNS = {"SETUID": "could not setreuid", "SETGID": "could not setgroups"}


def main() -> None:
    image, _ = image_from_args()
    with frr_container(image, "caps") as c:
        c.wait_ready()
    log(f"with {', '.join(sorted(CAPABILITIES))}: zebra, bgpd and bfdd up")
    for missing in sorted(CAPABILITIES):
        caps = {k: v for k, v in CAPABILITIES.items() if k != missing}
        with frr_container(image, f"no{missing.lower().replace('_', '')}", caps=caps) as c:
            wait_exit(c.proc, 30, f"the entrypoint without {missing}")
            out = c.log()
            check(c.proc.returncode == 1, f"without {missing}: exit {c.proc.returncode}, "
                  f"want 1\n{out[-2000:]}")
            sign = FAILURE_SIGNS.get(missing, f"cap_{missing.lower()}")
            failed = [line for line in out.splitlines()
                      if "Wanted caps" in line or "could not" in line]
            check(any(sign in line for line in failed),
                  f"without {missing}: no daemon failing for it ({sign!r}):\n{out[-2000:]}")
            log(f"without {missing}: exit 1; {failed[0].strip()}")


if __name__ == "__main__":
    main_guard(main)
