#include "common/net/ip_address.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace ironlb::net {
namespace {

struct RoundTrip {
  const char* input;
  const char* canonical;
};

TEST(IpAddressTest, ParsesAndFormatsCanonically) {
  const RoundTrip cases[] = {
      {"0.0.0.0", "0.0.0.0"},
      {"192.0.2.1", "192.0.2.1"},
      {"255.255.255.255", "255.255.255.255"},
      {"::", "::"},
      {"::1", "::1"},
      {"1::", "1::"},
      {"2001:DB8::1", "2001:db8::1"},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // first of equal runs
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // single zero group not compressed
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // longest run wins
      {"2001:db8::192.0.2.33", "2001:db8::c000:221"},
      {"::192.0.2.1", "::c000:201"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
      {"fe80::1:2", "fe80::1:2"},
  };
  for (const auto& c : cases) {
    auto ip = IpAddress::parse(c.input);
    ASSERT_TRUE(ip.ok()) << c.input << ": " << ip.error();
    EXPECT_EQ(ip->toString(), c.canonical) << c.input;
    auto again = IpAddress::parse(ip->toString());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *ip);
  }
}

struct Rejected {
  const char* input;
  const char* reasonFragment;
};

TEST(IpAddressTest, RejectsBadText) {
  const Rejected cases[] = {
      {"", "empty"},
      {"192.0.2", "four"},
      {"192.0.2.1.5", "unexpected"},
      {"192.0.2.256", "out of range"},
      {"192.0.2.01", "leading zero"},
      {"010.0.2.1", "leading zero"},
      {"1234.0.0.1", "out of range"},
      {" 192.0.2.1", "decimal octet"},
      {"192.0.2.1 ", "unexpected"},
      {"192.0.2.-1", "decimal octet"},
      {"192.0.2.", "decimal octet"},
      {"fe80::1%eth0", "zone"},
      {"2001:db8::1::2", "only once"},
      {":1:2:3:4:5:6:7", "single ':'"},
      {"1:2:3:4:5:6:7:", "single ':'"},
      {"1:2:3:4:5:6:7", "eight groups"},
      {"1:2:3:4:5:6:7:8:9", "too many"},
      {"1:2:3:4::5:6:7:8", "at least one group"},
      {"12345::1", "four hex digits"},
      {"2001:db8::g", "invalid character"},
      {"::ffff:192.0.2.1", "IPv4-mapped"},
      {"1.2.3.4::", "embedded IPv4 must be the last"},
      {"1:2:3:4:5:6:7:1.2.3.4", "too many"},
      {"[2001:db8::1]", "invalid character"},
      {"192.0.2.1/32", "unexpected"},
      {"abc", "decimal octet"},
  };
  for (const auto& c : cases) {
    auto ip = IpAddress::parse(c.input);
    ASSERT_FALSE(ip.ok()) << "accepted: " << c.input;
    EXPECT_NE(ip.error().find(c.reasonFragment), std::string::npos)
        << c.input << " -> " << ip.error();
    EXPECT_NE(ip.error().find(std::string("\"") + c.input + "\""), std::string::npos)
        << "error must quote the input: " << ip.error();
  }
}

TEST(IpAddressTest, OrdersV4BeforeV6ThenNumerically) {
  const auto a = *IpAddress::parse("192.0.2.1");
  const auto b = *IpAddress::parse("192.0.2.2");
  const auto c = *IpAddress::parse("::1");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(IpAddress::v4(1), IpAddress::v6(1));
}

TEST(IpAddressTest, StepsAndStopsAtFamilyEdges) {
  EXPECT_EQ(IpAddress::parse("192.0.2.255")->next()->toString(), "192.0.3.0");
  EXPECT_FALSE(IpAddress::parse("255.255.255.255")->next().has_value());
  EXPECT_FALSE(IpAddress::parse("0.0.0.0")->prev().has_value());
  EXPECT_FALSE(IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")->next().has_value());
  EXPECT_EQ(IpAddress::parse("2001:db8::ffff:ffff:ffff:ffff")->next()->toString(),
            "2001:db8:0:1::");
  EXPECT_EQ(IpAddress::parse("10.0.0.0")->plus(U128{1} << 24)->toString(), "11.0.0.0");
  EXPECT_FALSE(IpAddress::parse("255.0.0.0")->plus(U128{1} << 24).has_value());
  EXPECT_EQ(distance(*IpAddress::parse("2001:db8::"), *IpAddress::parse("2001:db8::1:0")),
            U128{0x10000});
}

TEST(IpAddressTest, BytesRoundTrip) {
  const auto v6 = *IpAddress::parse("2001:db8::abcd:1");
  uint8_t buf[16];
  ASSERT_EQ(v6.toBytes(buf), 16u);
  EXPECT_EQ(buf[0], 0x20);
  EXPECT_EQ(buf[15], 0x01);
  EXPECT_EQ(IpAddress::fromV6Bytes(buf), v6);
  const auto v4 = *IpAddress::parse("198.51.100.7");
  ASSERT_EQ(v4.toBytes(buf), 4u);
  EXPECT_EQ(buf[0], 198);
  EXPECT_EQ(buf[3], 7);
  EXPECT_EQ(IpAddress::fromV4Bytes(buf), v4);
}

TEST(IpAddressTest, BuggyV4IsLastOctetZeroOr255) {
  EXPECT_TRUE(IpAddress::parse("192.0.2.0")->isBuggyV4());
  EXPECT_TRUE(IpAddress::parse("192.0.2.255")->isBuggyV4());
  EXPECT_FALSE(IpAddress::parse("192.0.2.1")->isBuggyV4());
  EXPECT_FALSE(IpAddress::parse("2001:db8::ff")->isBuggyV4());
  EXPECT_FALSE(IpAddress::parse("2001:db8::")->isBuggyV4());
}

TEST(IpAddressTest, HashSeparatesFamiliesAndNeighbours) {
  std::unordered_set<IpAddress> set;
  for (uint32_t i = 0; i < 1000; ++i) {
    set.insert(IpAddress::v4(0xc0000200u + i));
    set.insert(IpAddress::v6(i));
  }
  EXPECT_EQ(set.size(), 2000u);
  EXPECT_NE(IpAddressHash{}(IpAddress::v4(1)), IpAddressHash{}(IpAddress::v6(1)));
}

TEST(IpAddressTest, FormatToNeedsNoAllocationAndFitsLongestForm) {
  char buf[IpAddress::kMaxTextLength];
  const auto ip = IpAddress::v6((U128{0xffff} << 32) | 0xffffffffu);  // mapped, longest dotted
  const std::size_t n = ip.formatTo(buf);
  EXPECT_STREQ(buf, "::ffff:255.255.255.255");
  EXPECT_EQ(n, std::string_view(buf).size());
  const auto full = IpAddress::v6(kU128Max);
  EXPECT_EQ(full.formatTo(buf), 39u);
}

}  // namespace
}  // namespace ironlb::net
