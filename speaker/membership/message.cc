// Membership message codec: strict, bounds-checked, allocation-free.

#include "speaker/membership/message.h"

#include <cassert>
#include <cstring>

namespace ironlb::membership {
namespace {

constexpr uint8_t kMagic[4] = {'I', 'L', 'B', 'M'};

std::size_t bodyBytes(MessageType type) {
  switch (type) {
    case MessageType::kAck:
      return 8;
    case MessageType::kPingReq:
      return 16;
    case MessageType::kIndirectResult:
      return 17;
    case MessageType::kMacs:
      return kMacsBodyBytes;
    case MessageType::kPing:
    case MessageType::kNotice:
    case MessageType::kSync:
      return 0;
  }
  return 0;
}

bool validType(uint8_t v) {
  return v >= static_cast<uint8_t>(MessageType::kPing) &&
         v <= static_cast<uint8_t>(MessageType::kMacs);
}

uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}
uint32_t get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

std::string_view messageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPing:
      return "ping";
    case MessageType::kAck:
      return "ack";
    case MessageType::kPingReq:
      return "ping_req";
    case MessageType::kIndirectResult:
      return "indirect_result";
    case MessageType::kNotice:
      return "notice";
    case MessageType::kSync:
      return "sync";
    case MessageType::kMacs:
      return "macs";
  }
  return "invalid";
}

std::size_t messageSize(MessageType type, std::size_t updates) {
  return kHeaderBytes + bodyBytes(type) + updates * kUpdateBytes + kMacBytes;
}

