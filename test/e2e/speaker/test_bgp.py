#!/usr/bin/python3
"""BGP mode end to end (docs/bgp.md): real speakers, real FRR on each node, BIRD 2 as the
router (bgp.py). One test class per scenario; ctest runs each class as its own test:

    test_bgp.py --state DIR --speaker BIN [--controller BIN] BgpAnnounceTest
"""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
from bgp import PASSWORD, BgpCluster  # noqa: E402
from cluster import wait_for  # noqa: E402

V4, V4_LOCAL, V4_B = "203.0.113.5", "203.0.113.6", "203.0.113.7"
V6 = "2001:db8:2::5"
PEER_V4 = "192.0.2.1:179"


class BgpTestCase(unittest.TestCase):
    NODES = 2
    IPV6 = False
    BFD = False
    BIRD_PASSWORD = PASSWORD

    @classmethod
    def prepare(cls, c):
        c.bgp_objects(bfd=cls.BFD)
        c.start_all()

    @classmethod
    def setUpClass(cls):
        a = cluster.ARGS
        cls.c = BgpCluster(a["kube"], a["speaker"], nodes=cls.NODES, ipv6=cls.IPV6,
                           bird_password=cls.BIRD_PASSWORD,
                           controller_bin=a.get("controller")).__enter__()
        try:
            cls.prepare(cls.c)
        except BaseException:
            cls.c.dump_logs()
            cls.c.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def announce_web(self):
        """Both sessions up, then Service web (V4, Cluster) announced by both nodes."""
        c = self.c
        c.wait_sessions(["n0", "n1"])
        c.add_vip(V4)
        c.service("web", [V4], endpoints=[0, 1])
        c.wait_nexthops(V4, [0, 1])

    def logs(self):
        text = ""
        for s in self.c.speakers.values():
            with open(s.log_path) as f:
                text += f.read()
        return text

    def assertNoPasswordLeak(self):
        c = self.c
        self.assertNotIn(PASSWORD, self.logs())
        for i in c.running():
            self.assertNotIn(PASSWORD, c.metrics(i))
        for e in c.kube.list("events", c.ns):
            self.assertNotIn(PASSWORD, e.get("message", ""))


class BgpAnnounceTest(BgpTestCase):
    """Sessions (IPv4 and IPv6, BFD on IPv4) come up; Cluster Services are announced by every
    node (ECMP at the router), Local ones only by nodes with an endpoint; communities arrive;
    the router reaches the listener through the route; ServiceBGPStatus, metrics and Events
    say the same; the password is nowhere."""
    IPV6 = True
    BFD = True

    def test_sessions_routes_status_metrics(self):
        c = self.c
        c.wait_sessions(["n0", "n1", "n0v6", "n1v6"])
        for ip in (V4, V4_LOCAL, V6):
            c.add_vip(ip)
        c.service("web", [V4], endpoints=[0, 1])
        c.service("local", [V4_LOCAL], endpoints=[1], local=True)
        c.service("web6", [V6], endpoints=[0, 1])
        c.wait_nexthops(V4, [0, 1])
        c.wait_nexthops(V4_LOCAL, [1])
        c.wait_nexthops(V6, [0, 1])
        self.assertIn("BGP.community: (64512,7)", c.route_detail(V4))

        wait_for(lambda: c.bird.cli("show", "bfd", "sessions").count(" Up ") == 2, 30, 0.1,
                 "BFD sessions Up at the router (the IPv4 peer has the profile)")
        answered = c.client_reaches(V4)
        self.assertIn(answered, c.node_names, "the router reaches the VIP through BGP")

        n0, n1 = c.node_names
        want = {(n0, "web"): ["router"], (n1, "web"): ["router"], (n1, "local"): ["router"],
                (n0, "web6"): ["router-v6"], (n1, "web6"): ["router-v6"]}
        wait_for(lambda: c.bgp_statuses() == want, 30, 0.2, "ServiceBGPStatus objects")

        for i in (0, 1):
            wait_for(lambda: c.metric(i, "metallb_bgp_session_up", peer=PEER_V4) == 1, 20,
                     0.2, f"metallb_bgp_session_up on speaker {i}")
            wait_for(lambda: c.metric(i, "metallb_bfd_session_up") >= 1, 20, 0.2,
                     f"metallb_bfd_session_up on speaker {i}")
        self.assertEqual(
            c.metric(0, "ironlb_speaker_bgp_unannounced", ip=V4_LOCAL,
                     reason="no_local_endpoint"), 1)
        events = c.kube.events(c.ns, reason="bgpSessionEstablished", name="router")
        self.assertGreaterEqual(len(events), 1, "an Event on the BGPPeer")
        self.assertNoPasswordLeak()

        # The Service goes away: withdrawn at the router, sessions not reset.
        since = c.since()
        c.kube.delete("service", "web", ns=c.ns)
        wait_for(lambda: not c.nexthops(V4), 30, 0.05, f"{V4} withdrawn")
        self.assertTrue(c.same_since(c.since(), since), "no session was reset by the change")
        self.assertEqual(c.nexthops(V4_LOCAL), c.node_ips([1]))


