"""Python handle on dataplane_driver running inside a namespace (see dataplane_driver.cc)."""

import queue
import subprocess
import threading
import time


class Driver:
    def __init__(self, host, binary, args=(), taskset=None, fifo_priority=None):
        cmd = [binary, *args]
        if taskset is not None:
            cmd = ["taskset", "-c", str(taskset), *cmd]
        if fifo_priority is not None:
            cmd = ["chrt", "-f", str(fifo_priority), *cmd]
        self.host = host
        self.proc = host.popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               bufsize=1)
        self.lines = queue.Queue()
        self.events = []  # "duplicate ..." / "error ..." lines
        threading.Thread(target=self._read, daemon=True).start()
        self._expect("ready", timeout=10)

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line.startswith(("duplicate ", "error ")):
                self.events.append(line)
            else:
                self.lines.put(line)
        self.lines.put(None)

    def _next(self, timeout):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError(f"driver in {self.host.ns} exited: {self.proc.poll()}")
        return line

    def _expect(self, want, timeout=10):
        line = self._next(timeout)
        if line != want:
            raise RuntimeError(f"driver said {line!r}, expected {want!r}")

    def _command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def own(self, ip, *ifnames):
        self._command(" ".join(["own", ip, *ifnames]))
        self._expect("ok")

    def release(self, ip):
        self._command(f"release {ip}")
        self._expect("ok")

    def _block(self, command):
        self._command(command)
        out = []
        while True:
            line = self._next(10)
            if line == "end":
                return out
            out.append(line)

    def counters(self):
        """{"ip": {(ifname, ip): {...}}, "iface": {ifname: {"frames": n, reason: n}}}"""
        result = {"ip": {}, "iface": {}}
        for line in self._block("counters"):
            words = line.split()
            fields = {k: int(v) for k, v in (w.split("=") for w in words if "=" in w)}
            if words[0] == "ip":
                result["ip"][(words[1], words[2])] = fields
            elif words[0] == "iface":
                result["iface"][words[1]] = fields
        return result

    def status(self):
        return self._block("status")

    def wait_event(self, prefix, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events:
                if e.startswith(prefix):
                    return e
            time.sleep(0.01)
        raise TimeoutError(f"no event {prefix!r}; have {self.events}")

    def close(self):
        if self.proc.poll() is None:
            try:
                self._command("quit")
                self.proc.wait(timeout=5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
