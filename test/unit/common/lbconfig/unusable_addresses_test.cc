#include "common/lbconfig/unusable_addresses.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

net::IpAddress ip(std::string_view text) {
  return *net::IpAddress::parse(text);
}

net::IpRange range(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return net::Prefix::parse(text)->prefix.range();
  return *net::IpRange::parse(text);
}

std::vector<std::string> texts(const std::vector<net::IpRange>& ranges) {
  std::vector<std::string> out;
  for (const auto& r : ranges)
    out.push_back(r.toString());
  return out;
}

TEST(UnusableAddressesTest, BlocksAreSortedAndDisjoint) {
  const auto blocks = unusableBlocks();
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_LT(blocks[i - 1].prefix.range().last(), blocks[i].prefix.range().first())
        << blocks[i].prefix.toString();
  }
}

TEST(UnusableAddressesTest, ClassifiesAddresses) {
  const struct {
    const char* ip;
    const char* why;  // nullptr: usable
  } cases[] = {
      {"0.0.0.0",
       "0.0.0.0 is a \"this network\" address (0.0.0.0/8), which no host can use as a Service "
       "address"},
      {"0.255.255.255",
       "0.255.255.255 is a \"this network\" address (0.0.0.0/8), which no host "
       "can use as a Service address"},
      {"1.0.0.0", nullptr},
      {"126.255.255.255", nullptr},
      {"127.0.0.1",
       "127.0.0.1 is a loopback address (127.0.0.0/8), which no host can use as a Service address"},
      {"128.0.0.0", nullptr},
      {"169.254.0.1",
       "169.254.0.1 is a link-local address (169.254.0.0/16), which no host can use "
       "as a Service address"},
      {"169.253.255.255", nullptr},
      {"169.255.0.0", nullptr},
      {"223.255.255.255", nullptr},
      {"224.0.0.1",
       "224.0.0.1 is a multicast address (224.0.0.0/4), which no host can use as a "
       "Service address"},
      {"239.255.255.255",
       "239.255.255.255 is a multicast address (224.0.0.0/4), which no host can "
       "use as a Service address"},
      {"240.0.0.1", nullptr},
      {"255.255.255.254", nullptr},
      {"255.255.255.255",
       "255.255.255.255 is the limited broadcast address, which no host can use as a Service "
       "address"},
      {"192.0.2.0",
       nullptr},  // network and broadcast of a prefix are usable (controller/allocator/README.md)
      {"::", ":: is the unspecified address, which no host can use as a Service address"},
      {"::1", "::1 is the loopback address, which no host can use as a Service address"},
      {"::2", nullptr},
      {"fe80::1",
       "fe80::1 is a link-local address (fe80::/10), which no host can use as a "
       "Service address"},
      {"febf:ffff::",
       "febf:ffff:: is a link-local address (fe80::/10), which no host can use as a "
       "Service address"},
      {"fec0::", nullptr},
      {"ff02::1",
       "ff02::1 is a multicast address (ff00::/8), which no host can use as a Service "
       "address"},
      {"2001:db8::1", nullptr},
  };
  for (const auto& c : cases) {
    const auto why = whyUnusable(ip(c.ip));
    if (c.why == nullptr) {
      EXPECT_FALSE(why.has_value()) << c.ip << ": " << why.value_or("");
    } else {
      EXPECT_EQ(why.value_or("usable"), c.why) << c.ip;
    }
  }
  // IPv4-mapped values cannot be parsed from text; a range over them still holds them.
  EXPECT_STREQ(unusableBlockOf(net::IpAddress::v6(net::makeU128(0, 0xffffc0000201)))->label.data(),
               "IPv4-mapped");
}

TEST(UnusableAddressesTest, SplitsRangesAroundUnusableBlocks) {
  const struct {
    const char* range;
    std::vector<std::string> usable;
    std::vector<std::string> excluded;
  } cases[] = {
      {"192.0.2.0/24", {"192.0.2.0-192.0.2.255"}, {}},
      {"0.0.0.0/0",
       {"1.0.0.0-126.255.255.255", "128.0.0.0-169.253.255.255", "169.255.0.0-223.255.255.255",
        "240.0.0.0-255.255.255.254"},
       {"0.0.0.0/8 (this network)", "127.0.0.0/8 (loopback)", "169.254.0.0/16 (link-local)",
        "224.0.0.0/4 (multicast)", "255.255.255.255 (limited broadcast)"}},
      {"127.0.0.0/8", {}, {"127.0.0.0/8 (loopback)"}},
      {"127.0.0.5-127.0.0.9", {}, {"127.0.0.5-127.0.0.9 (loopback)"}},
      {"127.255.255.0-128.0.0.255",
       {"128.0.0.0-128.0.0.255"},
       {"127.255.255.0-127.255.255.255 (loopback)"}},
      {"126.0.0.0-127.0.0.0", {"126.0.0.0-126.255.255.255"}, {"127.0.0.0 (loopback)"}},
      {"255.255.255.0/24",
       {"255.255.255.0-255.255.255.254"},
       {"255.255.255.255 (limited broadcast)"}},
      {"255.255.255.255/32", {}, {"255.255.255.255 (limited broadcast)"}},
      {"::/0",
       {"::2-::fffe:ffff:ffff", "::1:0:0:0-fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
       {":: (unspecified)", "::1 (loopback)", "::ffff:0.0.0.0/96 (IPv4-mapped)",
        "fe80::/10 (link-local)", "ff00::/8 (multicast)"}},
      {"::/127", {}, {":: (unspecified)", "::1 (loopback)"}},
      {"::/126", {"::2-::3"}, {":: (unspecified)", "::1 (loopback)"}},
      {"2001:db8::/64", {"2001:db8::-2001:db8::ffff:ffff:ffff:ffff"}, {}},
  };
  for (const auto& c : cases) {
    const UsableParts parts = usableParts(range(c.range));
    EXPECT_EQ(texts(parts.usable), c.usable) << c.range;
    EXPECT_EQ(parts.excluded, c.excluded) << c.range;
  }
}

}  // namespace
}  // namespace ironlb::lbconfig
