// libFuzzer target: any bytes through the frame parser and the responder's packet path (with an
// ownership table that owns what the seeds ask for), so replies are built from hostile input too.
#include <cstddef>
#include <cstdint>
#include <span>

#include "speaker/announcer/counters.h"
#include "speaker/announcer/ownership_table.h"
#include "speaker/io/responder.h"
#include "speaker/wire/frame.h"

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

struct State {
  State() {
    const auto v4 = net::IpAddress::parse("192.0.2.100").value();
    const auto v6 = net::IpAddress::parse("2001:db8:1::100").value();
    table.rebuild({{2, v4, &store.ip(2, v4)}, {2, v6, &store.ip(2, v6)}});
    ctx.ifindex = 2;
    ctx.mac = net::MacAddress({2, 0, 0, 0, 0, 0x0a});
    ctx.counters = &store.interface(2);
    ctx.channel = &channel;
  }
  announcer::CounterStore store;
  announcer::OwnershipTable table;
  NullChannel channel;
  io::InterfaceContext ctx;
  io::Responder responder{table, nullptr};
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
