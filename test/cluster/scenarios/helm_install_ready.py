#!/usr/bin/python3
"""cluster_helm_install_ready: `helm install` with the chart's defaults and the image as built;
every speaker (one per node) and both controller replicas become Ready through their real
probes, run the image that was built (by digest), and run with the privileges the chart
promises: the controller as 65534 with no capabilities, the speaker as root holding NET_RAW
and nothing else (read from the live processes, not from the pod spec)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SYSTEM_NS, scenario  # noqa: E402

CAP_NET_RAW = 1 << 13


def check(h):
    if h.installed():
        raise AssertionError("ironlb is already installed: the cluster is not fresh")
    h.install()
    h.wait_ironlb_ready(timeout=180)
    print(h.kube.run("get", "pods", "-n", SYSTEM_NS, "-o", "wide").stdout)

    pods = h.ironlb_pods()
    for p in pods:
        name = p["metadata"]["name"]
        for c in p["status"]["containerStatuses"]:
            if c["image"] not in (h.image_ref, f"docker.io/{h.image_ref}"):
                raise AssertionError(f"{name} runs {c['image']}, not {h.image_ref}")
            if not c["imageID"].endswith(h.image_id):
                raise AssertionError(f"{name} runs image {c['imageID']}, "
                                     f"built {h.image_id}")
            if c["restartCount"]:
                raise AssertionError(f"{name} restarted {c['restartCount']} times")

    for node in (n["name"] for n in h.cluster.nodes):
        speakers = h.processes(node, "ironlb-speaker")
        if len(speakers) != 1:
            raise AssertionError(f"{node}: {len(speakers)} ironlb-speaker processes")
        st = h.proc_status(speakers[0])
        uid, eff = st["Uid"].split()[1], int(st["CapEff"], 16)
        if uid != "0" or eff != CAP_NET_RAW or int(st["CapBnd"], 16) != CAP_NET_RAW:
            raise AssertionError(f"{node}: speaker uid {uid} CapEff {st['CapEff']} "
                                 f"CapBnd {st['CapBnd']}; want root with NET_RAW only")
        for pid in h.processes(node, "ironlb-controller"):
            st = h.proc_status(pid)
            if st["Uid"].split()[1] != "65534" or int(st["CapEff"], 16) != 0:
                raise AssertionError(f"{node}: controller uid {st['Uid']} CapEff "
                                     f"{st['CapEff']}; want 65534 with no capability")
    for n in h.cluster.nodes:   # what each node holds under the name is the manifest built
        listed = h.cluster.ctr(n["name"], "images", "ls").stdout
        if not any(line.split()[:1] == [f"docker.io/{h.image_ref}"] and h.image_digest in line
                   for line in listed.splitlines()):
            raise AssertionError(f"{n['name']}: docker.io/{h.image_ref} is not {h.image_digest}"
                                 f":\n{listed}")
    controllers = sum(len(h.processes(n["name"], "ironlb-controller")) for n in h.cluster.nodes)
    if controllers != 2:
        raise AssertionError(f"{controllers} controller processes, want 2")
    print(f"image {h.image_ref} {h.image_digest}: {len(pods)} pods Ready; speaker processes "
          "root with CapEff=NET_RAW only, controllers uid 65534 with no capability")


if __name__ == "__main__":
    scenario(check)
