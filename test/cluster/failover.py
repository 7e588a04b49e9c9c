#!/usr/bin/python3
"""One failover trial as a user sees it, on the real cluster: the node that answers for a VIP
loses its speaker (container killed) or dies (node stopped: every process killed, cable cut).
A client keeps requesting a page and watching its own neighbour table; the trial reports

  neigh_s     kill -> the client's neighbour entry names another node's MAC (ironlb's part:
              the peers notice, elect, and the new owner's gratuitous ARP/NA arrive)
  first_ok_s  kill -> the first page answered by a request started after the kill
  gap_s       the longest stretch without an answered request around the event
  endpoints_s (node stopped only) kill -> the EndpointSlice no longer lists the dead node's
              pod as ready (Kubernetes' part: the node-monitor grace period of the
              controller-manager, then the endpoint controllers); until then kube-proxy still
              sends some connections to the dead pod
  failed_between  requests that failed after the neighbour entry moved and before the
              endpoints were updated (connections kube-proxy sent to the dead pod)

Used by the cluster scenarios (one trial each) and test/bench/cluster_failover (many).
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import NeighbourWatch, Prober, wait_for  # noqa: E402


def dead_pod_ready_in_slices(h, ns, service, node):
    """True while some EndpointSlice of the Service lists a pod on `node` as ready."""
    for s in h.kube.list("endpointslices", ns, selector=f"kubernetes.io/service-name={service}"):
        for e in s.get("endpoints") or []:
            if e.get("nodeName") == node and e.get("conditions", {}).get("ready"):
                return True
    return False


class RestartedBeforeTakeover(AssertionError):
    """The kubelet restarted the killed speaker before its peers had declared it dead: the new
    process rejoined during the suspicion (docs/membership.md: a restart during suspicion is
    not a death) and kept the VIP as its hash-preferred owner, so nothing had to move."""


def trial(h, kind, ip, ns="default", service="hello", wait_endpoints=False, restore=True,
          fresh_pod=False, log=print, attempts=3):
    """Runs one trial; returns a dict of figures (seconds) and the nodes involved. With
    fresh_pod, a killed speaker's pod is replaced instead of waiting for the kubelet's restart:
    repeated kills of one container meet the kubelet's growing restart back-off (10 s, 20 s,
    40 s...), which the next trial should not inherit.

    A first kill of a container is restarted by the kubelet at once, sometimes (about half a
    second) before the peers declared the speaker dead; then the VIP rightly stays where it is.
    That attempt proves nothing about failover, so it is logged and the kill repeated on the
    restarted container, which now meets the kubelet's back-off."""
    for attempt in range(1, attempts + 1):
        try:
            return _attempt(h, kind, ip, ns, service, wait_endpoints, restore, fresh_pod, log)
        except RestartedBeforeTakeover as e:
            if attempt == attempts:
                raise
            log(f"attempt {attempt}: {e}; killing the restarted speaker again")
            h.wait_ironlb_ready(timeout=180)
    raise AssertionError("unreachable")


