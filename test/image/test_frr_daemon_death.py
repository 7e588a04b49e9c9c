#!/usr/bin/env python3
"""image_frr_exits_when_a_daemon_dies: the ironlb-frr entrypoint (run as in its pod,
frrlib.py) does not carry on with part of FRR. bgpd is killed (SIGKILL): the supervisor says
so, stops zebra and bfdd and exits 1 within 15s, so that the kubelet restarts the container
and the speaker, seeing the sockets go, applies everything again.

  test_frr_daemon_death.py --image-dir BUILD/image
"""

from __future__ import annotations

import os
import signal
import time

from frrlib import alive, frr_container, image_from_args, wait_exit
from imagelib import check, log, main_guard, wait_for


def main() -> None:
    image, _ = image_from_args()
    with frr_container(image, "death") as c:
        c.wait_ready()
        pids = c.daemon_pids()
        os.kill(pids["bgpd"], signal.SIGKILL)
        killed = time.monotonic()
        exited = wait_exit(c.proc, 15, "the entrypoint after bgpd was killed")
        check(c.proc.returncode == 1, f"exit {c.proc.returncode}, want 1\n{c.log()[-2000:]}")
        check("bgpd was killed by" in c.log() and "bgpd is gone" in c.log(),
              f"the log does not say bgpd died:\n{c.log()[-2000:]}")
        wait_for(lambda: not any(alive(p) for p in pids.values()), 5, "no daemon to be left")
        log(f"bgpd killed: zebra and bfdd stopped, exit 1 after {exited - killed:.2f}s")


if __name__ == "__main__":
    main_guard(main)
