#!/usr/bin/env python3
"""image_frr_stops_after_withdrawal_marker: SIGTERM to the ironlb-frr image's entrypoint
(run as in its pod, frrlib.py) keeps FRR up until the speaker's withdrawal marker
/var/run/frr/ironlb-withdrawn appears, bounded by IRONLB_FRR_STOP_WAIT_SECONDS:

  marker    stop wait 60s. After SIGTERM the supervisor says it waits, and zebra, bgpd and
            bfdd still run and answer (FRR's sessions stay up while the speaker withdraws).
            The marker is created: the entrypoint exits 0 within 5s of it (far inside the 60s),
            and no daemon is left.
  no marker stop wait 2s, with a stale marker from an "earlier run" in the volume before the
            start, which the supervisor must remove (else it would not wait at all). SIGTERM:
            exit 0 no sooner than 2s and within 2s + 8s, saying no marker came; no daemon left.
  bad value IRONLB_FRR_STOP_WAIT_SECONDS=20s or IRONLB_FRR_DAEMONS=ospfd: exit 2 before any
            daemon starts, the message naming the variable and the value.

  test_frr_stop.py --image-dir BUILD/image
"""

from __future__ import annotations

import signal
import time

from frrlib import MARKER, RUN_DIR, alive, frr_container, image_from_args, wait_exit
from imagelib import Image, check, log, main_guard, wait_for


def check_marker_ends_wait(image: Image) -> None:
    with frr_container(image, "marker", env={"IRONLB_FRR_STOP_WAIT_SECONDS": "60"}) as c:
        c.wait_ready()
        pids = c.daemon_pids()
        c.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: "waiting up to 60s for the speaker's withdrawal marker" in c.log(), 10,
                 "the supervisor to say it waits for the marker")
        check(c.proc.poll() is None, f"exited on SIGTERM without the marker:\n{c.log()}")
        check(all(alive(p) for p in pids.values()), f"a daemon stopped before the marker: "
              f"{pids}\n{c.log()[-2000:]}")
        res = c.vtysh("show version", daemon="bgpd")
        check(res.returncode == 0, f"bgpd stopped answering while waiting:\n{res.stderr}")
        log("after SIGTERM, before the marker: supervisor waiting, zebra, bgpd, bfdd running "
            "and bgpd answering")
        (c.run_dir / MARKER).touch()
        marked = time.monotonic()
        exited = wait_exit(c.proc, 5, "the entrypoint after the marker appeared")
        check(c.proc.returncode == 0, f"exit status {c.proc.returncode}, want 0\n{c.log()}")
        check("withdrawal marker found" in c.log(), f"no 'marker found' line:\n{c.log()}")
        wait_for(lambda: not any(alive(p) for p in pids.values()), 5, "no daemon to be left")
        log(f"marker: exit 0 {exited - marked:.2f}s after it appeared (stop wait 60s); "
            "no daemon left")


def check_wait_is_bounded(image: Image) -> None:
    with frr_container(image, "nomarker", env={"IRONLB_FRR_STOP_WAIT_SECONDS": "2"},
                       stale_marker=True) as c:
        c.wait_ready()
        check("left by an earlier run" in c.log() and not (c.run_dir / MARKER).exists(),
              f"the stale marker was not removed at start:\n{c.log()}")
        pids = c.daemon_pids()
        signalled = time.monotonic()
        c.proc.send_signal(signal.SIGTERM)
        exited = wait_exit(c.proc, 10, "the entrypoint without a marker (stop wait 2s)")
        took = exited - signalled
        check(c.proc.returncode == 0, f"exit status {c.proc.returncode}, want 0\n{c.log()}")
        check(took >= 2.0, f"exited {took:.2f}s after SIGTERM, before its 2s wait was over")
        check("no withdrawal marker after" in c.log(), f"no 'no marker' line:\n{c.log()}")
        wait_for(lambda: not any(alive(p) for p in pids.values()), 5, "no daemon to be left")
        log(f"no marker (a stale one removed at start): exit 0 {took:.2f}s after SIGTERM "
            "(stop wait 2s); no daemon left")


def check_bad_setting_refused(image: Image) -> None:
    for var, value in (("IRONLB_FRR_STOP_WAIT_SECONDS", "20s"), ("IRONLB_FRR_DAEMONS", "ospfd")):
        with frr_container(image, "badenv", env={var: value}) as c:
            wait_exit(c.proc, 10, f"the entrypoint with {var}={value}")
            check(c.proc.returncode == 2 and f'{var}="{value}"' in c.log()
                  and "started" not in c.log(),
                  f"{var}={value}: exit {c.proc.returncode}, want 2 naming it\n{c.log()}")
    log("IRONLB_FRR_STOP_WAIT_SECONDS=20s and IRONLB_FRR_DAEMONS=ospfd: exit 2 before any "
        "daemon, naming the variable and value")


def main() -> None:
    image, _ = image_from_args()
    log(f"marker /{RUN_DIR}/{MARKER}")
    check_marker_ends_wait(image)
    check_wait_is_bounded(image)
    check_bad_setting_refused(image)


if __name__ == "__main__":
    main_guard(main)
