#include "speaker/io/responder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "speaker/wire/arp.h"
#include "speaker/wire/frame.h"
#include "speaker/wire/ndp.h"
#include "test/support/responder_harness.h"
#include "test/unit/speaker/io/fakes.h"

// GCC flags malloc/free inside a replaced operator new/delete pair as mismatched once inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Counts heap allocations while armed, to prove the packet path allocates nothing.
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace ironlb::io {
namespace {

using announcer::IpCounters;
using wire::DropReason;

net::IpAddress ip(const char* t) {
  return net::IpAddress::parse(t).value();
}
net::MacAddress mac(const char* t) {
  return net::MacAddress::parse(t).value();
}

const net::MacAddress kOurs = mac("02:00:00:00:00:0a");
const net::MacAddress kClient = mac("02:00:00:00:00:01");
const net::MacAddress kOther = mac("02:00:00:00:00:0b");

struct Recorder : DuplicateOwnerListener {
  void onDuplicateOwner(const DuplicateOwnerEvent& e) override { events.push_back(e); }
  std::vector<DuplicateOwnerEvent> events;
};

class ResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    recorder_.events.reserve(16);
    h_.own({{2, ip("192.0.2.100")}, {2, ip("2001:db8:1::100")}, {3, ip("192.0.2.101")}});
  }

  std::vector<uint8_t> arp(wire::ArpOp op, const char* senderIp, const char* targetIp,
                           net::MacAddress sender = kClient,
                           net::MacAddress ethDst = net::MacAddress::broadcast()) {
    std::vector<uint8_t> f(wire::kArpFrameSize);
    wire::buildArpFrame(f, ethDst, sender, {op, sender, ip(senderIp), {}, ip(targetIp)});
    return f;
  }
  std::vector<uint8_t> ns(const char* src, const char* target, const char* dst = nullptr) {
    std::vector<uint8_t> f(wire::kNdpFrameSize);
    const auto t = ip(target);
    const auto d = dst ? ip(dst) : wire::solicitedNodeMulticast(t);
    f.resize(wire::buildNeighborSolicitation(f, wire::ipv6MulticastMac(d), kClient, ip(src), d, t));
    return f;
  }
  wire::Frame lastSent() {
    EXPECT_FALSE(channel_.sent.empty());
    auto parsed = wire::parseFrame(channel_.sent.back());
    EXPECT_TRUE(parsed.ok());
    return parsed.value();
  }
  const IpCounters& counters(int ifindex, const char* address) {
    return store_.ip(ifindex, ip(address));
  }
  uint64_t drops(DropReason r) { return store_.interface(2).drops.get(r); }

  Recorder recorder_;
  testsupport::ResponderHarness<testing::FakeChannel> h_{kOurs, &recorder_};
  announcer::CounterStore& store_ = h_.store;
  announcer::OwnershipTable& table_ = h_.table;
  testing::FakeChannel& channel_ = h_.channel;
  InterfaceContext& ctx_ = h_.ctx;
  Responder& responder_ = h_.responder;
};

