#include "speaker/wire/arp.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

#include "speaker/wire/ethernet.h"
#include "speaker/wire/frame.h"
#include "test/unit/speaker/wire/test_frames.h"

namespace ironlb::wire {
namespace {

using testing::ip;
using testing::mac;

// A well-formed ARP request for 192.0.2.100 from 192.0.2.1 / 02:00:00:00:00:01, as raw bytes.
std::vector<uint8_t> requestBytes() {
  return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,    0, 0,  0, 0x01, 0x08, 0x06,  // ethernet
          0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x01,                              // htype..op
          0x02, 0,    0,    0,    0,    0x01, 192,  0,    2, 1,                        // sender
          0,    0,    0,    0,    0,    0,    192,  0,    2, 100};                     // target
}

TEST(Arp, ParsesRequest) {
  const auto bytes = requestBytes();
  const auto frame = parseFrame(bytes);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->kind, Frame::Kind::kArp);
  EXPECT_EQ(frame->arp.op, ArpOp::kRequest);
  EXPECT_EQ(frame->arp.senderMac, mac("02:00:00:00:00:01"));
  EXPECT_EQ(frame->arp.senderIp, ip("192.0.2.1"));
  EXPECT_EQ(frame->arp.targetIp, ip("192.0.2.100"));
  EXPECT_TRUE(frame->ethernet.dst.isBroadcast());
}

TEST(Arp, AcceptsEthernetPadding) {
  auto bytes = requestBytes();
  bytes.resize(60, 0);
  EXPECT_TRUE(parseFrame(bytes).ok());
}

struct Mutation {
  const char* name;
  std::size_t offset;  // byte to overwrite, or SIZE_MAX to truncate to `value`
  uint8_t value;
  DropReason expected;
};

TEST(Arp, RejectsMalformed) {
  const Mutation cases[] = {
      {"truncated ethernet", SIZE_MAX, 13, DropReason::kEthernetTruncated},
      {"truncated arp", SIZE_MAX, 41, DropReason::kArpTruncated},
      {"htype 6", 15, 6, DropReason::kArpBadHardwareType},
      {"ptype ipv6", 16, 0x86, DropReason::kArpBadProtocolType},
      {"hlen 8", 18, 8, DropReason::kArpBadAddressLength},
      {"plen 16", 19, 16, DropReason::kArpBadAddressLength},
      {"op 3", 21, 3, DropReason::kArpBadOperation},
      {"op 0", 21, 0, DropReason::kArpBadOperation},
      {"sender mac multicast", 22, 0x01, DropReason::kArpSenderMacInvalid},
      {"ethernet source multicast", 6, 0x03, DropReason::kEthernetSourceInvalid},
      {"vlan tag", 12, 0x81, DropReason::kVlanTagged},
      {"ethertype ipv4", 13, 0x00, DropReason::kUnsupportedEthertype},
  };
  for (const auto& c : cases) {
    auto bytes = requestBytes();
    if (c.offset == SIZE_MAX) {
      bytes.resize(c.value);
    } else {
      bytes[c.offset] = c.value;
      if (c.offset == 12) bytes[13] = 0x00;  // 0x8100
    }
    const auto parsed = parseFrame(bytes);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.reason(), c.expected) << c.name << ": " << dropReasonName(parsed.reason());
  }
}

TEST(Arp, BuildRoundTrips) {
  ArpPacket reply{ArpOp::kReply, mac("02:00:00:00:00:0a"), ip("192.0.2.100"),
                  mac("02:00:00:00:00:01"), ip("192.0.2.1")};
  std::array<uint8_t, kArpFrameSize> buf{};
  const auto size = buildArpFrame(buf, mac("02:00:00:00:00:01"), mac("02:00:00:00:00:0a"), reply);
  ASSERT_EQ(size, kArpFrameSize);
  const auto parsed = parseFrame({buf.data(), size});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ethernet.dst, mac("02:00:00:00:00:01"));
  EXPECT_EQ(parsed->arp.op, ArpOp::kReply);
  EXPECT_EQ(parsed->arp.senderIp, ip("192.0.2.100"));
  EXPECT_EQ(parsed->arp.targetMac, mac("02:00:00:00:00:01"));
}

TEST(Arp, BuildRefusesSmallBufferAndIpv6) {
  std::array<uint8_t, kArpFrameSize - 1> small{};
  ArpPacket arp{ArpOp::kRequest, mac("02:00:00:00:00:0a"), ip("192.0.2.100"), {}, ip("192.0.2.1")};
  EXPECT_EQ(buildArpFrame(small, net::MacAddress::broadcast(), arp.senderMac, arp), 0u);
  std::array<uint8_t, kArpFrameSize> buf{};
  arp.targetIp = ip("2001:db8::1");
  EXPECT_EQ(buildArpFrame(buf, net::MacAddress::broadcast(), arp.senderMac, arp), 0u);
}

TEST(Arp, GratuitousForms) {
  std::array<uint8_t, kArpFrameSize> buf{};
  for (auto op : {ArpOp::kRequest, ArpOp::kReply}) {
    const auto size = buildGratuitousArp(buf, op, mac("02:00:00:00:00:0a"), ip("192.0.2.100"));
    const auto parsed = parseFrame({buf.data(), size});
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->ethernet.dst.isBroadcast());
    EXPECT_EQ(parsed->arp.op, op);
    EXPECT_EQ(parsed->arp.senderIp, ip("192.0.2.100"));
    EXPECT_EQ(parsed->arp.targetIp, ip("192.0.2.100"));
    EXPECT_EQ(parsed->arp.targetMac,
              op == ArpOp::kReply ? net::MacAddress::broadcast() : net::MacAddress());
  }
}

TEST(DropReason, EveryReasonHasAUniqueName) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kDropReasonCount; ++i)
    names.insert(dropReasonName(static_cast<DropReason>(i)));
  EXPECT_EQ(names.size(), kDropReasonCount);
  EXPECT_EQ(names.count("unknown"), 0u);
}

}  // namespace
}  // namespace ironlb::wire
