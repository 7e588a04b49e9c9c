// Hold-back of released addresses and deleting pools (docs/allocation.md): an address a Service
// gives up because of an edit is kept from every other Service for the hold-back period and comes
// back to it when the edit is undone; a deleting pool keeps its holders and gives out nothing.
// Time is a manual clock passed in with advanceTo.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/util/clock.h"
#include "controller/allocator/allocator.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers
using namespace std::chrono_literals;

class HoldBackTest : public ::testing::Test {
 protected:
  HoldBackTest() {
    a_.setHoldBack(5min);
    a_.advanceTo(clock_.now());
  }
  void pools(std::vector<lbconfig::Pool> p) { ASSERT_TRUE(a_.setPools(std::move(p)).ok()); }
  std::string allocate(const ServiceRequest& r) {
    auto result = a_.allocate(r);
    return result ? describe(result->assignment) : "error: " + result.error();
  }
  std::vector<net::IpAddress> after(util::Duration d) {
    clock_.advance(d);
    return a_.advanceTo(clock_.now());
  }
  util::ManualClock clock_;
  Allocator a_;
};

TEST_F(HoldBackTest, AnEditedAwayIpIsKeptFromOthersAndComesBackOnRevert) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"}).noAutoAssign()});
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0");
  EXPECT_EQ(allocate(svc("d/s").fromPool("b")), "b: 198.51.100.0");  // the mistaken edit
  EXPECT_EQ(allocate(svc("d/other")), "a: 192.0.2.1") << "192.0.2.0 is held back for d/s";
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0") << "the revert restores the same IP";
  EXPECT_EQ(a_.holds().size(), 0u) << "the IP of the mistake is free at once (no swapping back)";
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0") << "stays";
  EXPECT_EQ(allocate(svc("d/x").fromPool("b")), "b: 198.51.100.0");
}

TEST_F(HoldBackTest, TheHoldEndsAfterThePeriod) {
  pools({pool("a", {"192.0.2.0/31"})});
  allocate(svc("d/s"));
  EXPECT_EQ(allocate(svc("d/s").wants({"192.0.2.1"})), "a: 192.0.2.1");
  EXPECT_EQ(allocate(svc("d/p")),
            "error: no IP for d/p: no autoAssign pool admitting the "
            "Service offers a free IPv4 address (tried \"a\")");
  EXPECT_TRUE(after(4min).empty());
  ASSERT_EQ(a_.nextHoldExpiry(), clock_.now() + 1min);
  EXPECT_EQ(after(1min), ips({"192.0.2.0"}));
  EXPECT_EQ(allocate(svc("d/p")), "a: 192.0.2.0");
}

TEST_F(HoldBackTest, RequestingAnotherServicesHeldIpFailsAndSaysWhose) {
  pools({pool("a", {"192.0.2.0/30"})});
  allocate(svc("d/s"));
  ASSERT_TRUE(a_.release("d/s", Release::kHold));
  EXPECT_EQ(allocate(svc("d/x").wants({"192.0.2.0"})),
            "error: no IP for d/x: 192.0.2.0 is held back for d/s, which gave it up recently, for "
            "300 s more (release hold-back)");
  EXPECT_EQ(allocate(svc("d/s").wants({"192.0.2.0"})), "a: 192.0.2.0");
}

TEST_F(HoldBackTest, ReleaseOfADeletedServiceFreesAtOnce) {
  pools({pool("a", {"192.0.2.0/30"})});
  allocate(svc("d/s"));
  ASSERT_TRUE(a_.release("d/s"));
  EXPECT_EQ(a_.holds().size(), 0u);
  EXPECT_EQ(allocate(svc("d/x")), "a: 192.0.2.0");
}

TEST_F(HoldBackTest, DroppingTheHoldsOfADeletedServiceFreesThem) {
  pools({pool("a", {"192.0.2.0/31"}), pool("b", {"198.51.100.0/30"}).noAutoAssign()});
  allocate(svc("d/s"));
  allocate(svc("d/s").fromPool("b"));
  a_.release("d/s");
  EXPECT_EQ(a_.dropHolds("d/s"), ips({"192.0.2.0"}));
  EXPECT_EQ(allocate(svc("d/x")), "a: 192.0.2.0");
}

