#include "speaker/announcer/announcer.h"
#include "test/support/links.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ironlb::announcer {

// Readable failures: "send(2,192.0.2.100)".
void PrintTo(const Action& a, std::ostream* os) {
  static const char* names[] = {"open", "close", "join", "leave", "start", "stop", "send"};
  *os << names[static_cast<int>(a.kind)] << "(" << a.ifindex << "," << a.ip.toString() << ","
      << a.group.toString() << ")";
}

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using K = Action::Kind;

net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

Link link(int index, const char* name, bool up = true) {
  return testsupport::makeLink(index, name, up);
}

Action act(K kind, int ifindex, const char* address = nullptr) {
  Action a{kind, ifindex, {}, {}, nullptr};
  if (address) a.ip = ip(address);
  return a;
}
Action group(K kind, int ifindex, const char* g) {
  return Action{kind, ifindex, {}, ip(g), nullptr};
}

std::size_t countKind(const std::vector<Action>& actions, K kind) {
  return static_cast<std::size_t>(std::count_if(actions.begin(), actions.end(),
                                                [&](const Action& a) { return a.kind == kind; }));
}

class AnnouncerTest : public ::testing::Test {
 protected:
  AnnouncerConfig config() {
    AnnouncerConfig c;
    c.burstCount = 3;
    c.burstInterval = seconds(1);
    c.refreshInterval = seconds(30);
    return c;
  }
  util::MonoTime t0_ = util::MonoTime(seconds(1000));
  Announcer a_{config(), InterfaceFilter::withDefaults()};
};

TEST_F(AnnouncerTest, OpensEligibleLinksOnly) {
  Link docker = link(4, "docker0");
  Link down = link(5, "eth2", false);
  auto actions = a_.setLinks({link(2, "eth0"), link(3, "eth1"), docker, down}, t0_);
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kOpenInterface, 2), act(K::kOpenInterface, 3)}));
  ASSERT_NE(actions[0].link, nullptr);
  EXPECT_EQ(actions[0].link->name, "eth0");
  EXPECT_TRUE(a_.setLinks({link(2, "eth0"), link(3, "eth1"), docker, down}, t0_).empty());
}

TEST_F(AnnouncerTest, AcquireV4AnswersThenAnnouncesImmediately) {
  a_.setLinks({link(2, "eth0"), link(3, "eth1")}, t0_);
  auto actions = a_.setDesired({{ip("192.0.2.100"), {"eth0"}}}, t0_);
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kStartAnswering, 2, "192.0.2.100"),
                                          act(K::kSendGratuitous, 2, "192.0.2.100")}));
  EXPECT_EQ(a_.nextDeadline(), t0_ + seconds(1));
}

TEST_F(AnnouncerTest, AcquireV6JoinsSolicitedNodeGroupOnEveryLinkWhenUnnamed) {
  a_.setLinks({link(2, "eth0"), link(3, "eth1")}, t0_);
  auto actions = a_.setDesired({{ip("2001:db8::1:100"), {}}}, t0_);
  EXPECT_EQ(actions, (std::vector<Action>{group(K::kJoinGroup, 2, "ff02::1:ff01:100"),
                                          group(K::kJoinGroup, 3, "ff02::1:ff01:100"),
                                          act(K::kStartAnswering, 2, "2001:db8::1:100"),
                                          act(K::kStartAnswering, 3, "2001:db8::1:100"),
                                          act(K::kSendGratuitous, 2, "2001:db8::1:100"),
                                          act(K::kSendGratuitous, 3, "2001:db8::1:100")}));
}

