#include "common/lbconfig/pool_address.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace ironlb::lbconfig {
namespace {

TEST(PoolAddressTest, ParsesCidrsAndRanges) {
  const struct {
    const char* text;
    const char* range;
    bool isCidr;
    bool masked;
  } cases[] = {
      {"192.0.2.0/28", "192.0.2.0-192.0.2.15", true, false},
      {"192.0.2.130/28", "192.0.2.128-192.0.2.143", true, true},  // host bits: masked
      {"192.0.2.7/32", "192.0.2.7-192.0.2.7", true, false},
      {"0.0.0.0/0", "0.0.0.0-255.255.255.255", true, false},
      {"10.1.2.3/0", "0.0.0.0-255.255.255.255", true, true},
      {"2001:db8::/120", "2001:db8::-2001:db8::ff", true, false},
      {"2001:db8::1/128", "2001:db8::1-2001:db8::1", true, false},
      {"::/0", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, false},
      {"2001:db8::ff/120", "2001:db8::-2001:db8::ff", true, true},
      {" 192.0.2.0/28\t", "192.0.2.0-192.0.2.15", true, false},  // trimmed (MetalLB: error)
      {"192.0.2.10-192.0.2.20", "192.0.2.10-192.0.2.20", false, false},
      {" 192.0.2.10 - 192.0.2.20 ", "192.0.2.10-192.0.2.20", false, false},
      {"192.0.2.10-192.0.2.10", "192.0.2.10-192.0.2.10", false, false},
      {"2001:db8::1-2001:db8::5", "2001:db8::1-2001:db8::5", false, false},
  };
  for (const auto& c : cases) {
    auto r = parsePoolAddress(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error();
    EXPECT_EQ(r->range.toString(), c.range) << c.text;
    EXPECT_EQ(r->isCidr, c.isCidr) << c.text;
    EXPECT_EQ(r->hostBitsMasked, c.masked) << c.text;
  }
}

TEST(PoolAddressTest, RejectsMalformedEntries) {
  const struct {
    const char* text;
    const char* fragment;
  } cases[] = {
      {"", "empty address entry"},
      {"   ", "empty address entry"},
      {"192.0.2.0", "missing '/<prefix length>'"},
      {"192.0.2.0/33", "prefix length larger than 32"},
      {"2001:db8::/129", "prefix length larger than 128"},
      {"192.0.2.0/-1", "invalid range"},  // contains '-': read as a range, and fails as one
      {"192.0.2.0/", "empty prefix length"},
      {"192.0.2.0/08", "leading zero"},
      {"192.0.2.0/2x", "not a decimal number"},
      {"192.0.2.20-192.0.2.10", "inverted"},
      {"192.0.2.1-2001:db8::1", "mixes IPv4 and IPv6"},
      {"192.0.2.1-", "invalid range"},
      {"-", "invalid range"},
      {"192.0.2.1--192.0.2.5", "invalid range"},
      {"192.0.2.0/24-192.0.2.255", "invalid range"},
      {"256.0.0.0/8", "out of range"},
      {"pool-a", "invalid range"},
      {"fe80::1%eth0/64", "zone"},
      // The controller says what is wrong, like the CRD's message (issue 11).
      {"192.168.010.0/24",
       "invalid CIDR \"192.168.010.0/24\": invalid IP address \"192.168.010.0\": leading zero "
       "in IPv4 octet (ambiguous: octal or decimal)"},
      {"::ffff:192.0.2.0/120",
       "invalid CIDR \"::ffff:192.0.2.0/120\": invalid IP address \"::ffff:192.0.2.0\": "
       "IPv4-mapped IPv6 address is not allowed; write the IPv4 form"},
      {"\xe2\x98\x83/24", "invalid CIDR"},
  };
  for (const auto& c : cases) {
    auto r = parsePoolAddress(c.text);
    ASSERT_FALSE(r.ok()) << "accepted \"" << c.text << "\"";
    EXPECT_NE(r.error().find(c.fragment), std::string::npos) << c.text << " -> " << r.error();
  }
}

std::vector<net::IpRange> ranges(std::initializer_list<const char*> texts) {
  std::vector<net::IpRange> out;
  for (const char* t : texts)
    out.push_back(parsePoolAddress(t)->range);
  return out;
}

TEST(FindOverlapsTest, ReportsEachOverlapOnce) {
  const struct {
    std::vector<net::IpRange> input;
    std::vector<std::pair<std::size_t, std::size_t>> expected;  // (range, earlier)
  } cases[] = {
      {ranges({}), {}},
      {ranges({"192.0.2.0/28"}), {}},
      // Touching is fine.
      {ranges({"192.0.2.0-192.0.2.10", "192.0.2.11-192.0.2.20"}), {}},
      {ranges({"192.0.2.0/25", "192.0.2.128/25"}), {}},
      // Sharing one address is an overlap.
      {ranges({"192.0.2.0-192.0.2.10", "192.0.2.10-192.0.2.20"}), {{1, 0}}},
      // Containment, in either input order.
      {ranges({"192.0.2.0/24", "192.0.2.16/28"}), {{1, 0}}},
      {ranges({"192.0.2.16/28", "192.0.2.0/24"}), {{0, 1}}},
      // Identical entries.
      {ranges({"192.0.2.0/28", "192.0.2.0-192.0.2.15"}), {{1, 0}}},
      // A long range overlapping several later ones: each reported against the long one.
      {ranges({"192.0.2.0/24", "192.0.2.10/32", "192.0.2.20/32", "198.51.100.0/24"}),
       {{1, 0}, {2, 0}}},
      // Families never overlap each other, even for "equal" numbers.
      {ranges({"0.0.0.0/0", "::/0"}), {}},
      {ranges({"192.0.2.0/24", "::c000:200/120"}), {}},
      {ranges({"::/0", "2001:db8::/32", "0.0.0.0/0", "192.0.2.0/24"}), {{3, 2}, {1, 0}}},
  };
  for (const auto& c : cases) {
    std::vector<std::pair<std::size_t, std::size_t>> got;
    for (const Overlap& o : findOverlaps(c.input))
      got.emplace_back(o.range, o.earlier);
    EXPECT_EQ(got, c.expected);
  }
}

TEST(FindOverlapsTest, AgreesWithBruteForceOnRandomRanges) {
  // Property: the set of ranges reported equals the set of ranges that overlap some range
  // before them in (first, last, index) order, and each reported partner really overlaps.
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<net::IpRange> input;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const uint32_t a = 0xc0000200u + rng() % 200;
      const uint32_t b = a + rng() % 20;
      input.emplace_back(net::IpAddress::v4(a), net::IpAddress::v4(b));
    }
    std::vector<std::size_t> order(input.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return std::tie(input[x].first(), input[x].last(), x) <
             std::tie(input[y].first(), input[y].last(), y);
    });
    std::vector<bool> expected(input.size(), false);
    for (std::size_t i = 0; i < order.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (input[order[i]].overlaps(input[order[j]])) expected[order[i]] = true;
      }
    }
    std::vector<bool> got(input.size(), false);
    for (const Overlap& o : findOverlaps(input)) {
      EXPECT_FALSE(got[o.range]) << "reported twice";
      got[o.range] = true;
      EXPECT_TRUE(input[o.range].overlaps(input[o.earlier]));
      EXPECT_NE(o.range, o.earlier);
    }
    EXPECT_EQ(got, expected) << "round " << round;
  }
}

TEST(FindOverlapsTest, HundredThousandRangesIsNotQuadratic) {
  // 100,000 disjoint /32s plus one /8 covering all of them: every one overlaps the /8. A
  // quadratic check would do 5e9 comparisons; the sweep does 1e5. (Timing is not asserted;
  // the ctest timeout catches a regression to quadratic.)
  std::vector<net::IpRange> input;
  for (uint32_t i = 0; i < 100000; ++i) {
    const auto ip = net::IpAddress::v4(0x0a000001u + i * 3);
    input.emplace_back(ip, ip);
  }
  input.emplace_back(net::IpAddress::v4(0x0a000000u), net::IpAddress::v4(0x0affffffu));
  const auto overlaps = findOverlaps(input);
  EXPECT_EQ(overlaps.size(), 100000u);
  for (const auto& o : overlaps)
    EXPECT_EQ(o.earlier, 100000u);
}

}  // namespace
}  // namespace ironlb::lbconfig