class BgpPasswordTest(BgpTestCase):
    """A Secret that is missing, then holds the wrong password: no session, and the speaker
    says why (the Secret by name; a session not established); the right password brings the
    session up without restarting anything."""

    @classmethod
    def prepare(cls, c):
        c.pool("bgp", ["203.0.113.0/24"])
        c.peer("router", "192.0.2.1", secret="router-auth")
        c.bgp_advertisement("all")
        c.start_all()

    def test_missing_then_wrong_then_right_password(self):
        c = self.c
        wait_for(lambda: 'Secret "router-auth"' in self.logs() and "not found" in self.logs(),
                 30, 0.2, "the speakers naming the missing Secret")
        self.assertIn('BGPPeer "router"', self.logs())
        c.secret("router-auth", "wrong-password")
        # FRR gets the wrong password: the router drops its segments (TCP MD5), the session
        # never comes up, and the speaker reports it down.
        wait_for(lambda: c.metric(0, "metallb_bgp_session_up", peer=PEER_V4) == 0 and
                 "metallb_bgp_session_up" in c.metrics(0), 40, 0.2,
                 "the session reported down with the wrong password")
        # Said on the BGPPeer, with the likely causes: FRR cannot tell a wrong TCP MD5 password
        # from an unreachable router, the Event names the Secret to check.
        wait_for(lambda: any('Secret "router-auth"' in e.get("message", "") for e in
                             c.kube.events(c.ns, reason="bgpSessionDown", name="router")),
                 60, 0.5, "a bgpSessionDown Event naming the Secret")
        self.assertEqual(c.established(), [])
        self.assertNotIn("wrong-password", self.logs())
        c.secret("router-auth", PASSWORD)
        c.wait_sessions(["n0", "n1"], timeout=60)
        self.assertNoPasswordLeak()