TEST_F(HoldBackTest, AShrinkUndoneRestoresTheSameIp) {
  pools({pool("a", {"192.0.2.0/28"})});
  allocate(svc("d/s"));
  auto shrunk = a_.setPools({pool("a", {"192.0.2.8/29"})});
  ASSERT_TRUE(shrunk.ok());
  ASSERT_EQ(shrunk->cleared.size(), 1u);
  EXPECT_EQ(allocate(svc("d/x")), "a: 192.0.2.8");
  pools({pool("a", {"192.0.2.0/28"})});  // undone
  EXPECT_EQ(allocate(svc("d/y")), "a: 192.0.2.1") << "192.0.2.0 is still held for d/s";
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0");
  EXPECT_EQ(a_.counters("a")->v4.assigned, net::AddressCount(3));
}

TEST_F(HoldBackTest, AHeldIpDoesNotComeBackWhenItNoLongerFits) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"}).noAutoAssign()});
  allocate(svc("d/s"));
  EXPECT_EQ(allocate(svc("d/s").fromPool("b")), "b: 198.51.100.0");
  EXPECT_EQ(allocate(svc("d/s").fromPool("b")), "b: 198.51.100.0") << "kept, not swapped back";
  EXPECT_EQ(allocate(svc("d/s").v6()),
            "error: no IP for d/s: no autoAssign pool admitting the "
            "Service offers a free IPv6 address (tried \"a\") (its "
            "previous IPs 198.51.100.0 were released: held IPs "
            "198.51.100.0: the Service has no IPv4 family)");
}

TEST_F(HoldBackTest, ZeroPeriodFreesAtOnce) {
  a_.setHoldBack(util::Duration::zero());
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"}).noAutoAssign()});
  allocate(svc("d/s"));
  allocate(svc("d/s").fromPool("b"));
  EXPECT_EQ(allocate(svc("d/x")), "a: 192.0.2.0");
}

TEST_F(HoldBackTest, ADeletingPoolKeepsItsHoldersAndGivesOutNothing) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"})});
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0");
  pools({pool("a", {"192.0.2.0/30"}).deleting(), pool("b", {"198.51.100.0/30"})});
  EXPECT_EQ(allocate(svc("d/s")), "a: 192.0.2.0") << "kept";
  EXPECT_EQ(allocate(svc("d/x")), "b: 198.51.100.0");
  EXPECT_EQ(allocate(svc("d/y").fromPool("a")),
            "error: no IP for d/y: the requested pool \"a\" is being deleted");
  EXPECT_EQ(allocate(svc("d/z").wants({"192.0.2.1"})),
            "error: no IP for d/z: requested IPs 192.0.2.1 are in pool \"a\", which is being "
            "deleted");
  EXPECT_TRUE(a_.inUse("a"));
  EXPECT_EQ(a_.holders("a"), std::vector<std::string>{"d/s"});
  // A new leader restores from the deleting pool.
  Allocator fresh;
  ASSERT_TRUE(
      fresh.setPools({pool("a", {"192.0.2.0/30"}).deleting(), pool("b", {"198.51.100.0/30"})})
          .ok());
  EXPECT_TRUE(fresh.restore(svc("d/s"), ips({"192.0.2.0"})).ok());
  a_.release("d/s");
  EXPECT_FALSE(a_.inUse("a"));
}

TEST_F(HoldBackTest, HeldIpsDoNotCountAsInUse) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"}).noAutoAssign()});
  allocate(svc("d/s"));
  allocate(svc("d/s").fromPool("b"));
  EXPECT_FALSE(a_.inUse("a")) << "only a hold is left in a";
  EXPECT_TRUE(a_.inUse("b"));
}

}  // namespace
}  // namespace ironlb::allocator
