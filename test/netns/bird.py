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

    def since(self):
        """{protocol: when its state last changed, in seconds of the day} (a reset changes it).
        BIRD prints that time converted from its monotonic clock with the current offset, so
        two reads can differ by a millisecond without any change: compare with same_since()."""
        out = {}
        for k, v in self.protocols().items():
            h, m, sec = v[1].split(":")
            out[k] = int(h) * 3600 + int(m) * 60 + float(sec)
        return out

    @staticmethod
    def same_since(a, b):
        """Whether two since() readings (dicts, or one protocol's values) show the same sessions
        without a state change between them. A reset takes at least BIRD's error wait time (1 s)
        to come back, so readings within half a second of each other are the same state."""
        def close(x, y):
            d = abs(x - y)
            return min(d, 86400 - d) < 0.5  # across midnight too
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
        return close(a, b)

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
