#!/usr/bin/python3
"""Real FRR daemons (Debian's frr) inside one of a test's network namespaces.

    from frr import Frr
    with Topology(nodes=1) as topo, Frr(topo.nodes[0], daemons=("zebra", "bgpd", "bfdd")) as f:
        f.vty_dir  # the daemons' control sockets: <vty_dir>/bgpd.vty ...

The daemons run as FRR's own user with an empty configuration, their control sockets and pid
files in a private temporary directory, and no TCP vty port. They live only in the namespace
they were started in; stop() (and the Topology's cleanup, which kills every process of its
namespaces) ends them.
"""

import os
import shutil
import signal
import subprocess
import tempfile

from topology import wait_for

FRR_LIBEXEC = "/usr/lib/frr"


def _running(pid):
    """Whether pid is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Frr:
    def __init__(self, host, daemons=("zebra", "bgpd", "bfdd"), config=""):
        self.host = host
        self.daemons = daemons
        self.config = config
        self.vty_dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def socket(self, daemon):
        return os.path.join(self.vty_dir, f"{daemon}.vty")

    def start(self):
        if not os.path.exists(os.path.join(FRR_LIBEXEC, "bgpd")):
            raise RuntimeError("FRR is not installed (test/deps.sh installs Debian's frr)")
        if self.vty_dir is None:  # else restarting after kill(), in the same directory
            self.vty_dir = tempfile.mkdtemp(prefix="ironlb-frr-")
            shutil.chown(self.vty_dir, "frr", "frr")
        conf = os.path.join(self.vty_dir, "frr.conf")
        with open(conf, "w") as f:
            f.write(self.config)
        for d in self.daemons:
            args = [os.path.join(FRR_LIBEXEC, d), "-d", "-f", conf,
                    "-i", os.path.join(self.vty_dir, f"{d}.pid"),
                    "--vty_socket", self.vty_dir, "-P", "0",
                    "--log", "file:" + os.path.join(self.vty_dir, f"{d}.log")]
            args += ["-z", os.path.join(self.vty_dir, "zserv.api")]  # zebra's API socket
            self.host.run(args)
            wait_for(lambda: os.path.exists(self.socket(d)), 10, 0.02, f"{d}'s control socket")

    def pids(self):
        out = []
        for d in self.daemons:
            try:
                with open(os.path.join(self.vty_dir, f"{d}.pid")) as f:
                    out.append(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        return out

    def vtysh(self, *commands):
        """FRR's answers to show commands (vtysh -c each), for diagnostics."""
        args = [a for c in commands for a in ("-c", c)]
        r = subprocess.run(["vtysh", "--vty_socket", self.vty_dir, *args], capture_output=True,
                           text=True, timeout=10)
        return r.stdout + r.stderr

    def log(self, daemon):
        try:
            with open(os.path.join(self.vty_dir, f"{daemon}.log")) as f:
                return f.read()
        except OSError:
            return ""

    def kill(self):
        """SIGKILLs the daemons (a crash) and waits until they are gone, keeping the directory,
        so start() brings FRR back at the same control sockets, with an empty configuration."""
        pids = self.pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_for(lambda: not any(_running(p) for p in pids), 10, 0.01, "FRR's daemons to exit")
        for name in [f"{d}.{ext}" for d in self.daemons for ext in ("vty", "pid")] + ["zserv.api"]:
            try:
                os.unlink(os.path.join(self.vty_dir, name))
            except FileNotFoundError:
                pass

    def restart(self):
        """A crash and a restart: FRR back at the same sockets with an empty configuration."""
        self.kill()
        self.start()

    def stop(self):
        if self.vty_dir is None:
            return
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.vty_dir, ignore_errors=True)
        self.vty_dir = None
