#pragma once
// The membership wire format: one UDP datagram per message, fixed-size fields, big-endian,
// authenticated with HMAC-SHA256 over everything before the MAC. Decoding allocates nothing and
// never throws; every malformed input maps to a reason that is counted.
//
//   off size field
//     0    4 magic "ILBM"
//     4    1 version (1)
//     5    1 type (MessageType)
//     6    1 flags (kFlagSyncReply on kSync)
//     7    1 update count (<= kMaxUpdates)
//     8    4 key fingerprint (which key signed)
//    12    8 sender id
//    20    8 sender incarnation (1..kMaxIncarnation, like every incarnation on the wire)
//    28    1 sender status (alive | withdrawn | left)
//    29    1 destination status as the sender sees it
//    30    2 reserved (0)
//    32    8 sequence (per sender process and destination, strictly increasing)
//    40    8 destination id (so a packet cannot be replayed to another member)
//    48    8 destination incarnation as the sender sees it
//    56    8 digest of the sender's view (anti-entropy)
//    64    - body by type: ping 0, ack 8 (acked sequence), ping-req 16 (target, request id),
//            indirect-result 17 (target, request id, reachable), notice 0, sync 0,
//            macs 100 (count, 3 x 0, 16 x 6-byte MAC, unused ones 0; no updates)
//     .  17n updates (member id 8, incarnation 8, status 1)
//     .   32 HMAC-SHA256
//
// Version 2 (sealed: authenticated encryption, docs/membership.md) wraps the same fields:
//
//     0    4 magic "ILBM"
//     4    1 version (2)
//     5    3 0
//     8    4 key fingerprint
//    12   12 nonce (per process: random base XOR message counter)
//    24    - ChaCha20-Poly1305 ciphertext of the layout above without its HMAC (inner version
//            byte 2), additional data = bytes 0..23
//     .   16 Poly1305 tag
//
// so node ids, incarnations (start times), statuses and everything else are hidden; sizes
// grow by 8 bytes. kMacs are always sealed; other types are sealed to members that sealed to
// us (a version-1 speaker cannot read them).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "speaker/membership/crypto.h"
#include "speaker/membership/types.h"

namespace ironlb::membership {

enum class MessageType : uint8_t {
  kPing = 1,            // are you there? (monitor probe, helper probe, revival probe, join)
  kAck = 2,             // yes (answers a ping)
  kPingReq = 3,         // monitor asks a helper: probe `target` for me
  kIndirectResult = 4,  // helper answers a ping-req: target reachable or not
  kNotice = 5,          // direct news (death, leave, withdrawal, refutation) in the updates
  kSync = 6,            // anti-entropy: a chunk of the sender's whole view
  kMacs = 7,            // the sender's announcing MACs (docs/duplicate-owner.md)
};
inline constexpr std::size_t kMessageTypeSlots = 8;  // indexable by type value
std::string_view messageTypeName(MessageType type);

inline constexpr uint8_t kFlagSyncReply = 0x01;  // kSync: please send your view back

// Incarnations are wall-clock milliseconds plus bumps (~1.8e12 today); anything above 2^62 on
// the wire is malformed, so refuting a claim (claim + 1) can never wrap around to 0.
inline constexpr uint64_t kMaxIncarnation = uint64_t{1} << 62;

inline constexpr std::size_t kHeaderBytes = 64;
inline constexpr std::size_t kUpdateBytes = 17;
inline constexpr std::size_t kMacBytes = 32;
inline constexpr std::size_t kMaxUpdates = 60;
inline constexpr std::size_t kMacsBodyBytes = 4 + kMaxMacs * 6;
// Fits the IPv6 minimum MTU (1280 - 40 - 8) so no message is ever fragmented.
inline constexpr std::size_t kMaxMessageBytes =
    kHeaderBytes + 17 + kMaxUpdates * kUpdateBytes + kMacBytes;
static_assert(kMaxMessageBytes <= 1232);
inline constexpr uint8_t kWireV1 = 1;
inline constexpr uint8_t kWireV2 = 2;
inline constexpr std::size_t kSealedHeaderBytes = 24;
inline constexpr std::size_t kSealOverhead = kSealedHeaderBytes + kTagBytes - kMacBytes;
inline constexpr std::size_t kMaxWireBytes = kMaxMessageBytes + kSealOverhead;
static_assert(kMaxWireBytes <= 1232);

struct Update {
  MemberId id = 0;
  uint64_t incarnation = 0;
  MemberStatus status = MemberStatus::kAlive;
};

struct Message {
  MessageType type = MessageType::kPing;
  uint8_t flags = 0;
  uint32_t keyFingerprint = 0;
  MemberId sender = 0;
  uint64_t senderIncarnation = 0;
  MemberStatus senderStatus = MemberStatus::kAlive;
  uint64_t sequence = 0;
  MemberId destination = 0;
  uint64_t destinationIncarnation = 0;
  MemberStatus destinationStatus = MemberStatus::kUnknown;
  uint64_t digest = 0;
  uint64_t ackedSequence = 0;  // kAck
  MemberId target = 0;         // kPingReq, kIndirectResult
  uint64_t requestId = 0;      // kPingReq, kIndirectResult
  bool reachable = false;      // kIndirectResult
  uint8_t macCount = 0;        // kMacs
  std::array<LinkMac, kMaxMacs> macs{};
  uint8_t updateCount = 0;
  std::array<Update, kMaxUpdates> updates{};
};

enum class DecodeResult : uint8_t {
  kOk,
  kMalformed,   // bad magic/version/type/length/field value
  kUnknownKey,  // fingerprint matches none of our keys
  kBadMac,      // forged or corrupted
};

// Bytes of a message of `type` carrying `updates` updates (version 1; sealed: + kSealOverhead).
std::size_t messageSize(MessageType type, std::size_t updates);
inline std::size_t sealedSize(MessageType type, std::size_t updates) {
  return messageSize(type, updates) + kSealOverhead;
}

// Parses and authenticates (version 1) or opens (version 2) `packet` into `out`; `version`
// (if given) receives the wire version. `out` is unspecified unless kOk. A version-2 packet
// whose tag does not verify is kBadMac.
DecodeResult decode(std::span<const uint8_t> packet, const KeyRing& keys, Message& out,
                    uint8_t* version = nullptr);

// Encodes `m` (its keyFingerprint is taken from `key`) and signs it into `out`, which must hold
// messageSize(m.type, m.updateCount) bytes. Returns the bytes written.
std::size_t encode(const Message& m, const HmacKey& key, std::span<uint8_t> out);
// Version 2: `out` must hold sealedSize(m.type, m.updateCount) bytes. Returns the bytes written
// (0 only if OpenSSL fails).
std::size_t encodeSealed(const Message& m, const HmacKey& key, const Nonce& nonce,
                         std::span<uint8_t> out);

}  // namespace ironlb::membership
