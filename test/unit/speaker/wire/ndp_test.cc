#include "speaker/wire/ndp.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "speaker/wire/bytes.h"
#include "speaker/wire/frame.h"
#include "test/unit/speaker/wire/test_frames.h"

namespace ironlb::wire {
namespace {

using testing::ip;
using testing::mac;

std::vector<uint8_t> fromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Made with scapy: NS for 2001:db8:1::100 from 2001:db8:1::1 with SLLAO 02:00:00:00:00:01, and
// the solicited NA (S=1, O=0, TLLAO 02:00:00:00:00:0a) we should send back.
const std::string kScapyNs =
    "3333ff00010002000000000186dd6000000000203aff20010db8000100000000000000000001ff020000000000"
    "0000000001ff00010087001a290000000020010db80001000000000000000001000101020000000001";
const std::string kScapyNa =
    "02000000000102000000000a86dd6000000000203aff20010db800010000000000000000010020010db8000100"
    "0000000000000000018800a86a4000000020010db8000100000000000000000100020102000000000a";

constexpr std::size_t kIp = 14;         // IPv6 header offset
constexpr std::size_t kIcmp = 14 + 40;  // ICMPv6 offset

// Recomputes the ICMPv6 checksum after a mutation, so the test reaches the check it targets.
void fixChecksum(std::vector<uint8_t>& f) {
  const std::size_t len = load16(&f[kIp + 4]);
  if (f.size() < kIcmp + len || len < 4) return;
  store16(&f[kIcmp + 2], 0);
  uint32_t sum = checksumAdd(0, {&f[kIp + 8], 32});
  uint8_t tail[8] = {0, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0, 0, 58};
  sum = checksumAdd(sum, tail);
  sum = checksumAdd(sum, {&f[kIcmp], len});
  store16(&f[kIcmp + 2], checksumFinish(sum));
}

TEST(Ndp, ParsesScapyNeighborSolicitation) {
  const auto bytes = fromHex(kScapyNs);
  const auto frame = parseFrame(bytes);
  ASSERT_TRUE(frame.ok()) << dropReasonName(frame.reason());
  EXPECT_EQ(frame->kind, Frame::Kind::kNdp);
  EXPECT_EQ(frame->ndp.type, NdpType::kNeighborSolicitation);
  EXPECT_EQ(frame->ndp.src, ip("2001:db8:1::1"));
  EXPECT_EQ(frame->ndp.dst, ip("ff02::1:ff00:100"));
  EXPECT_EQ(frame->ndp.target, ip("2001:db8:1::100"));
  EXPECT_EQ(frame->ndp.linkLayerAddress, mac("02:00:00:00:00:01"));
  EXPECT_FALSE(frame->ndp.isDadProbe());
}

TEST(Ndp, BuildsTheAdvertisementScapyBuilds) {
  std::array<uint8_t, kNdpFrameSize> buf{};
  const auto size = buildNeighborAdvertisement(
      buf, mac("02:00:00:00:00:01"), mac("02:00:00:00:00:0a"), ip("2001:db8:1::100"),
      ip("2001:db8:1::1"), ip("2001:db8:1::100"), {.solicited = true}, mac("02:00:00:00:00:0a"));
  EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(size)),
            fromHex(kScapyNa));
  const auto parsed = parseFrame({buf.data(), size});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->ndp.solicited);
  EXPECT_FALSE(parsed->ndp.override);
  EXPECT_EQ(parsed->ndp.linkLayerAddress, mac("02:00:00:00:00:0a"));
}

TEST(Ndp, BuildsSolicitationsIncludingDad) {
  std::array<uint8_t, kNdpFrameSize> buf{};
  auto size =
      buildNeighborSolicitation(buf, mac("33:33:ff:00:01:00"), mac("02:00:00:00:00:01"),
                                ip("2001:db8:1::1"), ip("ff02::1:ff00:100"), ip("2001:db8:1::100"));
  EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(size)),
            fromHex(kScapyNs));
  size = buildNeighborSolicitation(buf, mac("33:33:ff:00:01:00"), mac("02:00:00:00:00:01"),
                                   ip("::"), ip("ff02::1:ff00:100"), ip("2001:db8:1::100"));
  const auto dad = parseFrame({buf.data(), size});
  ASSERT_TRUE(dad.ok()) << dropReasonName(dad.reason());
  EXPECT_TRUE(dad->ndp.isDadProbe());
  EXPECT_FALSE(dad->ndp.linkLayerAddress.has_value());
}

TEST(Ndp, MulticastHelpers) {
  EXPECT_EQ(solicitedNodeMulticast(ip("2001:db8:1::abcd:1234")), ip("ff02::1:ffcd:1234"));
  EXPECT_EQ(ipv6MulticastMac(ip("ff02::1:ffcd:1234")), mac("33:33:ff:cd:12:34"));
  EXPECT_EQ(ipv6MulticastMac(kAllNodes), mac("33:33:00:00:00:01"));
  EXPECT_TRUE(isMulticastV6(ip("ff02::1")));
  EXPECT_FALSE(isMulticastV6(ip("2001:db8::1")));
}

struct Case {
  const char* name;
  const std::string* base;
  std::function<void(std::vector<uint8_t>&)> mutate;
  bool fixChecksum;
  DropReason expected;
};

