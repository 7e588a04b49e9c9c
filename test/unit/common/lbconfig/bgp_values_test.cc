#include "common/lbconfig/bgp_values.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

int64_t ms(std::string_view text) {
  auto r = parseGoDurationMs(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error();
  return r.ok() ? *r : -1;
}

std::string durationError(std::string_view text) {
  auto r = parseGoDurationMs(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << *r;
  return r.ok() ? "" : r.error();
}

TEST(GoDurationTest, FormsKubernetesWrites) {
  EXPECT_EQ(ms("0"), 0);
  EXPECT_EQ(ms("0s"), 0);
  EXPECT_EQ(ms("90s"), 90'000);
  EXPECT_EQ(ms("1m30s"), 90'000);
  EXPECT_EQ(ms("1h"), 3'600'000);
  EXPECT_EQ(ms("250ms"), 250);
  EXPECT_EQ(ms("1.5s"), 1'500);
  EXPECT_EQ(ms(".5s"), 500);
  EXPECT_EQ(ms("2000us"), 2);
  EXPECT_EQ(ms("2000\u00b5s"), 2);
  EXPECT_EQ(ms("3000000ns"), 3);
}

TEST(GoDurationTest, RefusesWhatIsNotADuration) {
  EXPECT_NE(durationError("").find("empty"), std::string::npos);
  EXPECT_NE(durationError("-1s").find("negative"), std::string::npos);
  EXPECT_NE(durationError("90").find("missing unit"), std::string::npos);
  EXPECT_NE(durationError("90x").find("unknown unit"), std::string::npos);
  EXPECT_NE(durationError("s").find("number must come before"), std::string::npos);
  EXPECT_NE(durationError("1500us").find("finer than a millisecond"), std::string::npos);
  EXPECT_NE(durationError("99999999999999h").find("too large"), std::string::npos);
  EXPECT_NE(durationError("1000000h1000000h").find("too large"), std::string::npos);
  EXPECT_NE(durationError("1 s").find("unknown unit"), std::string::npos);
}

TEST(CommunityValueTest, StandardAndLarge) {
  auto s = parseCommunity("65535:65282");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(std::get<StandardCommunity>(*s), (StandardCommunity{65535, 65282}));
  EXPECT_EQ(formatCommunity(*s), "65535:65282");
  EXPECT_FALSE(isLarge(*s));

  auto l = parseCommunity("large:4294967295:0:7");
  ASSERT_TRUE(l.ok()) << l.error();
  EXPECT_EQ(std::get<LargeCommunity>(*l), (LargeCommunity{4294967295u, 0, 7}));
  EXPECT_EQ(formatCommunity(*l), "4294967295:0:7");
  EXPECT_TRUE(isLarge(*l));
}

TEST(CommunityValueTest, RefusesMalformed) {
  for (const char* text :
       {"65536:1", "1:65536", "1", "1:2:3", "a:b", ":1", "1:", "-1:2", "large:1:2", "large:1:2:3:4",
        "large:4294967296:0:0", "large:x:1:2", "no-advertise", ""}) {
    EXPECT_FALSE(parseCommunity(text).ok()) << text;
  }
}

TEST(AsnTest, Range) {
  EXPECT_FALSE(validAsn(0));
  EXPECT_TRUE(validAsn(1));
  EXPECT_TRUE(validAsn(64512));
  EXPECT_TRUE(validAsn(4294967295));
  EXPECT_FALSE(validAsn(4294967296));
  EXPECT_FALSE(validAsn(-1));
}

}  // namespace
}  // namespace ironlb::lbconfig
