#include "common/net/ip_range.h"

#include <gtest/gtest.h>

#include <random>

namespace ironlb::net {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

TEST(IpRangeTest, ParsesWithWhitespaceAroundEnds) {
  const struct {
    const char* input;
    const char* canonical;
    const char* size;
  } cases[] = {
      {"192.0.2.10-192.0.2.20", "192.0.2.10-192.0.2.20", "11"},
      {" 192.0.2.10 - 192.0.2.20 ", "192.0.2.10-192.0.2.20", "11"},
      {"\t192.0.2.10\t-\t192.0.2.10\n", "192.0.2.10-192.0.2.10", "1"},
      {"2001:db8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff", "255"},
      {"0.0.0.0-255.255.255.255", "0.0.0.0-255.255.255.255", "4294967296"},
      {":: - ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
       "340282366920938463463374607431768211456"},
  };
  for (const auto& c : cases) {
    auto r = IpRange::parse(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error();
    EXPECT_EQ(r->toString(), c.canonical);
    EXPECT_EQ(r->size().toString(), c.size);
  }
}

TEST(IpRangeTest, RejectsInvertedMixedAndMalformed) {
  const struct {
    const char* input;
    const char* fragment;
  } cases[] = {
      {"192.0.2.20-192.0.2.10", "inverted"},
      {"192.0.2.1-2001:db8::1", "mixes IPv4 and IPv6"},
      {"192.0.2.1-", "empty"},
      {"-192.0.2.1", "empty"},
      {"192.0.2.1", "expected \"first-last\""},
      {"192.0.2.1-192.0.2.2-192.0.2.3", "192.0.2.2-192.0.2.3"},
      {"192.0.2.01-192.0.2.3", "leading zero"},
      {"fe80::1%eth0-fe80::2", "zone"},
  };
  for (const auto& c : cases) {
    auto r = IpRange::parse(c.input);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.input;
    EXPECT_NE(r.error().find(c.fragment), std::string::npos) << c.input << " -> " << r.error();
  }
}

TEST(IpRangeTest, OverlapAndTouch) {
  const auto a = *IpRange::parse("192.0.2.0-192.0.2.10");
  EXPECT_TRUE(a.overlaps(*IpRange::parse("192.0.2.10-192.0.2.20")));   // shares one address
  EXPECT_FALSE(a.overlaps(*IpRange::parse("192.0.2.11-192.0.2.20")));  // touching only
  EXPECT_TRUE(a.overlaps(*IpRange::parse("192.0.1.0-192.0.3.0")));     // contains
  EXPECT_FALSE(a.overlaps(*IpRange::parse("::-::ffff")));              // other family
  EXPECT_TRUE(a.contains(ip("192.0.2.10")));
  EXPECT_FALSE(a.contains(ip("192.0.2.11")));
}

TEST(IpRangeTest, SummarisesToMinimalPrefixes) {
  const struct {
    const char* range;
    std::vector<std::string> prefixes;
  } cases[] = {
      {"192.0.2.0-192.0.2.255", {"192.0.2.0/24"}},
      {"192.0.2.1-192.0.2.1", {"192.0.2.1/32"}},
      {"192.0.2.1-192.0.2.6", {"192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6/32"}},
      {"192.0.2.0-192.0.3.1", {"192.0.2.0/24", "192.0.3.0/31"}},
      {"0.0.0.0-255.255.255.255", {"0.0.0.0/0"}},
      {"255.255.255.254-255.255.255.255", {"255.255.255.254/31"}},
      {"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", {"::/0"}},
      {"::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", {}},  // checked by property below
      {"2001:db8::-2001:db8::1:0", {"2001:db8::/112", "2001:db8::1:0/128"}},
  };
  for (const auto& c : cases) {
    const auto r = *IpRange::parse(c.range);
    const auto got = r.toPrefixes();
    if (!c.prefixes.empty()) {
      std::vector<std::string> text;
      for (const auto& p : got)
        text.push_back(p.toString());
      EXPECT_EQ(text, c.prefixes) << c.range;
    } else {
      EXPECT_EQ(got.size(), 128u) << c.range;  // ::1/128, ::2/127, ... 8000::/1
    }
  }
}

// Property: the prefixes tile the range exactly (contiguous, in order, nothing outside) and the
// range of a prefix summarises back to that one prefix.
TEST(IpRangeTest, SummaryTilesRandomRangesExactly) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const bool v6 = (i % 2) != 0;
    U128 a, b;
    if (v6) {
      a = makeU128(rng(), rng());
      b = a + (rng() >> (rng() % 64));
      if (b < a) b = kU128Max;
    } else {
      a = rng() & 0xffffffffu;
      b = a + (rng() >> (32 + rng() % 32));
      if (b > 0xffffffffu) b = 0xffffffffu;
    }
    const Family f = v6 ? Family::kV6 : Family::kV4;
    const IpRange r(IpAddress::fromValue(f, a), IpAddress::fromValue(f, b));
    const auto prefixes = r.toPrefixes();
    ASSERT_FALSE(prefixes.empty());
    EXPECT_EQ(prefixes.front().first(), r.first());
    EXPECT_EQ(prefixes.back().last(), r.last());
    AddressCount total;
    for (std::size_t k = 0; k < prefixes.size(); ++k) {
      total += prefixes[k].size();
      if (k > 0) {
        EXPECT_EQ(prefixes[k - 1].last().next(), prefixes[k].first());
      }
    }
    EXPECT_EQ(total, r.size());
    EXPECT_LE(prefixes.size(), static_cast<std::size_t>(2 * r.first().bits()));
    for (const auto& p : prefixes) {
      const auto back = p.range().toPrefixes();
      ASSERT_EQ(back.size(), 1u);
      EXPECT_EQ(back[0], p);
    }
  }
}

}  // namespace
}  // namespace ironlb::net