TEST_F(AnnouncerTest, GroupsAreReferenceCounted) {
  a_.setLinks({link(2, "eth0")}, t0_);
  // Same low 24 bits: one solicited-node group.
  auto actions = a_.setDesired({{ip("2001:db8::1:100"), {}}, {ip("2001:db8:ff::1:100"), {}}}, t0_);
  EXPECT_EQ(countKind(actions, K::kJoinGroup), 1u);
  actions = a_.setDesired({{ip("2001:db8:ff::1:100"), {}}}, t0_);
  EXPECT_EQ(countKind(actions, K::kLeaveGroup), 0u);
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kStopAnswering, 2, "2001:db8::1:100")}));
  actions = a_.setDesired({}, t0_);
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kStopAnswering, 2, "2001:db8:ff::1:100"),
                                          group(K::kLeaveGroup, 2, "ff02::1:ff01:100")}));
}

TEST_F(AnnouncerTest, BurstThenRefreshSchedule) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {}}}, t0_);  // send #1 at t0
  EXPECT_TRUE(a_.tick(t0_ + milliseconds(999)).empty());
  EXPECT_EQ(countKind(a_.tick(t0_ + seconds(1)), K::kSendGratuitous), 1u);  // #2
  EXPECT_EQ(a_.nextDeadline(), t0_ + seconds(2));
  EXPECT_EQ(countKind(a_.tick(t0_ + seconds(2)), K::kSendGratuitous), 1u);  // #3, burst done
  EXPECT_EQ(a_.nextDeadline(), t0_ + seconds(32));                          // refresh
  EXPECT_TRUE(a_.tick(t0_ + seconds(31)).empty());
  EXPECT_EQ(countKind(a_.tick(t0_ + seconds(32)), K::kSendGratuitous), 1u);
  EXPECT_EQ(a_.nextDeadline(), t0_ + seconds(62));
}

TEST_F(AnnouncerTest, NoRefreshWhenDisabled) {
  AnnouncerConfig c = config();
  c.refreshInterval = Duration::zero();
  c.burstCount = 1;
  Announcer b(c, InterfaceFilter::withDefaults());
  b.setLinks({link(2, "eth0")}, t0_);
  EXPECT_EQ(countKind(b.setDesired({{ip("192.0.2.100"), {}}}, t0_), K::kSendGratuitous), 1u);
  EXPECT_FALSE(b.nextDeadline().has_value());
}

TEST_F(AnnouncerTest, ReleaseStopsAnsweringAtOnceAndCancelsSends) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {}}}, t0_);
  auto actions = a_.setDesired({}, t0_ + milliseconds(10));
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kStopAnswering, 2, "192.0.2.100")}));
  EXPECT_FALSE(a_.nextDeadline().has_value());
  EXPECT_TRUE(a_.announcements().empty());
}

TEST_F(AnnouncerTest, CarrierRegainedReannounces) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {}}}, t0_);
  for (int s = 1; s <= 2; ++s)
    a_.tick(t0_ + seconds(s));  // burst done
  Link lost = link(2, "eth0");
  lost.carrier = false;
  EXPECT_TRUE(a_.setLinks({lost}, t0_ + seconds(5)).empty());
  auto actions = a_.setLinks({link(2, "eth0")}, t0_ + seconds(6));
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kSendGratuitous, 2, "192.0.2.100")}));
  EXPECT_EQ(a_.nextDeadline(), t0_ + seconds(7));  // a fresh burst
}

TEST_F(AnnouncerTest, LinkDownAndUpClosesThenReopensAndRejoins) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("2001:db8::100"), {"eth0"}}}, t0_);
  auto actions = a_.setLinks({link(2, "eth0", false)}, t0_ + seconds(1));
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kStopAnswering, 2, "2001:db8::100"),
                                          group(K::kLeaveGroup, 2, "ff02::1:ff00:100"),
                                          act(K::kCloseInterface, 2)}));
  EXPECT_EQ(a_.refusals(),
            (std::vector<Refusal>{{ip("2001:db8::100"), "eth0", Ineligibility::kDown}}));
  actions = a_.setLinks({link(2, "eth0")}, t0_ + seconds(2));
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kOpenInterface, 2),
                                          group(K::kJoinGroup, 2, "ff02::1:ff00:100"),
                                          act(K::kStartAnswering, 2, "2001:db8::100"),
                                          act(K::kSendGratuitous, 2, "2001:db8::100")}));
}