namespace {

// The header after its first 8 bytes: who speaks to whom, at which incarnations.
DecodeResult parseHeader(const uint8_t* p, Message& out) {
  const uint8_t knownFlags = out.type == MessageType::kSync ? kFlagSyncReply : 0;
  if ((out.flags & ~knownFlags) != 0 || p[30] != 0 || p[31] != 0) return DecodeResult::kMalformed;
  out.sender = get64(p + 12);
  out.senderIncarnation = get64(p + 20);
  if (p[28] != static_cast<uint8_t>(MemberStatus::kAlive) &&
      p[28] != static_cast<uint8_t>(MemberStatus::kWithdrawn) &&
      p[28] != static_cast<uint8_t>(MemberStatus::kLeft)) {
    return DecodeResult::kMalformed;
  }
  out.senderStatus = static_cast<MemberStatus>(p[28]);
  if (p[29] > kMaxMemberStatus) return DecodeResult::kMalformed;
  out.destinationStatus = static_cast<MemberStatus>(p[29]);
  out.sequence = get64(p + 32);
  out.destination = get64(p + 40);
  out.destinationIncarnation = get64(p + 48);
  out.digest = get64(p + 56);
  if (out.senderIncarnation == 0 || out.senderIncarnation > kMaxIncarnation ||
      out.destinationIncarnation > kMaxIncarnation) {
    return DecodeResult::kMalformed;
  }
  return DecodeResult::kOk;
}

// The type's own fields (fields other types do not use are zeroed).
DecodeResult parseBody(const uint8_t* body, Message& out) {
  out.ackedSequence = 0;
  out.target = 0;
  out.requestId = 0;
  out.reachable = false;
  out.macCount = 0;
  switch (out.type) {
    case MessageType::kAck:
      out.ackedSequence = get64(body);
      break;
    case MessageType::kPingReq:
      out.target = get64(body);
      out.requestId = get64(body + 8);
      break;
    case MessageType::kIndirectResult:
      out.target = get64(body);
      out.requestId = get64(body + 8);
      if (body[16] > 1) return DecodeResult::kMalformed;
      out.reachable = body[16] == 1;
      break;
    case MessageType::kMacs: {
      if (body[0] > kMaxMacs || body[1] != 0 || body[2] != 0 || body[3] != 0)
        return DecodeResult::kMalformed;
      out.macCount = body[0];
      for (std::size_t i = 0; i < kMaxMacs; ++i) {
        std::memcpy(out.macs[i].data(), body + 4 + 6 * i, 6);
        if (i >= out.macCount && out.macs[i] != LinkMac{}) return DecodeResult::kMalformed;
      }
      break;
    }
    case MessageType::kPing:
    case MessageType::kNotice:
    case MessageType::kSync:
      break;
  }
  return DecodeResult::kOk;
}

// The piggybacked updates (out.updateCount of them).
DecodeResult parseUpdates(const uint8_t* u, Message& out) {
  for (std::size_t i = 0; i < out.updateCount; ++i, u += kUpdateBytes) {
    const uint8_t status = u[16];
    if (status == static_cast<uint8_t>(MemberStatus::kUnknown) || status > kMaxMemberStatus) {
      return DecodeResult::kMalformed;
    }
    out.updates[i] = Update{get64(u), get64(u + 8), static_cast<MemberStatus>(status)};
    if (out.updates[i].incarnation == 0 || out.updates[i].incarnation > kMaxIncarnation) {
      return DecodeResult::kMalformed;
    }
  }
  return DecodeResult::kOk;
}

// Everything after the header's first 8 bytes, once authenticated; `p` is a version-1 layout
// (the MAC or tag is not part of it). out.type, flags and updateCount are set.
DecodeResult parseFields(const uint8_t* p, Message& out) {
  if (DecodeResult r = parseHeader(p, out); r != DecodeResult::kOk) return r;
  const uint8_t* body = p + kHeaderBytes;
  if (DecodeResult r = parseBody(body, out); r != DecodeResult::kOk) return r;
  return parseUpdates(body + bodyBytes(out.type), out);
}

// Checks magic/type/count/size of a version-1 layout of `bytes` total (MAC included) and sets
// out.type, flags and updateCount.
DecodeResult parseFrame(const uint8_t* p, std::size_t bytes, uint8_t version, Message& out) {
  if (bytes < messageSize(MessageType::kPing, 0)) return DecodeResult::kMalformed;
  if (std::memcmp(p, kMagic, 4) != 0 || p[4] != version || !validType(p[5])) {
    return DecodeResult::kMalformed;
  }
  out.type = static_cast<MessageType>(p[5]);
  out.flags = p[6];
  out.updateCount = p[7];
  if (out.updateCount > kMaxUpdates || (out.type == MessageType::kMacs && out.updateCount != 0) ||
      bytes != messageSize(out.type, out.updateCount)) {
    return DecodeResult::kMalformed;
  }
  return DecodeResult::kOk;
}

// Writes the version-1 layout of `m` without the MAC; returns its size.
std::size_t writeFields(const Message& m, uint8_t version, uint32_t fingerprint, uint8_t* p) {
  const std::size_t size = messageSize(m.type, m.updateCount) - kMacBytes;
  std::memcpy(p, kMagic, 4);
  p[4] = version;
  p[5] = static_cast<uint8_t>(m.type);
  p[6] = m.flags;
  p[7] = m.updateCount;
  put32(p + 8, fingerprint);
  put64(p + 12, m.sender);
  put64(p + 20, m.senderIncarnation);
  p[28] = static_cast<uint8_t>(m.senderStatus);
  p[29] = static_cast<uint8_t>(m.destinationStatus);
  p[30] = 0;
  p[31] = 0;
  put64(p + 32, m.sequence);
  put64(p + 40, m.destination);
  put64(p + 48, m.destinationIncarnation);
  put64(p + 56, m.digest);
  uint8_t* body = p + kHeaderBytes;
  switch (m.type) {
    case MessageType::kAck:
      put64(body, m.ackedSequence);
      break;
    case MessageType::kPingReq:
      put64(body, m.target);
      put64(body + 8, m.requestId);
      break;
    case MessageType::kIndirectResult:
      put64(body, m.target);
      put64(body + 8, m.requestId);
      body[16] = m.reachable ? 1 : 0;
      break;
    case MessageType::kMacs:
      assert(m.macCount <= kMaxMacs && m.updateCount == 0);
      std::memset(body, 0, kMacsBodyBytes);
      body[0] = m.macCount;
      for (std::size_t i = 0; i < m.macCount && i < kMaxMacs; ++i)
        std::memcpy(body + 4 + 6 * i, m.macs[i].data(), 6);
      break;
    case MessageType::kPing:
    case MessageType::kNotice:
    case MessageType::kSync:
      break;
  }
  uint8_t* u = body + bodyBytes(m.type);
  for (std::size_t i = 0; i < m.updateCount; ++i, u += kUpdateBytes) {
    put64(u, m.updates[i].id);
    put64(u + 8, m.updates[i].incarnation);
    u[16] = static_cast<uint8_t>(m.updates[i].status);
  }
  return size;
}

DecodeResult decodeSealed(std::span<const uint8_t> packet, const KeyRing& keys, Message& out) {
  const uint8_t* p = packet.data();
  const std::size_t size = packet.size();
  if (size < kSealedHeaderBytes + kHeaderBytes + kTagBytes || size > kMaxWireBytes || p[5] != 0 ||
      p[6] != 0 || p[7] != 0) {
    return DecodeResult::kMalformed;
  }
  out.keyFingerprint = get32(p + 8);
  const HmacKey* key = keys.find(out.keyFingerprint);
  if (key == nullptr) return DecodeResult::kUnknownKey;
  Nonce nonce;
  std::memcpy(nonce.data(), p + 12, kNonceBytes);
  const std::size_t n = size - kSealedHeaderBytes - kTagBytes;
  std::array<uint8_t, kMaxMessageBytes> plain;
  if (!key->open(packet.first(kSealedHeaderBytes), packet.subspan(kSealedHeaderBytes, n),
                 std::span<uint8_t>(plain.data(), n), nonce,
                 std::span<const uint8_t, kTagBytes>(p + size - kTagBytes, kTagBytes))) {
    return DecodeResult::kBadMac;
  }
  if (DecodeResult r = parseFrame(plain.data(), n + kMacBytes, kWireV2, out);
      r != DecodeResult::kOk) {
    return r;
  }
  return parseFields(plain.data(), out);
}

}  // namespace