class BgpObjectEditsTest(BgpTestCase):
    """Edits reach the router without resetting sessions or withdrawing the routes; an invalid
    object keeps the routes that were valid; deleting the advertisement withdraws; a peer's
    nodeSelectors limit its sessions to the selected nodes."""

    def test_edit_invalid_delete_select(self):
        c = self.c
        self.announce_web()
        since = c.since()

        # New attributes move each prefix to another tag (docs/bgp.md): the router gets an
        # update, never a withdrawal, so both next hops stay until both nodes' paths carry the
        # new community.
        both = c.node_ips([0, 1])
        c.bgp_advertisement("all", communities=["64512:9"], localPref=150)
        deadline = time.monotonic() + 30
        while c.route_detail(V4).count("BGP.community: (64512,9)") < 2:
            self.assertLess(time.monotonic(), deadline, "the edited community at the router")
            self.assertEqual(c.nexthops(V4), both, "a next hop left during the edit")
        self.assertTrue(c.same_since(c.since(), since), "an advertisement edit reset a session")

        # Invalid across objects (aggregation shorter than the pool's own block): the whole
        # configuration is refused and the routes stay as they were.
        c.bgp_advertisement("bad", aggregationLength=16)
        wait_for(lambda: "aggregationLength" in self.logs(), 30, 0.2,
                 "the speakers naming the invalid field")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            self.assertEqual(c.nexthops(V4), c.node_ips([0, 1]))
        c.kube.delete("bgpadvertisements.metallb.io", "bad", ns=c.ns)

        # The advertisement selects n0 only: n1 stops announcing but keeps its session.
        c.label_node(0, "bgp", "yes")
        c.bgp_advertisement("all", communities=["64512:9"],
                            nodeSelectors=[{"matchLabels": {"bgp": "yes"}}])
        c.wait_nexthops(V4, [0])
        self.assertEqual(c.established(), ["n0", "n1"], "an advertisement selects routes only")
        c.bgp_advertisement("all", communities=["64512:9"])
        c.wait_nexthops(V4, [0, 1])

        # Only n0 is selected by the peer: n1's session goes, n0's stays.
        c.peer("router", "192.0.2.1", node_selectors=[{"bgp": "yes"}])
        c.wait_nexthops(V4, [0])
        wait_for(lambda: c.established() == ["n0"], 30, 0.1, "only n0's session")

        c.kube.delete("bgpadvertisements.metallb.io", "all", ns=c.ns)
        wait_for(lambda: not c.nexthops(V4), 30, 0.05, "withdrawn with its advertisement")
        self.assertEqual(c.established(), ["n0"], "the session stays without routes")


class BgpFrrRestartTest(BgpTestCase):
    """FRR killed and started again, empty, under a running speaker: the speaker notices and
    configures it again, the session comes back; with enableGracefulRestart the router (BIRD,
    graceful restart on) keeps the node's routes the whole time."""

    @classmethod
    def prepare(cls, c):
        c.bgp_objects()
        c.peer("router", "192.0.2.1", extra={"enableGracefulRestart": True})
        c.start_all()

    def test_frr_restart_reconfigured_routes_kept(self):
        c = self.c
        self.announce_web()
        self.assertIn("graceful-restart",
                      c.frrs[0].vtysh("show running-config"), "the peer's graceful restart")
        since = c.since()["n0"]
        both = c.node_ips([0, 1])
        c.frrs[0].kill()
        wait_for(lambda: "n0" not in c.established(), 30, 0.05, "n0's session down at the router")
        c.frrs[0].restart()
        # How long the router is without n0's route (stale ones count as held), from FRR's
        # restart until the new session is up and the route is back. Without graceful restart
        # that is the whole restart (seconds: FRR down, then up to one speaker poll, 5 s); with
        # FRR's default update coalescing it was 1.1 s (the End-of-RIB ahead of the routes).
        missing = 0.0
        last = time.monotonic()

        def back():
            nonlocal missing, last
            held = c.bird_nexthops(V4) == both
            now = time.monotonic()
            if not held:
                missing += now - last
            last = now
            return held and "n0" in c.established() and not c.same_since(c.since()["n0"], since)
        wait_for(back, 60, 0.01, "n0's session established again with the new FRR")
        print(f"the router was without n0's route for {missing * 1000:.0f} ms of FRR's restart")
        self.assertLess(missing, 0.5, "graceful restart did not keep n0's route")
        c.wait_nexthops(V4, [0, 1])


class BgpNodeDeathTest(BgpTestCase):
    """A node's FRR dies (no BFD, no enableGracefulRestart) while the router helps graceful
    restarts (BIRD: graceful restart on): the router drops the node's route at once instead of
    keeping it as stale for FRR's restart time (120 s), because ironlb renders the peer
    without graceful restart unless it is asked for."""

    def test_dead_node_route_dropped(self):
        c = self.c
        self.announce_web()
        self.assertIn("graceful-restart-disable", c.frrs[0].vtysh("show running-config"))
        t0 = time.monotonic()
        c.frrs[0].kill()
        c.wait_nexthops(V4, [1], timeout=15)
        print(f"n0's route left the router {(time.monotonic() - t0) * 1000:.0f} ms after its "
              "FRR died")
        self.assertEqual(c.bird_nexthops(V4), c.node_ips([1]), "no stale route kept")


