#!/usr/bin/python3
"""BIRD 2 (Debian's bird2) as the router of a BGP test, in one of the test's namespaces.

    with Bird(topo.client, config_text) as bird:
        bird.cli("show protocols")

Runs as root inside the namespace with its control socket, pid and log in a private temporary
directory; stop() (and the Topology's cleanup) ends it. A different BGP implementation from the
FRR ironlb drives, so interoperability is proven against code that is not ours to configure.
"""

import os
import shutil
import signal
import subprocess
import tempfile

from topology import wait_for


class Bird:
    def __init__(self, host, config):
        self.host = host
        self.config = config
        self.dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def socket(self):
        return os.path.join(self.dir, "bird.ctl")

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="ironlb-bird-")
        conf = os.path.join(self.dir, "bird.conf")
        with open(conf, "w") as f:
            f.write(self.config.replace("@LOG@", os.path.join(self.dir, "bird.log")))
        self.host.run(["bird", "-c", conf, "-s", self.socket, "-P",
                       os.path.join(self.dir, "bird.pid")])
        wait_for(lambda: os.path.exists(self.socket), 10, 0.02, "BIRD's control socket")

    def cli(self, *command):
        r = subprocess.run(["birdc", "-s", self.socket, *command], capture_output=True,
                           text=True, timeout=10)
        return r.stdout

    def protocols(self):
        """{name: (state, since, info)} of BGP protocols."""
        out = {}
        for line in self.cli("show", "protocols").splitlines():
            f = line.split(None, 5)
            if len(f) >= 5 and f[1] == "BGP":
                out[f[0]] = (f[3], f[4], f[5] if len(f) > 5 else "")
        return out

    def route(self, prefix):
        """BIRD's full description of one prefix's routes ("" when it has none)."""
        out = self.cli("show", "route", prefix, "all")
        return out if prefix in out and "via " in out else ""

    def log(self):
        try:
            with open(os.path.join(self.dir, "bird.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.dir is None:
            return
        try:
            with open(os.path.join(self.dir, "bird.pid")) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
