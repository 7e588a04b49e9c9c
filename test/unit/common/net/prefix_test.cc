#include "common/net/prefix.h"

#include <gtest/gtest.h>

#include "common/net/ip_range.h"

namespace ironlb::net {
namespace {

struct PrefixCase {
  const char* input;
  const char* canonical;
  const char* first;
  const char* last;
  bool hostBits;
};

TEST(PrefixTest, ParsesMasksAndReportsBounds) {
  const PrefixCase cases[] = {
      {"192.0.2.0/24", "192.0.2.0/24", "192.0.2.0", "192.0.2.255", false},
      {"192.168.2.130/28", "192.168.2.128/28", "192.168.2.128", "192.168.2.143", true},
      {"192.0.2.7/32", "192.0.2.7/32", "192.0.2.7", "192.0.2.7", false},
      {"0.0.0.0/0", "0.0.0.0/0", "0.0.0.0", "255.255.255.255", false},
      {"10.1.2.3/0", "0.0.0.0/0", "0.0.0.0", "255.255.255.255", true},
      {"2001:db8::/64", "2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", false},
      {"2001:db8::1/128", "2001:db8::1/128", "2001:db8::1", "2001:db8::1", false},
      {"::/0", "::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2001:db8::5/126", "2001:db8::4/126", "2001:db8::4", "2001:db8::7", true},
  };
  for (const auto& c : cases) {
    auto p = Prefix::parse(c.input);
    ASSERT_TRUE(p.ok()) << c.input << ": " << p.error();
    EXPECT_EQ(p->prefix.toString(), c.canonical);
    EXPECT_EQ(p->prefix.first().toString(), c.first);
    EXPECT_EQ(p->prefix.last().toString(), c.last);
    EXPECT_EQ(p->hostBitsSet, c.hostBits) << c.input;
  }
}

TEST(PrefixTest, RejectsBadText) {
  const char* cases[] = {"192.0.2.0",     "192.0.2.0/",           "192.0.2.0/33",
                         "192.0.2.0/024", "192.0.2.0/-1",         "192.0.2.0/2x",
                         "/24",           "2001:db8::/129",       "2001:db8::/ 64",
                         "192.0.2.0/24 ", "192.0.2.0/99999999999"};
  for (const char* c : cases) {
    auto p = Prefix::parse(c);
    EXPECT_FALSE(p.ok()) << "accepted: " << c;
    if (!p.ok()) {
      EXPECT_NE(p.error().find(c), std::string::npos) << p.error();
    }
  }
}

TEST(PrefixTest, SizesAreExactForEveryLength) {
  EXPECT_EQ(Prefix::parse("192.0.2.0/24")->prefix.size().toString(), "256");
  EXPECT_EQ(Prefix::parse("0.0.0.0/0")->prefix.size().toString(), "4294967296");
  EXPECT_EQ(Prefix::parse("2001:db8::/64")->prefix.size().toString(), "18446744073709551616");
  EXPECT_EQ(Prefix::parse("::/0")->prefix.size().toString(),
            "340282366920938463463374607431768211456");
  EXPECT_TRUE(Prefix::parse("::/0")->prefix.size().isAll128());
  EXPECT_EQ(Prefix::parse("::/1")->prefix.size().toString(),
            "170141183460469231731687303715884105728");
}

TEST(PrefixTest, Contains) {
  const auto p = Prefix::parse("198.51.100.0/25")->prefix;
  EXPECT_TRUE(p.contains(*IpAddress::parse("198.51.100.127")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("198.51.100.128")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("::")));
  EXPECT_TRUE(p.contains(Prefix::parse("198.51.100.64/26")->prefix));
  EXPECT_FALSE(p.contains(Prefix::parse("198.51.100.0/24")->prefix));
  EXPECT_TRUE(Prefix::parse("::/0")->prefix.contains(*IpAddress::parse("2001:db8::1")));
  EXPECT_FALSE(Prefix::parse("0.0.0.0/0")->prefix.contains(*IpAddress::parse("2001:db8::1")));
}

}  // namespace
}  // namespace ironlb::net
