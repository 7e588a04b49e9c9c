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
import tempfile

from topology import wait_for

FRR_LIBEXEC = "/usr/lib/frr"


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
        self.vty_dir = tempfile.mkdtemp(prefix="ironlb-frr-")
        shutil.chown(self.vty_dir, "frr", "frr")
        self._launch()

    def kill(self):
        """SIGKILLs the daemons, keeping the directory (a crash: restart() starts them again
        with an empty configuration where a speaker still looks for the sockets)."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in self.pids()), 10, 0.01,
                 "FRR's daemons gone")
        for d in self.daemons:
            for suffix in (".vty", ".pid"):
                try:
                    os.unlink(os.path.join(self.vty_dir, d + suffix))
                except FileNotFoundError:
                    pass

    def restart(self):
        self.kill()
        self._launch()

    def _launch(self):
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

    def vtysh(self, *commands):
        """vtysh's output for the commands, through the daemons' control sockets."""
        args = ["vtysh", "--vty_socket", self.vty_dir]
        for c in commands:
            args += ["-c", c]
        return self.host.run(args, check=False).stdout

    def pids(self):
        out = []
        for d in self.daemons:
            try:
                with open(os.path.join(self.vty_dir, f"{d}.pid")) as f:
                    out.append(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        return out

    def log(self, daemon):
        try:
            with open(os.path.join(self.vty_dir, f"{daemon}.log")) as f:
                return f.read()
        except OSError:
            return ""

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
