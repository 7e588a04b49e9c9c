#pragma once
// The membership module's only use of OpenSSL: member ids (SHA-256 of a name) and HMAC-SHA256
// message authentication with up to two keys at once (rotation).
//
// HMAC is computed from precomputed inner/outer SHA-256 states held by value, so signing and
// verifying a packet allocate nothing (OpenSSL 3's EVP_MAC and EVP_MD re-initialisation each
// allocate on every call, which the packet path must not do).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "speaker/membership/types.h"

namespace ironlb::membership {

MemberId memberIdOf(std::string_view name);

// Overwrites key material so it does not linger in freed memory (OPENSSL_cleanse: not
// optimised away).
void wipeBytes(std::span<uint8_t> bytes);
// Cryptographically random bytes (OpenSSL's DRBG); not for the packet path.
void randomBytes(std::span<uint8_t> out);

inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;
using Nonce = std::array<uint8_t, kNonceBytes>;
struct AeadContexts;  // crypto.cc

using Mac = std::array<uint8_t, 32>;

// One HMAC-SHA256 key, ready to use. Keys shorter than kMinKeyBytes are rejected: the Secret
// should hold at least 128 bits of randomness.
class HmacKey {
 public:
  static constexpr std::size_t kMinKeyBytes = 16;
  static Result<HmacKey> create(std::span<const uint8_t> key);
  // Every copy wipes its key-derived state when destroyed.
  ~HmacKey();
  HmacKey(const HmacKey&) = default;
  HmacKey& operator=(const HmacKey&) = default;

  // Identifies the key on the wire without revealing it: the first 4 bytes of
  // SHA-256("ironlb-membership-key" || key).
  uint32_t fingerprint() const { return fingerprint_; }
  Mac sign(std::span<const uint8_t> data) const;
  // Constant-time comparison of sign(data) with `mac`.
  bool verify(std::span<const uint8_t> data, std::span<const uint8_t, 32> mac) const;

  // Authenticated encryption (ChaCha20-Poly1305, RFC 8439) with a key derived from the same
  // secret: HMAC-SHA256(secret, "ironlb-membership-aead-v2"). The cipher contexts are set up
  // once; sealing and opening a packet only set the nonce (no allocation). `seal` encrypts
  // `data` in place and writes the tag; `open` decrypts `in` into `out` (same size) and
  // returns false unless the tag verifies. Never reuse a nonce with one key.
  bool seal(std::span<const uint8_t> aad, std::span<uint8_t> data, const Nonce& nonce,
            std::span<uint8_t, kTagBytes> tag) const;
  bool open(std::span<const uint8_t> aad, std::span<const uint8_t> in, std::span<uint8_t> out,
            const Nonce& nonce, std::span<const uint8_t, kTagBytes> tag) const;

 private:
  HmacKey() = default;
  // Opaque copies of SHA256_CTX after absorbing key^ipad and key^opad (SHA256_CTX is 112 bytes;
  // the size is checked in crypto.cc so this header needs no OpenSSL include).
  alignas(8) std::array<uint8_t, 112> inner_{};
  alignas(8) std::array<uint8_t, 112> outer_{};
  uint32_t fingerprint_ = 0;
  std::shared_ptr<AeadContexts> aead_;  // shared by copies (one thread uses them)
};

// The keys in use: the first signs, every one verifies. Rotation: add the new key second on
// every node, then make it first, then drop the old one.
class KeyRing {
 public:
  static constexpr std::size_t kMaxKeys = 2;
  static Result<KeyRing> create(std::span<const std::vector<uint8_t>> keys);

  const HmacKey& signing() const { return keys_[0]; }
  // The key whose fingerprint matches, or nullptr.
  const HmacKey* find(uint32_t fingerprint) const;

 private:
  std::vector<HmacKey> keys_;
};

}  // namespace ironlb::membership
