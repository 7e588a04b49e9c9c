#include "common/k8s/base64.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

TEST(Base64Test, RoundTripsRfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(encodeBase64(plain), encoded);
    auto decoded = decodeBase64(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, IgnoresLineBreaks) {
  auto d = decodeBase64("Zm9v\nYmFy\r\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "foobar");
}

TEST(Base64Test, RejectsGarbage) {
  for (const char* bad : {"Zm9v!", "Zm9", "Zg==Zg==", "Z===", "-_-_"}) {
    EXPECT_FALSE(decodeBase64(bad)) << bad;
  }
}

TEST(Base64Test, BinaryBytesSurvive) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  auto d = decodeBase64(encodeBase64(all));
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, all);
}

}  // namespace
}  // namespace ironlb::k8s
