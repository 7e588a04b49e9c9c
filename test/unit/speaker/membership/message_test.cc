#include "speaker/membership/message.h"

#include <gtest/gtest.h>

#include <vector>

namespace ironlb::membership {
namespace {

KeyRing ring(std::vector<std::vector<uint8_t>> keys) {
  auto r = KeyRing::create(keys);
  EXPECT_TRUE(r.ok());
  return *r;
}

const std::vector<uint8_t> kKeyA(32, 0x11);
const std::vector<uint8_t> kKeyB(32, 0x22);

Message sample(MessageType type, uint8_t updates) {
  Message m;
  m.type = type;
  m.sender = 0x0102030405060708ull;
  m.senderIncarnation = 1'700'000'000'000ull;
  m.senderStatus = MemberStatus::kWithdrawn;
  m.sequence = 42;
  m.destination = 0xa0a1a2a3a4a5a6a7ull;
  m.destinationIncarnation = 7;
  m.destinationStatus = MemberStatus::kDead;
  m.digest = 0xdeadbeefcafef00dull;
  if (type == MessageType::kAck) m.ackedSequence = 41;
  if (type == MessageType::kPingReq || type == MessageType::kIndirectResult) {
    m.target = 0x1111222233334444ull;
    m.requestId = 9;
  }
  if (type == MessageType::kIndirectResult) m.reachable = true;
  if (type == MessageType::kSync) m.flags = kFlagSyncReply;
  if (type == MessageType::kMacs) {
    m.macCount = 2;
    m.macs[0] = {2, 0, 0, 0, 0, 1};
    m.macs[1] = {2, 0, 0, 0, 0, 2};
  }
  m.updateCount = updates;
  for (uint8_t i = 0; i < updates; ++i) {
    m.updates[i] = Update{1000u + i, 5u + i, static_cast<MemberStatus>(1 + i % 4)};
  }
  return m;
}

std::vector<uint8_t> encoded(const Message& m, const std::vector<uint8_t>& key) {
  auto k = HmacKey::create(key);
  EXPECT_TRUE(k.ok());
  std::vector<uint8_t> out(messageSize(m.type, m.updateCount));
  EXPECT_EQ(encode(m, *k, out), out.size());
  return out;
}

TEST(MessageTest, RoundTripsEveryTypeAndUpdateCount) {
  const KeyRing keys = ring({kKeyA});
  struct Case {
    MessageType type;
    uint8_t updates;
    std::size_t size;  // from the layout table in message.h
  };
  const Case cases[] = {
      {MessageType::kPing, 0, 96},
      {MessageType::kPing, 8, 96 + 8 * 17},
      {MessageType::kAck, 3, 104 + 3 * 17},
      {MessageType::kPingReq, 0, 112},
      {MessageType::kIndirectResult, 1, 113 + 17},
      {MessageType::kNotice, 1, 96 + 17},
      {MessageType::kSync, kMaxUpdates, 96 + kMaxUpdates * 17},
      {MessageType::kMacs, 0, 196},
  };
  for (const auto& c : cases) {
    const Message in = sample(c.type, c.updates);
    const auto bytes = encoded(in, kKeyA);
    EXPECT_EQ(bytes.size(), c.size) << messageTypeName(c.type);
    Message out;
    ASSERT_EQ(decode(bytes, keys, out), DecodeResult::kOk) << messageTypeName(c.type);
    EXPECT_EQ(out.type, in.type);
    EXPECT_EQ(out.flags, in.flags);
    EXPECT_EQ(out.sender, in.sender);
    EXPECT_EQ(out.senderIncarnation, in.senderIncarnation);
    EXPECT_EQ(out.senderStatus, in.senderStatus);
    EXPECT_EQ(out.sequence, in.sequence);
    EXPECT_EQ(out.destination, in.destination);
    EXPECT_EQ(out.destinationIncarnation, in.destinationIncarnation);
    EXPECT_EQ(out.destinationStatus, in.destinationStatus);
    EXPECT_EQ(out.digest, in.digest);
    EXPECT_EQ(out.ackedSequence, in.ackedSequence);
    EXPECT_EQ(out.target, in.target);
    EXPECT_EQ(out.requestId, in.requestId);
    EXPECT_EQ(out.reachable, in.reachable);
    EXPECT_EQ(out.macCount, in.macCount);
    EXPECT_EQ(out.macs, in.macs);
    ASSERT_EQ(out.updateCount, in.updateCount);
    for (std::size_t i = 0; i < in.updateCount; ++i) {
      EXPECT_EQ(out.updates[i].id, in.updates[i].id);
      EXPECT_EQ(out.updates[i].incarnation, in.updates[i].incarnation);
      EXPECT_EQ(out.updates[i].status, in.updates[i].status);
    }
  }
  EXPECT_LE(messageSize(MessageType::kIndirectResult, kMaxUpdates), kMaxMessageBytes);
}

TEST(MessageTest, MacsMessagesAreStrict) {
  const KeyRing keys = ring({kKeyA});
  Message m = sample(MessageType::kMacs, 0);
  Message out;
  m.macCount = 2;
  auto bytes = encoded(m, kKeyA);
  ASSERT_EQ(decode(bytes, keys, out), DecodeResult::kOk);
  // A MAC beyond the count, or a count above kMaxMacs, is malformed (re-signed so the MAC
  // check passes and the field check is what rejects it).
  auto k = HmacKey::create(kKeyA);
  ASSERT_TRUE(k.ok());
  auto resign = [&](std::vector<uint8_t> b) {
    const Mac mac = k->sign(std::span<const uint8_t>(b).first(b.size() - kMacBytes));
    std::copy(mac.begin(), mac.end(), b.end() - kMacBytes);
    return b;
  };
  auto extra = bytes;
  extra[kHeaderBytes + 4 + 6 * 5] = 1;
  EXPECT_EQ(decode(resign(extra), keys, out), DecodeResult::kMalformed);
  auto count = bytes;
  count[kHeaderBytes] = kMaxMacs + 1;
  EXPECT_EQ(decode(resign(count), keys, out), DecodeResult::kMalformed);
}

TEST(MessageTest, SealedMessagesRoundTripAndResistTampering) {
  const KeyRing keys = ring({kKeyA, kKeyB});
  auto k = HmacKey::create(kKeyA);
  ASSERT_TRUE(k.ok());
  Nonce nonce{};
  nonce[11] = 7;
  for (MessageType type : {MessageType::kPing, MessageType::kAck, MessageType::kNotice,
                           MessageType::kMacs, MessageType::kSync}) {
    const Message in = sample(type, type == MessageType::kMacs ? 0 : 3);
    std::vector<uint8_t> bytes(sealedSize(in.type, in.updateCount));
    ASSERT_EQ(encodeSealed(in, *k, nonce, bytes), bytes.size());
    EXPECT_EQ(bytes.size(), messageSize(in.type, in.updateCount) + 8);
    Message out;
    uint8_t version = 0;
    ASSERT_EQ(decode(bytes, keys, out, &version), DecodeResult::kOk) << messageTypeName(type);
    EXPECT_EQ(version, kWireV2);
    EXPECT_EQ(out.type, in.type);
    EXPECT_EQ(out.sender, in.sender);
    EXPECT_EQ(out.senderIncarnation, in.senderIncarnation);
    EXPECT_EQ(out.sequence, in.sequence);
    EXPECT_EQ(out.updateCount, in.updateCount);
    EXPECT_EQ(out.macs, in.macs);
    // Any flipped bit after the version byte: rejected (never kOk).
    for (std::size_t i = 5; i < bytes.size(); ++i) {
      auto bad = bytes;
      bad[i] ^= 0x10;
      const DecodeResult r = decode(bad, keys, out);
      EXPECT_NE(r, DecodeResult::kOk) << "byte " << i;
      if (i >= 12) {
        EXPECT_EQ(r, DecodeResult::kBadMac) << "byte " << i;
      }
    }
  }
  // Another key's fingerprint: unknown key; the same nonce with other data still opens (the
  // sender never reuses one: base XOR a per-process counter).
  const Message in = sample(MessageType::kPing, 0);
  std::vector<uint8_t> bytes(sealedSize(in.type, 0));
  encodeSealed(in, *k, nonce, bytes);
  Message out;
  EXPECT_EQ(decode(bytes, ring({kKeyB}), out), DecodeResult::kUnknownKey);
}

TEST(MessageTest, EitherOfTwoKeysVerifies) {
  const KeyRing keys = ring({kKeyA, kKeyB});
  Message out;
  EXPECT_EQ(decode(encoded(sample(MessageType::kPing, 0), kKeyA), keys, out), DecodeResult::kOk);
  EXPECT_EQ(decode(encoded(sample(MessageType::kPing, 0), kKeyB), keys, out), DecodeResult::kOk);
  EXPECT_EQ(
      decode(encoded(sample(MessageType::kPing, 0), std::vector<uint8_t>(32, 0x33)), keys, out),
      DecodeResult::kUnknownKey);
}

// Re-signs after mutating, so the field checks (not the MAC) are what rejects.
std::vector<uint8_t> resigned(std::vector<uint8_t> bytes) {
  auto k = HmacKey::create(kKeyA);
  const std::size_t n = bytes.size() - kMacBytes;
  const Mac mac = k->sign(std::span<const uint8_t>(bytes.data(), n));
  std::copy(mac.begin(), mac.end(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
  return bytes;
}

TEST(MessageTest, RejectsMalformedInput) {
  const KeyRing keys = ring({kKeyA});
  const auto good = encoded(sample(MessageType::kIndirectResult, 2), kKeyA);
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    DecodeResult want;
  };
  auto with = [&](std::size_t offset, uint8_t value, bool resign) {
    auto b = good;
    b[offset] = value;
    return resign ? resigned(b) : b;
  };
  const std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  auto extended = good;
  extended.push_back(0);
  const std::size_t firstUpdate = kHeaderBytes + 17;
  const Case cases[] = {
      {"empty", {}, DecodeResult::kMalformed},
      {"shorter than a ping", std::vector<uint8_t>(good.begin(), good.begin() + 95),
       DecodeResult::kMalformed},
      {"bad magic", with(0, 'X', true), DecodeResult::kMalformed},
      {"bad version", with(4, 2, true), DecodeResult::kMalformed},
      {"type 0", with(5, 0, true), DecodeResult::kMalformed},
      {"type 7", with(5, 7, true), DecodeResult::kMalformed},
      {"type changes the length", with(5, 1, true), DecodeResult::kMalformed},
      {"unknown flag", with(6, 0x80, true), DecodeResult::kMalformed},
      {"count too large", with(7, kMaxUpdates + 1, true), DecodeResult::kMalformed},
      {"count disagrees with length", with(7, 1, true), DecodeResult::kMalformed},
      {"truncated", truncated, DecodeResult::kMalformed},
      {"trailing byte", extended, DecodeResult::kMalformed},
      {"sender status dead", with(28, 3, true), DecodeResult::kMalformed},
      {"sender status unknown", with(28, 0, true), DecodeResult::kMalformed},
      {"destination status 5", with(29, 5, true), DecodeResult::kMalformed},
      {"reserved byte", with(30, 1, true), DecodeResult::kMalformed},
      {"reachable = 2", with(kHeaderBytes + 16, 2, true), DecodeResult::kMalformed},
      {"update status unknown", with(firstUpdate + 16, 0, true), DecodeResult::kMalformed},
      {"update status 9", with(firstUpdate + 16, 9, true), DecodeResult::kMalformed},
      {"unknown key", with(8, good[8] ^ 0xff, false), DecodeResult::kUnknownKey},
      {"flipped sender bit", with(12, good[12] ^ 1, false), DecodeResult::kBadMac},
      {"flipped mac bit", with(good.size() - 1, good.back() ^ 1, false), DecodeResult::kBadMac},
  };
  for (const auto& c : cases) {
    Message out;
    EXPECT_EQ(decode(c.bytes, keys, out), c.want) << c.name;
  }
}

TEST(MessageTest, ZeroIncarnationIsMalformed) {
  const KeyRing keys = ring({kKeyA});
  Message m = sample(MessageType::kNotice, 1);
  m.updates[0].incarnation = 0;
  Message out;
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kMalformed);
  m = sample(MessageType::kPing, 0);
  m.senderIncarnation = 0;
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kMalformed);
}

TEST(MessageTest, IncarnationsAboveTheBoundAreMalformed) {
  // A refutation adds one to a claim; unbounded claims could wrap our incarnation to 0.
  const KeyRing keys = ring({kKeyA});
  Message out;
  Message m = sample(MessageType::kNotice, 1);
  m.updates[0].incarnation = kMaxIncarnation;
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kOk);
  m.updates[0].incarnation = kMaxIncarnation + 1;
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kMalformed);
  m = sample(MessageType::kPing, 0);
  m.destinationIncarnation = ~uint64_t{0};
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kMalformed);
  m = sample(MessageType::kPing, 0);
  m.senderIncarnation = kMaxIncarnation + 1;
  EXPECT_EQ(decode(encoded(m, kKeyA), keys, out), DecodeResult::kMalformed);
}

TEST(MessageTest, EveryAuthenticatedByteIsCovered) {
  const KeyRing keys = ring({kKeyA});
  const auto good = encoded(sample(MessageType::kAck, 2), kKeyA);
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0x40;
    Message out;
    EXPECT_NE(decode(b, keys, out), DecodeResult::kOk) << "byte " << i;
  }
}

}  // namespace
}  // namespace ironlb::membership
