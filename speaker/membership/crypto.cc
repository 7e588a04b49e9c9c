// SHA-256 and HMAC-SHA256 for membership. The low-level SHA256_* API is deprecated in OpenSSL 3
// but is the only allocation-free way to run HMAC per packet (the EVP paths allocate on every
// init); it stays confined to this file.

#define OPENSSL_SUPPRESS_DEPRECATED
#include "speaker/membership/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <string>

namespace ironlb::membership {

static_assert(sizeof(SHA256_CTX) == 112, "HmacKey stores SHA256_CTX by value");

struct AeadContexts {
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  AeadContexts() = default;
  AeadContexts(const AeadContexts&) = delete;
  AeadContexts& operator=(const AeadContexts&) = delete;
  ~AeadContexts() {
    EVP_CIPHER_CTX_free(enc);  // wipes the key schedule
    EVP_CIPHER_CTX_free(dec);
  }
};

void randomBytes(std::span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // No entropy source at all: fall back to something unique per process (the nonce base
    // only has to differ between processes, it need not be secret).
    const Mac h = [] {
      Mac m{};
      const auto t = reinterpret_cast<uintptr_t>(&m);
      SHA256(reinterpret_cast<const unsigned char*>(&t), sizeof t, m.data());
      return m;
    }();
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = h[i % h.size()];
  }
}

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

  static constexpr char kAeadLabel[] = "ironlb-membership-aead-v2";
  Mac aeadKey = out.sign({reinterpret_cast<const uint8_t*>(kAeadLabel), sizeof kAeadLabel - 1});
  auto aead = std::make_shared<AeadContexts>();
  aead->enc = EVP_CIPHER_CTX_new();
  aead->dec = EVP_CIPHER_CTX_new();
  const bool ok =
      aead->enc != nullptr && aead->dec != nullptr &&
      EVP_EncryptInit_ex(aead->enc, EVP_chacha20_poly1305(), nullptr, aeadKey.data(), nullptr) ==
          1 &&
      EVP_DecryptInit_ex(aead->dec, EVP_chacha20_poly1305(), nullptr, aeadKey.data(), nullptr) == 1;
  OPENSSL_cleanse(aeadKey.data(), aeadKey.size());
  if (!ok) return makeError("membership key: OpenSSL has no ChaCha20-Poly1305");
  out.aead_ = std::move(aead);
  return out;
}

bool HmacKey::seal(std::span<const uint8_t> aad, std::span<uint8_t> data, const Nonce& nonce,
                   std::span<uint8_t, kTagBytes> tag) const {
  EVP_CIPHER_CTX* c = aead_->enc;
  int n = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1) return false;
  if (EVP_EncryptUpdate(c, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
    return false;
  if (EVP_EncryptUpdate(c, data.data(), &n, data.data(), static_cast<int>(data.size())) != 1)
    return false;
  if (EVP_EncryptFinal_ex(c, data.data() + n, &n) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagBytes), tag.data()) ==
         1;
}

bool HmacKey::open(std::span<const uint8_t> aad, std::span<const uint8_t> in,
                   std::span<uint8_t> out, const Nonce& nonce,
                   std::span<const uint8_t, kTagBytes> tag) const {
  if (out.size() < in.size()) return false;
  EVP_CIPHER_CTX* c = aead_->dec;
  int n = 0;
  if (EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1) return false;
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagBytes),
                          const_cast<uint8_t*>(tag.data())) != 1)
    return false;
  if (EVP_DecryptUpdate(c, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
    return false;
  if (EVP_DecryptUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) != 1)
    return false;
  return EVP_DecryptFinal_ex(c, out.data() + n, &n) == 1;
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
