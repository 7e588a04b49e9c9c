// SHA-256 and HMAC-SHA256 for membership. The low-level SHA256_* API is deprecated in OpenSSL 3
// but is the only allocation-free way to run HMAC per packet (the EVP paths allocate on every
// init); it stays confined to this file.

#define OPENSSL_SUPPRESS_DEPRECATED
#include "speaker/membership/crypto.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>
#include <string>

namespace ironlb::membership {

static_assert(sizeof(SHA256_CTX) == 112, "HmacKey stores SHA256_CTX by value");

MemberId memberIdOf(std::string_view name) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  MemberId id = 0;
  for (int i = 0; i < 8; ++i)
    id = (id << 8) | digest[i];
  return id;
}

void wipeBytes(std::span<uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

HmacKey::~HmacKey() {
  OPENSSL_cleanse(inner_.data(), inner_.size());
  OPENSSL_cleanse(outer_.data(), outer_.size());
}

Result<HmacKey> HmacKey::create(std::span<const uint8_t> key) {
  if (key.size() < kMinKeyBytes) {
    return makeError("membership key: " + std::to_string(key.size()) +
                     " bytes is too short; use at least " + std::to_string(kMinKeyBytes) +
                     " random bytes");
  }
  // RFC 2104: keys longer than the block are hashed first.
  uint8_t block[SHA256_CBLOCK] = {};
  if (key.size() > SHA256_CBLOCK) {
    SHA256(key.data(), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t ipad[SHA256_CBLOCK];
  uint8_t opad[SHA256_CBLOCK];
  for (int i = 0; i < SHA256_CBLOCK; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  HmacKey out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, ipad, sizeof ipad);
  std::memcpy(out.inner_.data(), &ctx, sizeof ctx);
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, opad, sizeof opad);
  std::memcpy(out.outer_.data(), &ctx, sizeof ctx);

  static constexpr char kLabel[] = "ironlb-membership-key";
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, kLabel, sizeof kLabel - 1);
  SHA256_Update(&ctx, key.data(), key.size());
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx);
  out.fingerprint_ = (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
                     (uint32_t{digest[2]} << 8) | digest[3];
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

Mac HmacKey::sign(std::span<const uint8_t> data) const {
  SHA256_CTX ctx;
  std::memcpy(&ctx, inner_.data(), sizeof ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  uint8_t inner[SHA256_DIGEST_LENGTH];
  SHA256_Final(inner, &ctx);
  std::memcpy(&ctx, outer_.data(), sizeof ctx);
  SHA256_Update(&ctx, inner, sizeof inner);
  Mac out;
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);  // a copy of the key-derived state
  return out;
}

bool HmacKey::verify(std::span<const uint8_t> data, std::span<const uint8_t, 32> mac) const {
  const Mac expected = sign(data);
  return CRYPTO_memcmp(expected.data(), mac.data(), expected.size()) == 0;
}

Result<KeyRing> KeyRing::create(std::span<const std::vector<uint8_t>> keys) {
  if (keys.empty()) return makeError("membership keys: none given; at least one key is needed");
  if (keys.size() > kMaxKeys) {
    return makeError("membership keys: " + std::to_string(keys.size()) +
                     " given; at most 2 (current and next) are supported");
  }
  KeyRing ring;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto key = HmacKey::create(keys[i]);
    if (!key.ok()) return makeError("membership key " + std::to_string(i) + ": " + key.error());
    if (ring.find(key->fingerprint()) != nullptr) {
      return makeError("membership key " + std::to_string(i) +
                       ": same fingerprint as an earlier key (the same key given twice?)");
    }
    ring.keys_.push_back(*key);
  }
  return ring;
}

const HmacKey* KeyRing::find(uint32_t fingerprint) const {
  for (const auto& key : keys_) {
    if (key.fingerprint() == fingerprint) return &key;
  }
  return nullptr;
}

}  // namespace ironlb::membership
