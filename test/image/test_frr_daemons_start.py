#!/usr/bin/env python3
"""image_frr_daemons_start: the ironlb-frr image's entrypoint, run from the unpacked image as
its pod runs it (root with only the documented capabilities, frrlib.py) inside a network
namespace of this test's own, starts zebra, bgpd and bfdd, and the speaker can drive them:

  - the three control sockets appear in /var/run/frr (the shared volume), owned by group
    frrvty (102); once configured, bgpd listens on TCP port 179
  - the daemons and, after starting them, the supervisor run as frr (100:101)
  - vtysh from the image, as root with no capability and only group frrvty (the speaker's
    situation in the pod), gets bgpd's `show version` (FRRouting 8.4) and bfdd's `show bfd
    peers`; the running configuration starts without any `router bgp` (empty); a
    configuration command (router bgp, router-id, a neighbor) is accepted and read back
  - without group frrvty the same client is refused: the chart must give the speaker it

  test_frr_daemons_start.py --image-dir BUILD/image
"""

from __future__ import annotations

import os
import re

from frrlib import DAEMONS, FRR_GID, FRR_UID, FRRVTY_GID, frr_container, ids_of, \
    image_from_args
from imagelib import check, log, main_guard, run, wait_for


def check_sockets(c) -> None:
    for d in DAEMONS:
        st = os.stat(c.run_dir / f"{d}.vty")
        check(st.st_gid == FRRVTY_GID and st.st_mode & 0o060 == 0o060,
              f"{d}.vty: gid {st.st_gid} mode {oct(st.st_mode)}, want group frrvty rw")
    log("control sockets zebra.vty, bgpd.vty, bfdd.vty in /var/run/frr (group frrvty)")


def check_listens(c) -> None:
    """bgpd opens port 179 with its first `router bgp` (NET_BIND_SERVICE)."""
    def listening() -> bool:
        return ":179" in run(["ip", "netns", "exec", c.netns, "ss", "-Hltn", "sport",
                              "= :179"]).stdout
    wait_for(listening, 10, "bgpd to listen on port 179")
    log("bgpd listens on :179")


def check_users(c) -> None:
    pids = c.daemon_pids()
    check(sorted(pids) == sorted(DAEMONS), f"pid files for {sorted(pids)}, want {DAEMONS}")
    for name, pid in [*pids.items(), ("supervisor", c.proc.pid)]:
        check(ids_of(pid) == (FRR_UID, FRR_GID),
              f"{name} (pid {pid}) runs as {ids_of(pid)}, want frr {(FRR_UID, FRR_GID)}")
    log(f"zebra, bgpd, bfdd and the supervisor run as frr ({FRR_UID}:{FRR_GID})")


def check_vtysh(c) -> None:
    res = c.vtysh("show version", daemon="bgpd")
    check(res.returncode == 0 and re.search(r"FRRouting 8\.4", res.stdout) is not None,
          f"bgpd show version: exit {res.returncode}\n{res.stdout}{res.stderr}")
    res = c.vtysh("show bfd peers", daemon="bfdd")
    check(res.returncode == 0, f"bfdd show bfd peers: exit {res.returncode}\n{res.stderr}")
    before = c.vtysh("show running-config", daemon="bgpd")
    check(before.returncode == 0 and "router bgp" not in before.stdout,
          f"the starting configuration is not empty:\n{before.stdout}{before.stderr}")
    res = c.vtysh("configure terminal", "router bgp 64512", "bgp router-id 192.0.2.10",
                  "neighbor 192.0.2.1 remote-as 64513", "end")
    check(res.returncode == 0, f"configuring bgpd: exit {res.returncode}\n{res.stdout}"
          f"{res.stderr}")
    after = c.vtysh("show running-config", daemon="bgpd").stdout
    for line in ("router bgp 64512", "bgp router-id 192.0.2.10",
                 "neighbor 192.0.2.1 remote-as 64513"):
        check(line in after, f"bgpd's running configuration lacks {line!r}:\n{after}")
    log("vtysh (root, no capabilities, group frrvty): bgpd show version, bfdd answers, "
        "empty start, router bgp 64512 with a neighbor accepted and read back")

    refused = c.vtysh("show version", daemon="bgpd", groups=[])
    check(refused.returncode != 0 and "failed to connect" in refused.stderr,
          f"without group frrvty vtysh still connected: exit {refused.returncode}\n"
          f"{refused.stdout}{refused.stderr}")
    log("without group frrvty the same client is refused")


def main() -> None:
    image, _ = image_from_args()
    with frr_container(image, "start") as c:
        c.wait_ready()
        check_sockets(c)
        check_users(c)
        check_vtysh(c)
        check_listens(c)


if __name__ == "__main__":
    main_guard(main)