TEST_F(ResponderTest, AnswersArpRequestUnicastToRequester) {
  responder_.handleFrame(ctx_, arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100"));
  ASSERT_EQ(channel_.sent.size(), 1u);
  const auto reply = lastSent();
  EXPECT_EQ(reply.ethernet.dst, kClient);
  EXPECT_EQ(reply.ethernet.src, kOurs);
  EXPECT_EQ(reply.arp.op, wire::ArpOp::kReply);
  EXPECT_EQ(reply.arp.senderMac, kOurs);
  EXPECT_EQ(reply.arp.senderIp, ip("192.0.2.100"));
  EXPECT_EQ(reply.arp.targetMac, kClient);
  EXPECT_EQ(reply.arp.targetIp, ip("192.0.2.1"));
  EXPECT_EQ(counters(2, "192.0.2.100").requestsReceived, 1u);
  EXPECT_EQ(counters(2, "192.0.2.100").responsesSent, 1u);
}

TEST_F(ResponderTest, AnswersArpUnicastToOurMacAndProbes) {
  responder_.handleFrame(ctx_,
                         arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100", kClient, kOurs));
  responder_.handleFrame(ctx_, arp(wire::ArpOp::kRequest, "0.0.0.0", "192.0.2.100"));  // RFC 5227
  EXPECT_EQ(channel_.sent.size(), 2u);
  EXPECT_EQ(lastSent().arp.targetIp, ip("0.0.0.0"));
}

TEST_F(ResponderTest, ArpDropsByReason) {
  struct Case {
    const char* name;
    std::vector<uint8_t> frame;
    DropReason reason;
  };
  const Case cases[] = {
      {"not owned", arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.200"), DropReason::kNotOwned},
      {"owned on eth 3", arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.101"),
       DropReason::kWrongInterface},
      {"to another mac", arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100", kClient, kOther),
       DropReason::kArpNotForUs},
      {"reply", arp(wire::ArpOp::kReply, "192.0.2.1", "192.0.2.100"), DropReason::kNotARequest},
      {"announcement", arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.1"),
       DropReason::kNotARequest},
      {"truncated", std::vector<uint8_t>(20, 0xff), DropReason::kArpTruncated},
  };
  for (const auto& c : cases) {
    auto frame = c.frame;
    if (std::string(c.name) == "truncated") {
      frame = arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100");
      frame.resize(30);
    }
    const uint64_t before = drops(c.reason);
    responder_.handleFrame(ctx_, frame);
    EXPECT_EQ(drops(c.reason), before + 1) << c.name;
  }
  EXPECT_TRUE(channel_.sent.empty());
  EXPECT_EQ(store_.interface(2).framesReceived, std::size(cases));
}

TEST_F(ResponderTest, DuplicateOwnerOnGratuitousArpFromAnotherMac) {
  responder_.handleFrame(ctx_, arp(wire::ArpOp::kReply, "192.0.2.100", "192.0.2.100", kOther));
  ASSERT_EQ(recorder_.events.size(), 1u);
  EXPECT_EQ(recorder_.events[0].source, DuplicateOwnerEvent::Source::kArp);
  EXPECT_EQ(recorder_.events[0].ip, ip("192.0.2.100"));
  EXPECT_EQ(recorder_.events[0].ourMac, kOurs);
  EXPECT_EQ(recorder_.events[0].otherMac, kOther);
  EXPECT_EQ(counters(2, "192.0.2.100").duplicateOwnerSeen, 1u);
  // Our own MAC is not a duplicate.
  responder_.handleFrame(ctx_, arp(wire::ArpOp::kReply, "192.0.2.100", "192.0.2.100", kOurs));
  EXPECT_EQ(recorder_.events.size(), 1u);
}

TEST_F(ResponderTest, AnswersNeighborSolicitation) {
  responder_.handleFrame(ctx_, ns("2001:db8:1::1", "2001:db8:1::100"));
  const auto na = lastSent();
  EXPECT_EQ(na.ethernet.dst, kClient);  // from the SLLAO
  EXPECT_EQ(na.ndp.type, wire::NdpType::kNeighborAdvertisement);
  EXPECT_EQ(na.ndp.src, ip("2001:db8:1::100"));
  EXPECT_EQ(na.ndp.dst, ip("2001:db8:1::1"));
  EXPECT_EQ(na.ndp.target, ip("2001:db8:1::100"));
  EXPECT_TRUE(na.ndp.solicited);
  EXPECT_FALSE(na.ndp.override);
  EXPECT_EQ(na.ndp.linkLayerAddress, kOurs);
  EXPECT_EQ(counters(2, "2001:db8:1::100").responsesSent, 1u);
}

TEST_F(ResponderTest, AnswersUnicastNudProbe) {
  responder_.handleFrame(ctx_, ns("2001:db8:1::1", "2001:db8:1::100", "2001:db8:1::100"));
  EXPECT_EQ(lastSent().ndp.dst, ip("2001:db8:1::1"));
}

TEST_F(ResponderTest, DadProbes) {
  // For an address we do not own: silent, counted.
  responder_.handleFrame(ctx_, ns("::", "2001:db8:1::55"));
  EXPECT_TRUE(channel_.sent.empty());
  EXPECT_EQ(drops(DropReason::kDadProbeNotOwned), 1u);
  // For our VIP: defended per RFC 4861 §7.2.4 and reported.
  responder_.handleFrame(ctx_, ns("::", "2001:db8:1::100"));
  const auto na = lastSent();
  EXPECT_EQ(na.ndp.dst, wire::kAllNodes);
  EXPECT_EQ(na.ethernet.dst, mac("33:33:00:00:00:01"));
  EXPECT_FALSE(na.ndp.solicited);
  EXPECT_TRUE(na.ndp.override);
  EXPECT_EQ(counters(2, "2001:db8:1::100").dadProbesAnswered, 1u);
  ASSERT_EQ(recorder_.events.size(), 1u);
  EXPECT_EQ(recorder_.events[0].source, DuplicateOwnerEvent::Source::kDadProbe);
}

TEST_F(ResponderTest, DuplicateOwnerOnNeighborAdvertisement) {
  std::vector<uint8_t> f(wire::kNdpFrameSize);
  wire::buildNeighborAdvertisement(f, mac("33:33:00:00:00:01"), kOther, ip("2001:db8:1::100"),
                                   wire::kAllNodes, ip("2001:db8:1::100"), {.override = true},
                                   kOther);
  responder_.handleFrame(ctx_, f);
  ASSERT_EQ(recorder_.events.size(), 1u);
  EXPECT_EQ(recorder_.events[0].otherMac, kOther);
  EXPECT_EQ(drops(DropReason::kNotARequest), 1u);
}

TEST_F(ResponderTest, SendFailureIsCounted) {
  channel_.refuse = true;
  responder_.handleFrame(ctx_, arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100"));
  EXPECT_EQ(drops(DropReason::kSendFailed), 1u);
  EXPECT_EQ(counters(2, "192.0.2.100").responsesSent, 0u);
}

TEST_F(ResponderTest, GratuitousForms) {
  auto& c4 = store_.ip(2, ip("192.0.2.100"));
  EXPECT_EQ(responder_.sendGratuitous(ctx_, ip("192.0.2.100"), c4), 2);
  ASSERT_EQ(channel_.sent.size(), 2u);
  EXPECT_EQ(wire::parseFrame(channel_.sent[0])->arp.op, wire::ArpOp::kRequest);
  EXPECT_EQ(wire::parseFrame(channel_.sent[1])->arp.op, wire::ArpOp::kReply);
  auto& c6 = store_.ip(2, ip("2001:db8:1::100"));
  EXPECT_EQ(responder_.sendGratuitous(ctx_, ip("2001:db8:1::100"), c6), 1);
  const auto na = lastSent();
  EXPECT_EQ(na.ndp.dst, wire::kAllNodes);
  EXPECT_TRUE(na.ndp.override);
  EXPECT_FALSE(na.ndp.solicited);
  EXPECT_EQ(c4.gratuitousSent, 2u);
  EXPECT_EQ(c6.gratuitousSent, 1u);
}

TEST_F(ResponderTest, PacketPathAllocatesNothing) {
  const std::vector<std::vector<uint8_t>> frames = {
      arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.100"),
      arp(wire::ArpOp::kRequest, "192.0.2.1", "192.0.2.200"),
      arp(wire::ArpOp::kReply, "192.0.2.100", "192.0.2.100", kOther),
      ns("2001:db8:1::1", "2001:db8:1::100"),
      ns("::", "2001:db8:1::100"),
      ns("::", "2001:db8:1::7"),
      std::vector<uint8_t>(7, 0),
  };
  g_allocations = 0;
  g_counting = true;
  for (int round = 0; round < 5; ++round)
    for (const auto& f : frames)
      responder_.handleFrame(ctx_, f);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_EQ(store_.interface(2).framesReceived, 5 * frames.size());
  EXPECT_GT(channel_.sent.size(), 0u);
}

}  // namespace
}  // namespace ironlb::io