TEST_F(AnnouncerTest, NewLinkGetsGroupsOfIpsOwnedBeforeIt) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("2001:db8::100"), {}}}, t0_);
  auto actions = a_.setLinks({link(2, "eth0"), link(7, "eth1")}, t0_ + milliseconds(500));
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kOpenInterface, 7),
                                          group(K::kJoinGroup, 7, "ff02::1:ff00:100"),
                                          act(K::kStartAnswering, 7, "2001:db8::100"),
                                          act(K::kSendGratuitous, 7, "2001:db8::100")}));
}

TEST_F(AnnouncerTest, RefusalsNameTheReason) {
  Link noarp = link(3, "eth1");
  noarp.noarp = true;
  a_.setLinks({link(2, "eth0"), noarp, link(4, "docker0")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {"eth1", "docker0", "eth9", "eth0"}}}, t0_);
  EXPECT_EQ(a_.refusals(),
            (std::vector<Refusal>{{ip("192.0.2.100"), "docker0", Ineligibility::kExcluded},
                                  {ip("192.0.2.100"), "eth1", Ineligibility::kNoArp},
                                  {ip("192.0.2.100"), "eth9", Ineligibility::kMissing}}));
  ASSERT_EQ(a_.announcements().size(), 1u);
  EXPECT_EQ(a_.announcements()[0].ifindex, 2);
}

TEST_F(AnnouncerTest, NoEligibleLinkIsARefusal) {
  a_.setDesired({{ip("192.0.2.100"), {}}}, t0_);
  EXPECT_EQ(a_.refusals(),
            (std::vector<Refusal>{{ip("192.0.2.100"), "", Ineligibility::kMissing}}));
}

TEST_F(AnnouncerTest, MacChangeReannounces) {
  a_.setLinks({link(2, "eth0")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {}}}, t0_);
  a_.tick(t0_ + seconds(1));
  a_.tick(t0_ + seconds(2));
  Link changed = link(2, "eth0");
  changed.mac = net::MacAddress({2, 0, 0, 0, 0, 0x99});
  EXPECT_EQ(countKind(a_.setLinks({changed}, t0_ + seconds(3)), K::kSendGratuitous), 1u);
}

TEST_F(AnnouncerTest, ReannounceRestartsTheBurstOfAnnouncedIpsOnly) {
  a_.setLinks({link(2, "eth0"), link(3, "eth1")}, t0_);
  a_.setDesired({{ip("192.0.2.100"), {}}, {ip("192.0.2.101"), {"eth0"}}}, t0_);
  // Let the first burst run out: 3 sends, then only the refresh is scheduled.
  a_.tick(t0_ + seconds(1));
  a_.tick(t0_ + seconds(2));
  ASSERT_EQ(a_.nextDeadline(), t0_ + seconds(32));

  const util::MonoTime t1 = t0_ + seconds(5);
  auto actions = a_.reannounce({ip("192.0.2.100"), ip("198.51.100.7")}, t1);
  // Sent at once on both links the IP is announced on; the other IP and the unknown one: nothing.
  EXPECT_EQ(actions, (std::vector<Action>{act(K::kSendGratuitous, 2, "192.0.2.100"),
                                          act(K::kSendGratuitous, 3, "192.0.2.100")}));
  EXPECT_EQ(a_.nextDeadline(), t1 + seconds(1));
  EXPECT_EQ(countKind(a_.tick(t1 + seconds(1)), K::kSendGratuitous), 2u);
  EXPECT_EQ(countKind(a_.tick(t1 + seconds(2)), K::kSendGratuitous), 2u);
  EXPECT_EQ(countKind(a_.tick(t1 + seconds(3)), K::kSendGratuitous), 0u);
  EXPECT_TRUE(a_.reannounce({}, t1).empty());
}

}  // namespace
}  // namespace ironlb::announcer
