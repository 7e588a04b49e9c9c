#include "speaker/control/duplicate_arbiter.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ironlb::control {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Action = DuplicateVerdict::Action;

const net::MacAddress kLow({2, 0, 0, 0, 0, 1});
const net::MacAddress kHigh({2, 0, 0, 0, 0, 9});
const net::IpAddress kIp = net::IpAddress::parse("192.0.2.100").value();
const net::IpAddress kIp2 = net::IpAddress::parse("192.0.2.101").value();
const util::MonoTime kT0 = util::MonoTime(seconds(1000));

// A claim by a peer speaker (its MAC learnt over membership), unless `speaker` is false.
DuplicateReport report(net::MacAddress ours, net::MacAddress other, bool dad = false,
                       net::IpAddress a = kIp, bool speaker = true) {
  return {a, ours, other, dad, speaker};
}

TEST(DuplicateArbiter, ReannouncesOncePerWindowAndAlarmsOnceTheOverlapOutlastsAWindow) {
  DuplicateArbiter arb;
  auto v = arb.onReport(report(kLow, kHigh), kT0);
  EXPECT_EQ(v.action, Action::kReannounce);
  // One window of overlap is what a hand-over looks like: no alarm yet.
  EXPECT_FALSE(v.alarm);
  // The packet path may report hundreds per second: all but one per window are ignored.
  for (int i = 1; i < 100; ++i)
    EXPECT_EQ(arb.onReport(report(kLow, kHigh), kT0 + milliseconds(9 * i)).action, Action::kIgnore);
  v = arb.onReport(report(kLow, kHigh), kT0 + milliseconds(1000));
  EXPECT_EQ(v.action, Action::kReannounce);
  EXPECT_TRUE(v.alarm) << "still claimed a window later: a real overlap";
  EXPECT_EQ(v.windows, 2);
  // Told once per episode.
  EXPECT_FALSE(arb.onReport(report(kLow, kHigh), kT0 + milliseconds(2000)).alarm);
}

TEST(DuplicateArbiter, HandBackOverlapIsNoAlarm) {
  // Issue 11: every link flap raised Warning "duplicateOwner" events (117 warnings over 40
  // flaps): the node holding a VIP saw the returning owner's gratuitous ARP a moment before
  // membership told it to hand the VIP back. One window of overlap per hand-back, however
  // many hand-backs, is no alarm.
  DuplicateArbiter holder;
  for (int flap = 0; flap < 40; ++flap) {
    const util::MonoTime t = kT0 + seconds(3 * flap);
    holder.ownershipTaken(kIp);  // the owner's link went down: the holder took the VIP
    const auto v = holder.onReport(report(kHigh, kLow), t + seconds(1));  // link back
    EXPECT_EQ(v.action, Action::kReannounce) << flap;
    EXPECT_FALSE(v.alarm) << flap;
    holder.viewChanged();  // a moment later: the owner is back, the holder hands the VIP back
  }
}

