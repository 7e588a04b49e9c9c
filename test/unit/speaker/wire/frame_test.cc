#include "speaker/wire/frame.h"

#include <gtest/gtest.h>

#include <vector>

#include "speaker/wire/bytes.h"

namespace ironlb::wire {
namespace {

TEST(Frame, EmptyAndTinyFramesAreTruncated) {
  for (std::size_t n : {0u, 1u, 13u}) {
    std::vector<uint8_t> bytes(n, 0xff);
    const auto parsed = parseFrame(bytes);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.reason(), DropReason::kEthernetTruncated) << n;
  }
}

TEST(Frame, VlanTagNeedsFourMoreBytes) {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xa8};
  EXPECT_EQ(parseFrame(bytes).reason(), DropReason::kEthernetTruncated);
  bytes.insert(bytes.end(), {0, 100, 0x08, 0x06});
  EXPECT_EQ(parseFrame(bytes).reason(), DropReason::kVlanTagged);
}

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 §3 example bytes: 00 01 f2 03 f4 f5 f6 f7 -> sum 0xddf2, checksum 0x220d.
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksumFinish(checksumAdd(0, data)), 0x220d);
  const uint8_t odd[] = {0x01};
  EXPECT_EQ(checksumFinish(checksumAdd(0, odd)), 0xfeff);
}

}  // namespace
}  // namespace ironlb::wire
