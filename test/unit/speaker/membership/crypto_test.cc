#include "speaker/membership/crypto.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <new>
#include <string>
#include <vector>

namespace ironlb::membership {
namespace {

std::string hex(std::span<const uint8_t> bytes) {
  std::string out;
  char buf[3];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

std::vector<uint8_t> repeat(uint8_t byte, std::size_t n) {
  return std::vector<uint8_t>(n, byte);
}

std::vector<uint8_t> bytes(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// RFC 4231 cases whose keys meet our 16-byte minimum; expected values recomputed
// independently with `openssl dgst -sha256 -mac HMAC -macopt hexkey:...`.
TEST(HmacKeyTest, MatchesRfc4231Vectors) {
  std::vector<uint8_t> key4;
  for (uint8_t i = 1; i <= 25; ++i)
    key4.push_back(i);
  struct Case {
    const char* name;
    std::vector<uint8_t> key;
    std::vector<uint8_t> data;
    const char* mac;
  };
  const Case cases[] = {
      {"tc1", repeat(0x0b, 20), bytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"tc3", repeat(0xaa, 20), repeat(0xdd, 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"tc4", key4, repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"tc6 (key longer than a block)", repeat(0xaa, 131),
       bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"tc7", repeat(0xaa, 131),
       bytes("This is a test using a larger than block-size key and a larger than block-size "
             "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& c : cases) {
    auto key = HmacKey::create(c.key);
    ASSERT_TRUE(key.ok()) << c.name;
    const Mac mac = key->sign(c.data);
    EXPECT_EQ(hex(mac), c.mac) << c.name;
    EXPECT_TRUE(key->verify(c.data, mac)) << c.name;
    Mac wrong = mac;
    wrong[31] ^= 1;
    EXPECT_FALSE(key->verify(c.data, wrong)) << c.name;
  }
}

TEST(HmacKeyTest, FingerprintIsLabelledHashOfKey) {
  // printf 'ironlb-membership-key<20 x 0x0b>' | sha256sum  ->  d9999ca3...
  auto key = HmacKey::create(repeat(0x0b, 20));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->fingerprint(), 0xd9999ca3u);
}

TEST(HmacKeyTest, RejectsShortKeys) {
  auto key = HmacKey::create(repeat(1, 15));
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().find("15 bytes is too short"), std::string::npos) << key.error();
  EXPECT_TRUE(HmacKey::create(repeat(1, 16)).ok());
}

TEST(KeyRingTest, ValidatesKeyCountAndDuplicates) {
  struct Case {
    const char* name;
    std::vector<std::vector<uint8_t>> keys;
    const char* error;  // nullptr: accepted
  };
  const Case cases[] = {
      {"none", {}, "none given"},
      {"one", {repeat(1, 32)}, nullptr},
      {"two", {repeat(1, 32), repeat(2, 32)}, nullptr},
      {"three", {repeat(1, 32), repeat(2, 32), repeat(3, 32)}, "at most 2"},
      {"duplicate", {repeat(1, 32), repeat(1, 32)}, "given twice"},
      {"second too short", {repeat(1, 32), repeat(2, 8)}, "membership key 1"},
  };
  for (const auto& c : cases) {
    auto ring = KeyRing::create(c.keys);
    if (c.error == nullptr) {
      EXPECT_TRUE(ring.ok()) << c.name << ": " << (ring.ok() ? "" : ring.error());
    } else {
      ASSERT_FALSE(ring.ok()) << c.name;
      EXPECT_NE(ring.error().find(c.error), std::string::npos) << c.name << ": " << ring.error();
    }
  }
}

TEST(KeyRingTest, FirstKeySignsAndEveryKeyIsFound) {
  auto a = HmacKey::create(repeat(1, 32));
  auto b = HmacKey::create(repeat(2, 32));
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<std::vector<uint8_t>> keys = {repeat(2, 32), repeat(1, 32)};
  auto ring = KeyRing::create(keys);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->signing().fingerprint(), b->fingerprint());
  ASSERT_NE(ring->find(a->fingerprint()), nullptr);
  ASSERT_NE(ring->find(b->fingerprint()), nullptr);
  EXPECT_EQ(ring->find(a->fingerprint() ^ 1), nullptr);
}

TEST(MemberIdTest, IsFirstEightBytesOfSha256) {
  // printf '%s' <name> | sha256sum | cut -c1-16
  EXPECT_EQ(memberIdOf("node-a"), 0x66570ff05a207404ull);
  EXPECT_EQ(memberIdOf("worker-1"), 0x13029f9e83d15b3dull);
  EXPECT_EQ(memberIdOf("node-0000"), 0x6cc2733cc949e338ull);
}

}  // namespace
}  // namespace ironlb::membership

namespace ironlb::membership {
namespace {

TEST(HmacKeyTest, KeyMaterialIsWipedOnDestruction) {
  // Issue 12 (membership, low): key-derived state must not linger in freed memory. The key is
  // copied into raw storage and destroyed there; the storage must hold no trace of it.
  const std::vector<uint8_t> secret(32, 0xa5);
  auto key = HmacKey::create(secret);
  ASSERT_TRUE(key.ok());
  alignas(HmacKey) unsigned char storage[sizeof(HmacKey)];
  auto* copy = new (storage) HmacKey(*key);
  const uint32_t fingerprint = copy->fingerprint();
  EXPECT_EQ(fingerprint, key->fingerprint());
  std::size_t nonZero = 0;
  for (unsigned char b : storage)
    nonZero += b != 0;
  ASSERT_GT(nonZero, 64u) << "the copy holds the hash states";
  copy->~HmacKey();
  // Only the fingerprint (public, on the wire) may remain.
  nonZero = 0;
  for (std::size_t i = 0; i < 2 * 112; ++i)
    nonZero += storage[i] != 0;
  EXPECT_EQ(nonZero, 0u);

  std::vector<uint8_t> bytes(secret);
  wipeBytes(bytes);
  EXPECT_EQ(bytes, std::vector<uint8_t>(32, 0));
}

}  // namespace
}  // namespace ironlb::membership
