// libFuzzer target for membership messages. The input is a sequence of frames
//   [mode:1][length:2 big-endian][bytes:length]
// each delivered to a fresh protocol core (5 expected members) with time moving on between
// frames. Mode bit 0 set: the frame is made authentic first (our key's fingerprint, optionally
// a known sender and our id as destination, a valid MAC), so the fuzzer reaches everything
// behind authentication; with bit 7 too it is then sealed (wire version 2); bit 0 clear: the
// raw bytes must be rejected without harm. Every packet the
// core sends in response must itself decode.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "speaker/membership/crypto.h"
#include "speaker/membership/membership.h"
#include "speaker/membership/message.h"

namespace {

using namespace ironlb;
using namespace ironlb::membership;

constexpr std::size_t kMembers = 5;

struct Fixture {
  Fixture() {
    for (std::size_t i = 0; i < kMembers; ++i) {
      specs.push_back(
          MemberSpec{"node-" + std::to_string(i),
                     Endpoint{net::IpAddress::v4(0xc0000201u + static_cast<uint32_t>(i)), 7946}});
      ids.push_back(memberIdOf(specs.back().name));
    }
  }
  std::vector<MemberSpec> specs;
  std::vector<MemberId> ids;
  std::vector<std::vector<uint8_t>> keys = {std::vector<uint8_t>(32, 0x42)};
  HmacKey key = HmacKey::create(keys[0]).value();
  KeyRing ring = KeyRing::create(keys).value();
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void put64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

void checkOutputs(Membership& core, const Fixture& f) {
  const Outbox& out = core.outbox();
  Message decoded;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (decode(out[i].bytes, f.ring, decoded) != DecodeResult::kOk) __builtin_trap();
  }
  const auto& live = core.liveMembers();
  for (std::size_t i = 1; i < live.size(); ++i) {
    if (!(live[i - 1] < live[i])) __builtin_trap();  // sorted, no duplicates
  }
  core.clearOutputs();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  Config config;
  config.selfName = f.specs[0].name;
  config.selfEndpoint = f.specs[0].endpoint;
  config.startIncarnation = 1000;
  auto created = Membership::create(config, f.specs, f.keys);
  if (!created.ok()) __builtin_trap();
  Membership& core = **created;
  util::MonoTime now = util::MonoTime{} + std::chrono::hours(1);
  core.start(now);
  checkOutputs(core, f);

  std::vector<uint8_t> frame;
  std::size_t pos = 0;
  while (pos + 3 <= size) {
    const uint8_t mode = data[pos];
    const std::size_t length = (std::size_t{data[pos + 1]} << 8) | data[pos + 2];
    pos += 3;
    const std::size_t n = std::min(length, size - pos);
    frame.assign(data + pos, data + pos + n);
    pos += n;
    if ((mode & 1) != 0 && frame.size() >= messageSize(MessageType::kPing, 0)) {
      const uint32_t fp = f.key.fingerprint();
      frame[8] = static_cast<uint8_t>(fp >> 24);
      frame[9] = static_cast<uint8_t>(fp >> 16);
      frame[10] = static_cast<uint8_t>(fp >> 8);
      frame[11] = static_cast<uint8_t>(fp);
      if ((mode & 2) != 0) put64(frame.data() + 12, f.ids[1 + (mode >> 4) % (kMembers - 1)]);
      if ((mode & 4) != 0) put64(frame.data() + 40, f.ids[0]);
      const std::size_t signedBytes = frame.size() - kMacBytes;
      const Mac mac = f.key.sign(std::span<const uint8_t>(frame.data(), signedBytes));
      std::memcpy(frame.data() + signedBytes, mac.data(), kMacBytes);
    }
    if ((mode & 0x81) == 0x81 && frame.size() >= messageSize(MessageType::kPing, 0) &&
        frame.size() <= kMaxMessageBytes) {
      // Sealed (version 2): the frame without its MAC is the plaintext (inner version 2), so
      // the fuzzer reaches the parser behind authenticated decryption too.
      const std::size_t plain = frame.size() - kMacBytes;
      std::vector<uint8_t> sealed(kSealedHeaderBytes + plain + kTagBytes);
      std::memcpy(sealed.data(), "ILBM", 4);
      sealed[4] = kWireV2;
      std::memcpy(sealed.data() + 8, frame.data() + 8, 4);
      Nonce nonce{};
      nonce[0] = static_cast<uint8_t>(pos);
      nonce[1] = static_cast<uint8_t>(pos >> 8);
      std::memcpy(sealed.data() + 12, nonce.data(), kNonceBytes);
      std::memcpy(sealed.data() + kSealedHeaderBytes, frame.data(), plain);
      sealed[kSealedHeaderBytes + 4] = kWireV2;
      f.key.seal(
          std::span<const uint8_t>(sealed.data(), kSealedHeaderBytes),
          std::span<uint8_t>(sealed.data() + kSealedHeaderBytes, plain), nonce,
          std::span<uint8_t, kTagBytes>(sealed.data() + kSealedHeaderBytes + plain, kTagBytes));
      frame = std::move(sealed);
    }
    // From the endpoint of the member that mode bit 2 names as sender (so re-signed frames
    // pass the source checks and reach the logic behind them).
    core.onPacket(frame, f.specs[1 + (mode >> 4) % (kMembers - 1)].endpoint, now);
    checkOutputs(core, f);
    if ((mode & 8) != 0) {
      now += std::chrono::milliseconds(1 + (mode >> 4) * 20);
      if (core.nextWakeup() <= now) core.onTimer(now);
      checkOutputs(core, f);
    }
  }
  core.leave(now);
  checkOutputs(core, f);
  return 0;
}