TEST(Ndp, RejectsPerRfc4861) {
  auto setTarget = [](std::vector<uint8_t>& f, const char* text) {
    ip(text).toBytes(&f[kIcmp + 8]);
  };
  auto setSrc = [](std::vector<uint8_t>& f, const char* text) { ip(text).toBytes(&f[kIp + 8]); };
  auto setDst = [](std::vector<uint8_t>& f, const char* text) { ip(text).toBytes(&f[kIp + 24]); };
  const Case cases[] = {
      {"ipv6 truncated", &kScapyNs, [](auto& f) { f.resize(kIp + 39); }, false,
       DropReason::kIpv6Truncated},
      {"ipv6 version 4", &kScapyNs, [](auto& f) { f[kIp] = 0x40; }, false,
       DropReason::kIpv6BadVersion},
      {"payload length beyond frame", &kScapyNs, [](auto& f) { f[kIp + 5] = 33; }, false,
       DropReason::kIpv6BadPayloadLength},
      {"frame cut inside options", &kScapyNs, [](auto& f) { f.resize(f.size() - 4); }, false,
       DropReason::kIpv6BadPayloadLength},
      {"hop-by-hop header", &kScapyNs, [](auto& f) { f[kIp + 6] = 0; }, false,
       DropReason::kIpv6NotIcmpv6},
      {"udp", &kScapyNs, [](auto& f) { f[kIp + 6] = 17; }, false, DropReason::kIpv6NotIcmpv6},
      {"icmp truncated", &kScapyNs, [](auto& f) { f[kIp + 5] = 3; }, false,
       DropReason::kIcmpv6Truncated},
      {"echo request", &kScapyNs, [](auto& f) { f[kIcmp] = 128; }, true, DropReason::kIcmpv6NotNdp},
      {"router advertisement", &kScapyNs, [](auto& f) { f[kIcmp] = 134; }, true,
       DropReason::kIcmpv6NotNdp},
      {"hop limit 64", &kScapyNs, [](auto& f) { f[kIp + 7] = 64; }, false,
       DropReason::kNdpBadHopLimit},
      {"code 1", &kScapyNs, [](auto& f) { f[kIcmp + 1] = 1; }, true, DropReason::kNdpBadCode},
      {"bad checksum", &kScapyNs, [](auto& f) { f[kIcmp + 3] ^= 0xff; }, false,
       DropReason::kNdpBadChecksum},
      {"flipped target bit", &kScapyNs, [](auto& f) { f[kIcmp + 23] ^= 1; }, false,
       DropReason::kNdpBadChecksum},
      {"icmp length 16", &kScapyNs,
       [](auto& f) {
         f[kIp + 5] = 16;
         f.resize(kIcmp + 16);
       },
       true, DropReason::kNdpBadLength},
      {"multicast target", &kScapyNs,
       [&](auto& f) {
         setTarget(f, "ff02::1");
         setDst(f, "ff02::1:ff00:1");
       },
       true, DropReason::kNdpTargetMulticast},
      {"multicast source", &kScapyNs, [&](auto& f) { setSrc(f, "ff02::1"); }, true,
       DropReason::kNdpSourceMulticast},
      {"option length 0", &kScapyNs, [](auto& f) { f[kIcmp + 25] = 0; }, true,
       DropReason::kNdpBadOption},
      {"option past the end", &kScapyNs, [](auto& f) { f[kIcmp + 25] = 2; }, true,
       DropReason::kNdpBadOption},
      {"dad probe with sllao", &kScapyNs, [&](auto& f) { setSrc(f, "::"); }, true,
       DropReason::kNdpDadWithSllao},
      {"dad probe to all-nodes", &kScapyNs,
       [&](auto& f) {
         setSrc(f, "::");
         setDst(f, "ff02::1");
       },
       true, DropReason::kNdpDadBadDestination},
      {"ns to another group", &kScapyNs, [&](auto& f) { setDst(f, "ff02::1:ff00:200"); }, true,
       DropReason::kNdpNotForUs},
      {"ns unicast to another address", &kScapyNs, [&](auto& f) { setDst(f, "2001:db8:1::7"); },
       true, DropReason::kNdpNotForUs},
      {"solicited na to multicast", &kScapyNa, [&](auto& f) { setDst(f, "ff02::1"); }, true,
       DropReason::kNdpSolicitedToMulticast},
  };
  for (const auto& c : cases) {
    auto bytes = fromHex(*c.base);
    c.mutate(bytes);
    if (c.fixChecksum) fixChecksum(bytes);
    const auto parsed = parseFrame(bytes);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.reason(), c.expected) << c.name << ": " << dropReasonName(parsed.reason());
  }
}

TEST(Ndp, AcceptsUnicastNudAndUnknownOptions) {
  auto bytes = fromHex(kScapyNs);
  ip("2001:db8:1::100").toBytes(&bytes[kIp + 24]);  // unicast NS to the target (NUD)
  fixChecksum(bytes);
  EXPECT_TRUE(parseFrame(bytes).ok());

  bytes = fromHex(kScapyNs);
  bytes[kIcmp + 24] = 14;  // nonce option (RFC 3971): ignored, as §7.1 requires
  fixChecksum(bytes);
  const auto parsed = parseFrame(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->ndp.linkLayerAddress.has_value());
}

}  // namespace
}  // namespace ironlb::wire
