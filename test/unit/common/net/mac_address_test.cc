#include "common/net/mac_address.h"

#include <gtest/gtest.h>

namespace ironlb::net {
namespace {

TEST(MacAddressTest, ParsesAndFormats) {
  EXPECT_EQ(MacAddress::parse("02:00:5E:10:00:01")->toString(), "02:00:5e:10:00:01");
  EXPECT_EQ(MacAddress::parse("02-00-5e-10-00-01")->toString(), "02:00:5e:10:00:01");
  EXPECT_TRUE(MacAddress::parse("ff:ff:ff:ff:ff:ff")->isBroadcast());
  EXPECT_TRUE(MacAddress::parse("33:33:ff:00:00:01")->isMulticast());
  EXPECT_FALSE(MacAddress::parse("02:00:5e:10:00:01")->isMulticast());
  EXPECT_TRUE(MacAddress().isZero());
}

TEST(MacAddressTest, Rejects) {
  for (const char* bad : {"", "02:00:5e:10:00", "02:00:5e:10:00:01:02", "02:00-5e:10:00:01",
                          "0g:00:5e:10:00:01", "02.00.5e.10.00.01", "0200:5e10:0001"}) {
    auto m = MacAddress::parse(bad);
    EXPECT_FALSE(m.ok()) << bad;
  }
}

}  // namespace
}  // namespace ironlb::net
