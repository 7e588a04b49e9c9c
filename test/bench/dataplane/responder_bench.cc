// Google Benchmark of the responder's packet path alone (parse, ownership lookup, build reply),
// with a channel that discards: the user-space cost per request, without the kernel's packet I/O.
#include <benchmark/benchmark.h>

#include <vector>

#include "speaker/wire/arp.h"
#include "speaker/wire/ndp.h"
#include "test/support/responder_harness.h"

namespace {

using namespace ironlb;

class DiscardChannel : public io::PacketChannel {
 public:
  bool send(std::span<const uint8_t> frame) override {
    benchmark::DoNotOptimize(frame.data());
    return true;
  }
  Status joinGroup(const net::IpAddress&) override { return {}; }
  Status leaveGroup(const net::IpAddress&) override { return {}; }
};

struct Fixture : testsupport::ResponderHarness<DiscardChannel> {
  explicit Fixture(int owned) : ResponderHarness(net::MacAddress({2, 0, 0, 0, 0, 0x0a})) {
    std::vector<std::pair<int, net::IpAddress>> ips;
    for (int i = 0; i < owned; ++i) {
      ips.emplace_back(kIfindex, net::IpAddress::v4(0xc6336400u + static_cast<uint32_t>(i)));
      ips.emplace_back(kIfindex, net::IpAddress::v6(net::makeU128(
                                     0x20010db800010000ull, 0x100u + static_cast<unsigned>(i))));
    }
    own(ips);
  }
};

void BM_ArpRequest(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const net::MacAddress client({2, 0, 0, 0, 0, 1});
  std::vector<uint8_t> frame(wire::kArpFrameSize);
  wire::buildArpFrame(frame, net::MacAddress::broadcast(), client,
                      {wire::ArpOp::kRequest,
                       client,
                       net::IpAddress::v4(0xc6336401u),
                       {},
                       net::IpAddress::v4(0xc6336400u)});
  for (auto _ : state)
    f.responder.handleFrame(f.ctx, frame);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ArpRequest)->Arg(1)->Arg(1000);

void BM_NeighborSolicitation(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const net::MacAddress client({2, 0, 0, 0, 0, 1});
  const auto target = net::IpAddress::v6(net::makeU128(0x20010db800010000ull, 0x100u));
  const auto group = wire::solicitedNodeMulticast(target);
  std::vector<uint8_t> frame(wire::kNdpFrameSize);
  frame.resize(wire::buildNeighborSolicitation(
      frame, wire::ipv6MulticastMac(group), client,
      net::IpAddress::v6(net::makeU128(0x20010db800010000ull, 1)), group, target));
  for (auto _ : state)
    f.responder.handleFrame(f.ctx, frame);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NeighborSolicitation)->Arg(1)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