DecodeResult decode(std::span<const uint8_t> packet, const KeyRing& keys, Message& out,
                    uint8_t* version) {
  const uint8_t* p = packet.data();
  if (packet.size() < 8 || std::memcmp(p, kMagic, 4) != 0) return DecodeResult::kMalformed;
  if (version != nullptr) *version = p[4];
  if (p[4] == kWireV2) return decodeSealed(packet, keys, out);
  if (DecodeResult r = parseFrame(p, packet.size(), kWireV1, out); r != DecodeResult::kOk) return r;
  // Authenticate before interpreting anything else: unauthenticated bytes only pick the key.
  out.keyFingerprint = get32(p + 8);
  const HmacKey* key = keys.find(out.keyFingerprint);
  if (key == nullptr) return DecodeResult::kUnknownKey;
  const std::size_t signedBytes = packet.size() - kMacBytes;
  if (!key->verify(packet.first(signedBytes),
                   std::span<const uint8_t, kMacBytes>(p + signedBytes, kMacBytes))) {
    return DecodeResult::kBadMac;
  }
  return parseFields(p, out);
}

std::size_t encode(const Message& m, const HmacKey& key, std::span<uint8_t> out) {
  const std::size_t size = messageSize(m.type, m.updateCount);
  assert(m.updateCount <= kMaxUpdates && out.size() >= size);
  const std::size_t signedBytes = writeFields(m, kWireV1, key.fingerprint(), out.data());
  const Mac mac = key.sign(out.first(signedBytes));
  std::memcpy(out.data() + signedBytes, mac.data(), kMacBytes);
  return size;
}

std::size_t encodeSealed(const Message& m, const HmacKey& key, const Nonce& nonce,
                         std::span<uint8_t> out) {
  const std::size_t size = sealedSize(m.type, m.updateCount);
  assert(m.updateCount <= kMaxUpdates && out.size() >= size);
  uint8_t* p = out.data();
  std::memcpy(p, kMagic, 4);
  p[4] = kWireV2;
  p[5] = p[6] = p[7] = 0;
  put32(p + 8, key.fingerprint());
  std::memcpy(p + 12, nonce.data(), kNonceBytes);
  const std::size_t n = writeFields(m, kWireV2, key.fingerprint(), p + kSealedHeaderBytes);
  if (!key.seal(out.first(kSealedHeaderBytes), out.subspan(kSealedHeaderBytes, n), nonce,
                std::span<uint8_t, kTagBytes>(p + kSealedHeaderBytes + n, kTagBytes))) {
    return 0;
  }
  return size;
}

}  // namespace ironlb::membership