def _attempt(h, kind, ip, ns, service, wait_endpoints, restore, fresh_pod, log):
    owner = h.owner(ip)
    mac = h.resolve(ip)
    if h.node_of_mac(mac) != owner:
        raise AssertionError(f"the client resolved {ip} to {mac}, not to the owner {owner}")
    res = {"kind": kind, "ip": ip, "old": owner}
    restarts = speaker_restarts(h, owner)
    on_node = ironlb_restarts(h, owner)
    had_local_endpoint = dead_pod_ready_in_slices(h, ns, service, owner)
    with NeighbourWatch(h, [ip]) as watch, Prober(h, [ip], interval=0.02,
                                                  timeout=0.5) as prober:
        wait_for(lambda: Prober.first_ok_after(prober.results, ip, time.monotonic() - 5),
                 10, 0.02, f"the client's requests to {ip} being answered before the kill")
        t0 = time.monotonic()
        if kind == "speaker":
            pids = h.processes(owner, "ironlb-speaker")
            if len(pids) != 1:
                raise AssertionError(f"{owner}: {len(pids)} speaker processes")
            os.kill(pids[0], signal.SIGKILL)
        elif kind == "node":
            h.cluster.stop_node(owner)
        else:
            raise ValueError(kind)
        try:
            moved = wait_for(lambda: watch.first_change(ip, t0, mac), 15, 0.005,
                             f"the client's neighbour entry for {ip} leaving {owner}")
        except TimeoutError:
            if kind == "speaker" and speaker_restarts(h, owner) > restarts and \
                    h.owner(ip) == owner:
                raise RestartedBeforeTakeover(
                    f"the kubelet restarted the speaker on {owner} before a peer took {ip} "
                    "over, and the restarted speaker still holds it") from None
            raise
        res["neigh_s"] = moved[0] - t0
        res["new"] = h.node_of_mac(moved[1])
        if res["new"] in (None, owner):
            raise AssertionError(f"{ip} moved to {moved[1]} ({res['new']}), not to a peer")
        first = wait_for(lambda: Prober.first_ok_after(prober.results, ip, t0), 30, 0.01,
                         f"a page through {ip} after the kill")
        res["first_ok_s"] = first - t0
        if kind == "node" and wait_endpoints:
            t_ep = wait_for(lambda: not dead_pod_ready_in_slices(h, ns, service, owner) and
                            time.monotonic(), 180, 0.1,
                            f"the endpoints of the pod on {owner} to become not ready")
            res["endpoints_s"] = t_ep - t0
            # a few more answers after the endpoints moved, to see the traffic settle
            wait_for(lambda: Prober.first_ok_after(prober.results, ip, t_ep + 0.5), 10, 0.02,
                     "answers after the endpoint update")
        else:
            t_ep = None
        t_end = time.monotonic()
        results = prober.stop()
    res["gap_s"] = Prober.longest_gap(results, ip, since=t0 - 1, until=t_end)[0]
    if t_ep is not None:
        res["failed_between"] = sum(1 for r in results if r["target"] == ip and not r["ok"] and
                                    moved[0] <= r["start"] < t_ep)
        res["requests_between"] = sum(1 for r in results if r["target"] == ip and
                                      moved[0] <= r["start"] < t_ep)
    log(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                 for k, v in res.items()))
    if restore and kind == "speaker" and fresh_pod:
        pod = next(p["metadata"]["name"] for p in h.ironlb_pods("speaker")
                   if p["spec"].get("nodeName") == owner)
        h.kube.run("delete", "pod", "-n", "metallb-system", pod, "--wait=true", timeout=120)
        h.wait_ironlb_ready(timeout=180)
        return res
    if restore:
        if kind == "node":
            h.cluster.start_node(owner)
        # The kubelet has restarted the speaker (the API may still show the old container's
        # Ready for a moment, so wait for the restart to be counted first).
        wait_for(lambda: speaker_restarts(h, owner) > restarts, 120, 0.2,
                 f"the kubelet restarting the speaker on {owner}")
        if kind == "node":
            # Every ironlb pod of the booted node restarted too (a stopped node was never
            # declared NotReady, so its pods still look Ready from before): a controller that
            # held the Lease there leads again only once its container is back, and the next
            # test must not find it half-restarted.
            wait_for(lambda: all(ironlb_restarts(h, owner).get(p, before + 1) > before
                                 for p, before in on_node.items()), 120, 0.2,
                     f"the kubelet restarting every ironlb pod on {owner}")
        h.wait_ironlb_ready(timeout=180)
        if kind == "node" and had_local_endpoint:
            # The node's own backend is serving again, so the next trial starts alike.
            wait_for(lambda: dead_pod_ready_in_slices(h, ns, service, owner), 120, 0.2,
                     f"the backend on {owner} ready in the endpoints again")
    return res


def pod_restarts(pod):
    """How often the kubelet restarted the pod's containers, together."""
    return sum(c["restartCount"] for c in pod["status"].get("containerStatuses", []))


def ironlb_restarts(h, node):
    """{pod name: pod_restarts} of the ironlb pods on `node`."""
    return {p["metadata"]["name"]: pod_restarts(p)
            for p in h.ironlb_pods() if p["spec"].get("nodeName") == node}


def speaker_restarts(h, node):
    for p in h.ironlb_pods("speaker"):
        if p["spec"].get("nodeName") == node:
            return pod_restarts(p)
    return -1