TEST(DuplicateArbiter, PersistentConflictHigherMacYieldsLowerMacKeeps) {
  DuplicateArbiter highSide, lowSide;
  std::vector<Action> high, low;
  std::vector<bool> highAlarms, lowAlarms;
  for (int w = 0; w < 4; ++w) {
    const util::MonoTime t = kT0 + seconds(w);
    const auto h = highSide.onReport(report(kHigh, kLow), t);
    const auto l = lowSide.onReport(report(kLow, kHigh), t);
    high.push_back(h.action);
    low.push_back(l.action);
    highAlarms.push_back(h.alarm);
    lowAlarms.push_back(l.alarm);
  }
  EXPECT_EQ(highAlarms, (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(lowAlarms, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(high, (std::vector<Action>{Action::kReannounce, Action::kReannounce, Action::kYield,
                                       Action::kIgnore}));
  EXPECT_EQ(low, (std::vector<Action>{Action::kReannounce, Action::kReannounce, Action::kReannounce,
                                      Action::kReannounce}));
  EXPECT_EQ(highSide.yielded(kT0 + seconds(4)), std::set<net::IpAddress>{kIp});
  EXPECT_TRUE(lowSide.yielded(kT0 + seconds(4)).empty());
  EXPECT_EQ(highSide.nextExpiry(), kT0 + seconds(2) + std::chrono::minutes(5));
  // The yield ends by itself...
  EXPECT_TRUE(highSide.yielded(kT0 + seconds(2) + std::chrono::minutes(5)).empty());
  EXPECT_FALSE(highSide.nextExpiry().has_value());
}

TEST(DuplicateArbiter, ForeignLowerMacNeverSilencesTheVip) {
  // Issue 12, item 2: three unauthenticated ARP replies claiming the VIP with a lower MAC,
  // a second apart, made the owner stop answering for 5 minutes (renewable). A MAC that is no
  // speaker's is fought, not obeyed: a gratuitous refresh every window, an alarm, no yield.
  DuplicateArbiter arb;
  std::vector<bool> alarms;
  for (int w = 0; w < 30; ++w) {
    const util::MonoTime t = kT0 + milliseconds(1000 * w);
    const auto v = arb.onReport(report(kHigh, kLow, false, kIp, /*speaker=*/false), t);
    EXPECT_EQ(v.action, Action::kReannounce) << w;
    EXPECT_TRUE(v.foreign) << w;
    alarms.push_back(v.alarm);
    EXPECT_TRUE(arb.yielded(t).empty()) << w;
    // Frames in between are rate-limited, never a yield either.
    EXPECT_EQ(arb.onReport(report(kHigh, kLow, false, kIp, false), t + milliseconds(300)).action,
              Action::kIgnore);
  }
  EXPECT_FALSE(arb.nextExpiry().has_value());
  // Told once the overlap outlasts a window, and again in each later episode (10 s spans).
  EXPECT_FALSE(alarms[0]);
  EXPECT_TRUE(alarms[1]);
  EXPECT_EQ(std::count(alarms.begin(), alarms.end(), true), 3);
  // The same lower MAC learnt from a speaker is yielded to (the membership-blocked case).
  DuplicateArbiter peer;
  DuplicateVerdict v;
  for (int w = 0; w < 3; ++w)
    v = peer.onReport(report(kHigh, kLow), kT0 + seconds(w));
  EXPECT_EQ(v.action, Action::kYield);
  EXPECT_FALSE(v.foreign);
}

TEST(DuplicateArbiter, ViewChangeForgetsYieldsAndEpisodes) {
  DuplicateArbiter arb;
  for (int w = 0; w < 3; ++w)
    arb.onReport(report(kHigh, kLow), kT0 + seconds(w));
  EXPECT_EQ(arb.yielded(kT0 + seconds(3)).size(), 1u);
  arb.viewChanged();
  EXPECT_TRUE(arb.yielded(kT0 + seconds(3)).empty());
  EXPECT_EQ(arb.onReport(report(kHigh, kLow), kT0 + seconds(3)).windows, 1);
}

TEST(DuplicateArbiter, HandOversAreNotAPersistentConflict) {
  // Seen on the real cluster: an externalTrafficPolicy Local VIP moved node-3 -> node-1 ->
  // node-3 within 10 s as pods moved. Each time node-3 took the IP, the previous owner's last
  // gratuitous ARP was still on the wire: three reports in three windows, and node-3 (the
  // higher MAC) went silent for 5 minutes although the other node had stopped. Taking the IP
  // starts afresh; a conflict that goes on after the hand-over still counts.
  DuplicateArbiter arb;
  for (int handover = 0; handover < 5; ++handover) {
    const util::MonoTime t = kT0 + seconds(2 * handover);
    arb.ownershipTaken(kIp);
    const auto v = arb.onReport(report(kHigh, kLow), t);
    EXPECT_EQ(v.action, Action::kReannounce) << handover;
    EXPECT_EQ(v.windows, 1) << handover;
    EXPECT_FALSE(v.alarm) << handover;
  }
  EXPECT_TRUE(arb.yielded(kT0 + seconds(10)).empty());
  // The other claimant keeps going after the last hand-over: that is a conflict again.
  EXPECT_EQ(arb.onReport(report(kHigh, kLow), kT0 + seconds(9)).action, Action::kReannounce);
  EXPECT_EQ(arb.onReport(report(kHigh, kLow), kT0 + seconds(10)).action, Action::kYield);
  // Taking another IP leaves this one's yield alone.
  arb.ownershipTaken(kIp2);
  EXPECT_EQ(arb.yielded(kT0 + seconds(11)), std::set<net::IpAddress>{kIp});
}

TEST(DuplicateArbiter, SporadicConflictsStartNewEpisodes) {
  DuplicateArbiter arb;
  // Three windows, but spread over more than the persistence span: never a yield.
  for (int i = 0; i < 5; ++i) {
    auto v = arb.onReport(report(kHigh, kLow), kT0 + seconds(11 * i));
    EXPECT_EQ(v.action, Action::kReannounce);
    EXPECT_EQ(v.windows, 1);
    EXPECT_FALSE(v.alarm);
  }
}

TEST(DuplicateArbiter, DadProbesAreReportedNotFought) {
  DuplicateArbiter arb;
  auto v = arb.onReport(report(kHigh, net::MacAddress(), true), kT0);
  EXPECT_EQ(v.action, Action::kReportDad);
  EXPECT_TRUE(v.alarm);
  EXPECT_EQ(arb.onReport(report(kHigh, net::MacAddress(), true), kT0 + milliseconds(10)).action,
            Action::kIgnore);
  EXPECT_TRUE(arb.yielded(kT0).empty());
}

TEST(DuplicateArbiter, TrackedStateIsBounded) {
  DuplicateArbiterConfig config;
  config.maxTracked = 2;
  DuplicateArbiter arb(config);
  const net::IpAddress third = net::IpAddress::parse("192.0.2.102").value();
  arb.onReport(report(kLow, kHigh, false, kIp), kT0);
  arb.onReport(report(kLow, kHigh, false, kIp2), kT0 + seconds(1));
  arb.onReport(report(kLow, kHigh, false, third), kT0 + seconds(2));
  EXPECT_EQ(arb.tracked(), 2u);
  // The oldest (kIp) was forgotten: a new report for it starts a new episode.
  EXPECT_EQ(arb.onReport(report(kLow, kHigh, false, kIp), kT0 + seconds(2)).windows, 1);
}

TEST(DuplicateDescribeTest, SaysWhatHappenedAndWhatToCheck) {
  const DuplicateContext c{.ip = "192.0.2.10",
                           .interface = "eth0",
                           .otherMac = "02:00:00:00:00:09",
                           .node = "n1",
                           .peer = "n2",
                           .memberPort = 7946};
  DuplicateVerdict v;
  v.action = Action::kReannounce;
  v.alarm = true;
  EXPECT_EQ(describe(v, c),
            "another device (MAC 02:00:00:00:00:09, speaker n2) keeps claiming 192.0.2.10 on "
            "eth0 (for more than a second), which node n1 owns: re-announcing. Membership "
            "traffic (UDP 7946) between speakers may be blocked");
  v.foreign = true;
  EXPECT_NE(describe(v, c).find("The MAC is no speaker's"), std::string::npos);
  v.action = Action::kYield;
  EXPECT_EQ(describe(v, c),
            "another device (MAC 02:00:00:00:00:09) keeps claiming 192.0.2.10 on eth0; its MAC "
            "is lower, so node n1 stops answering for the IP until the cluster view changes");
  v.action = Action::kReportDad;
  EXPECT_NE(describe(v, c).find("probed (IPv6 DAD) for 192.0.2.10 on eth0"), std::string::npos);
  v.action = Action::kIgnore;
  EXPECT_EQ(describe(v, c), "");
}

}  // namespace
}  // namespace ironlb::control
