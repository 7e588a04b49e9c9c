// libFuzzer target: any bytes through the frame parser and the responder's packet path (with an
// ownership table that owns what the seeds ask for), so replies are built from hostile input too.
#include <cstddef>
#include <cstdint>
#include <span>

#include "speaker/wire/frame.h"
#include "test/support/responder_harness.h"

namespace {

using namespace ironlb;

class NullChannel : public io::PacketChannel {
 public:
  bool send(std::span<const uint8_t> frame) override {
    // Every reply we build must itself parse.
    if (!wire::parseFrame(frame).ok()) __builtin_trap();
    return true;
  }
  Status joinGroup(const net::IpAddress&) override { return {}; }
  Status leaveGroup(const net::IpAddress&) override { return {}; }
};

struct State : testsupport::ResponderHarness<NullChannel> {
  State() : ResponderHarness(net::MacAddress({2, 0, 0, 0, 0, 0x0a})) {
    own({{kIfindex, net::IpAddress::parse("192.0.2.100").value()},
         {kIfindex, net::IpAddress::parse("2001:db8:1::100").value()}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static State state;
  const std::span<const uint8_t> bytes(data, size);
  const auto parsed = wire::parseFrame(bytes);
  if (!parsed.ok() && wire::dropReasonName(parsed.reason()) == "unknown") __builtin_trap();
  state.responder.handleFrame(state.ctx, bytes);
  return 0;
}
