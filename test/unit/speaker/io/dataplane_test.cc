#include "speaker/io/dataplane.h"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

#include "speaker/wire/arp.h"
#include "speaker/wire/frame.h"
#include "test/support/links.h"
#include "test/unit/speaker/io/fakes.h"

namespace ironlb::io {
namespace {

using std::chrono::milliseconds;

net::IpAddress ip(const char* t) {
  return net::IpAddress::parse(t).value();
}

announcer::Link link(int index, const char* name, bool up = true) {
  return testsupport::makeLink(index, name, up);
}

class DataplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataplaneConfig config;
    config.announcer.burstCount = 3;
    config.announcer.burstInterval = milliseconds(20);
    config.announcer.refreshInterval = announcer::Duration::zero();
    watcher_.links = {link(2, "eth0"), link(3, "eth1")};
    auto created =
        Dataplane::create(io_, util::SystemClock::instance(), packets_, watcher_, config);
    ASSERT_TRUE(created.ok());
    dp_ = std::move(created).value();
    ASSERT_TRUE(dp_->start().ok());
  }

  // Steps the loop until `done` or a watchdog deadline; no sleeps.
  template <class Pred>
  bool runUntil(Pred done, milliseconds limit = milliseconds(2000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(milliseconds(10));
    }
    return done();
  }

  std::size_t arpSent(int ifindex) {
    std::size_t n = 0;
    for (const auto& f : packets_.channels[ifindex]->sent)
      n += wire::parseFrame(f).ok() ? 1 : 0;
    return n;
  }

  boost::asio::io_context io_;
  testing::FakePacketIo packets_;
  testing::FakeLinkWatcher watcher_;
  std::unique_ptr<Dataplane> dp_;
};

TEST_F(DataplaneTest, OpensEligibleLinksOnStart) {
  EXPECT_TRUE(dp_->isOpen(2));
  EXPECT_TRUE(dp_->isOpen(3));
}

TEST_F(DataplaneTest, OwnAnswersAndRunsTheBurstOnTheLoop) {
  dp_->setDesired({{ip("192.0.2.100"), {"eth0"}}});
  EXPECT_EQ(arpSent(2), 2u);  // immediate gratuitous: request + reply forms
  EXPECT_TRUE(runUntil([&] { return arpSent(2) >= 6; }));  // the burst of 3
  EXPECT_EQ(dp_->counters().byInterfaceIp.at({2, ip("192.0.2.100")}).gratuitousSent, 6u);

  // The packet path answers through the channel the link was opened with.
  std::vector<uint8_t> req(wire::kArpFrameSize);
  const auto client = net::MacAddress({2, 0, 0, 0, 0, 0x99});
  wire::buildArpFrame(req, net::MacAddress::broadcast(), client,
                      {wire::ArpOp::kRequest, client, ip("192.0.2.1"), {}, ip("192.0.2.100")});
  packets_.channels[2]->handler->onFrame(req);
  EXPECT_EQ(dp_->counters().byInterfaceIp.at({2, ip("192.0.2.100")}).responsesSent, 1u);
  packets_.channels[3]->handler->onFrame(req);
  EXPECT_EQ(dp_->counters().byInterface.at(3).drops.get(wire::DropReason::kWrongInterface), 1u);

  dp_->setDesired({});
  packets_.channels[2]->handler->onFrame(req);
  EXPECT_EQ(dp_->counters().byInterface.at(2).drops.get(wire::DropReason::kNotOwned), 1u);
}

TEST_F(DataplaneTest, JoinsGroupsOnLinksThatAppearLater) {
  dp_->setDesired({{ip("2001:db8::100"), {}}});
  EXPECT_EQ(packets_.channels[2]->groups, std::set<net::IpAddress>{ip("ff02::1:ff00:100")});
  watcher_.push({link(2, "eth0"), link(3, "eth1"), link(9, "eth2")});
  ASSERT_TRUE(dp_->isOpen(9));
  EXPECT_EQ(packets_.channels[9]->groups, std::set<net::IpAddress>{ip("ff02::1:ff00:100")});
  dp_->setDesired({});
  EXPECT_TRUE(packets_.channels[9]->groups.empty());
}

TEST_F(DataplaneTest, LinkGoingDownClosesItsResponder) {
  dp_->setDesired({{ip("192.0.2.100"), {}}});
  watcher_.push({link(2, "eth0"), link(3, "eth1", false)});
  EXPECT_FALSE(dp_->isOpen(3));
  ASSERT_EQ(dp_->refusals().size(), 0u);  // "every interface": eth0 still serves
  ASSERT_EQ(dp_->announcements().size(), 1u);
  EXPECT_EQ(dp_->announcements()[0].ifindex, 2);
}

TEST_F(DataplaneTest, BadExcludePatternIsAnError) {
  DataplaneConfig config;
  config.excludePatterns = {"["};
  auto created = Dataplane::create(io_, util::SystemClock::instance(), packets_, watcher_, config);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.error().find("\"[\""), std::string::npos);
}

}  // namespace
}  // namespace ironlb::io
