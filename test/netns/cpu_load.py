"""A busy machine for the benchmarks: one busy loop per CPU, started and ended by the caller.

    from cpu_load import CpuLoad
    with CpuLoad(topo.client, seconds=60):
        ...  # measure while every CPU has a task that wants all of it

Each loop is a Python process at normal priority (nice 0), pinned to its CPU, started inside a
namespace host of ours (so the topology's cleanup ends it as well) and bounded by a deadline of
its own: it ends after `seconds` even if the caller dies without cleaning up.
"""

import os
import subprocess
import sys
import time

SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"


class CpuLoad:
    def __init__(self, host, seconds, warmup=0.2):
        self.host, self.seconds, self.warmup, self.procs = host, seconds, warmup, []

    def __enter__(self):
        for cpu in range(os.cpu_count()):
            self.procs.append(self.host.popen(
                ["taskset", "-c", str(cpu), sys.executable, "-c",
                 SPIN.format(seconds=self.seconds)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
        time.sleep(self.warmup)
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=5)
        self.procs = []