class BgpSpeakerRestartTest(BgpTestCase):
    """The speaker killed (FRR stays): the router keeps the routes the whole time and the
    restarted speaker takes FRR over without resetting its session. A graceful stop
    (SIGTERM) withdraws the node's routes before the speaker exits, keeps the session, and
    leaves the marker FRR's container waits for."""

    def test_kill_keeps_routes_then_graceful_stop_withdraws(self):
        c = self.c
        self.announce_web()
        since = c.since()

        wait_for(lambda: len(c.bgp_statuses()) == 2, 30, 0.1, "both nodes' ServiceBGPStatus")
        c.speakers[0].signal(signal.SIGKILL)
        c.speakers[0].wait()
        c.start_speaker(0)
        # Until the new speaker is ready and has read the session back from FRR (it applies
        # before it polls: a diff against FRR's running configuration, nothing to change).
        gaps = c.watch_route(V4, lambda: c.ready(0) and c.metric(
            0, "metallb_bgp_session_up", peer=PEER_V4) == 1, timeout=60)
        self.assertEqual(gaps, 0, "the router lost the route while the speaker restarted")
        self.assertEqual(c.nexthops(V4), c.node_ips([0, 1]))
        self.assertTrue(c.same_since(c.since(), since), "the restart reset a session")

        self.assertFalse(c.marker(0), "a marker before any stop")
        c.speakers[0].signal(signal.SIGTERM)
        exit_code = None
        gone_at = None
        deadline = time.monotonic() + 30
        while exit_code is None and time.monotonic() < deadline:
            if gone_at is None and c.nexthops(V4) == c.node_ips([1]):
                gone_at = time.monotonic()
            exit_code = c.speakers[0].proc.poll()
        exited_at = time.monotonic()
        self.assertEqual(exit_code, 0)
        if gone_at is None:
            wait_for(lambda: c.nexthops(V4) == c.node_ips([1]), 1, 0.005,
                     "n0's next hop gone after its graceful stop")
            gone_at = time.monotonic()
        print(f"n0's route left the router {(gone_at - exited_at) * 1000:+.0f} ms relative to "
              "the speaker's exit")
        self.assertLess(gone_at - exited_at, 0.1,
                        "the route must leave the router before (or as) the speaker exits")
        self.assertTrue(c.marker(0), "the withdrawal marker for FRR's container")
        n0 = c.node_names[0]
        self.assertEqual(sorted(node for node, _ in c.bgp_statuses()), [c.node_names[1]],
                         f"{n0}'s ServiceBGPStatus deleted by its graceful stop")
        self.assertIn("n0", c.established(), "the session stays up after a graceful stop")


class BgpApiOutageTest(BgpTestCase):
    """The API server stops: the routes stay; a speaker restarted meanwhile leaves FRR as it
    is (it cannot know the configuration); once the API server is back, changes apply."""

    def test_routes_survive_api_outage(self):
        c = self.c
        self.announce_web()
        c.add_vip(V4_B)
        c.kube.apiserver("stop")
        try:
            c.speakers[1].signal(signal.SIGKILL)
            c.speakers[1].wait()
            c.start_speaker(1)
            end = time.monotonic() + 5
            gaps = c.watch_route(V4, lambda: time.monotonic() >= end)
            self.assertEqual(gaps, 0, "the route left the router during the outage")
            self.assertEqual(c.nexthops(V4), c.node_ips([0, 1]))
        finally:
            c.kube.apiserver("start")
        c.wait_ready(1, timeout=90)
        c.service("after", [V4_B], endpoints=[0, 1])
        c.wait_nexthops(V4_B, [0, 1], timeout=60)
        self.assertEqual(c.nexthops(V4), c.node_ips([0, 1]))


if __name__ == "__main__":
    cluster.main()
