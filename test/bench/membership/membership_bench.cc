// Per-packet cost of the membership receive path, its parts (HMAC, decode), and the election
// the daemon runs on every live-set change.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "speaker/election/election.h"
#include "speaker/membership/crypto.h"
#include "speaker/membership/membership.h"
#include "speaker/membership/message.h"

namespace ironlb::membership {
namespace {

const std::vector<uint8_t> kKey(32, 0x42);

std::vector<MemberSpec> specs(std::size_t n) {
  std::vector<MemberSpec> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(
        MemberSpec{"node-" + std::to_string(i),
                   Endpoint{net::IpAddress::v4(0xc6336401u + static_cast<uint32_t>(i)), 7946}});
  }
  return out;
}

Message ping(std::size_t from, std::size_t to, uint64_t seq, uint8_t piggyback) {
  Message m;
  m.type = MessageType::kPing;
  m.sender = memberIdOf("node-" + std::to_string(from));
  m.senderIncarnation = 5000;
  m.sequence = seq;
  m.destination = memberIdOf("node-" + std::to_string(to));
  m.destinationIncarnation = 1000;
  m.destinationStatus = MemberStatus::kAlive;
  m.updateCount = piggyback;
  for (uint8_t i = 0; i < piggyback; ++i) {
    m.updates[i] = Update{memberIdOf("node-" + std::to_string(2 + i)), 5000, MemberStatus::kAlive};
  }
  return m;
}

void BM_HmacSign(benchmark::State& state) {
  auto key = HmacKey::create(kKey).value();
  std::vector<uint8_t> data(static_cast<std::size_t>(state.range(0)), 0xab);
  for (auto _ : state)
    benchmark::DoNotOptimize(key.sign(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_HmacSign)->Arg(64)->Arg(200)->Arg(1100);

void BM_DecodePing(benchmark::State& state) {
  const auto ring = KeyRing::create(std::vector<std::vector<uint8_t>>{kKey}).value();
  const auto key = HmacKey::create(kKey).value();
  const Message m = ping(1, 0, 1, static_cast<uint8_t>(state.range(0)));
  std::vector<uint8_t> bytes(messageSize(m.type, m.updateCount));
  encode(m, key, bytes);
  Message out;
  for (auto _ : state)
    benchmark::DoNotOptimize(decode(bytes, ring, out));
}
BENCHMARK(BM_DecodePing)->Arg(0)->Arg(8);

// The whole receive path of a steady-state ping: decode, authenticate, replay check, merge
// the piggybacked updates, build and sign the ack. Pings are pre-encoded with increasing
// sequence numbers so none is a replay.
void BM_ReceivePingSendAck(benchmark::State& state) {
  const std::size_t members = static_cast<std::size_t>(state.range(0));
  const auto all = specs(members);
  Config config;
  config.selfName = all[0].name;
  config.selfEndpoint = all[0].endpoint;
  config.startIncarnation = 1000;
  auto core = Membership::create(config, all, std::vector<std::vector<uint8_t>>{kKey}).value();
  const util::MonoTime t0 = util::MonoTime{} + std::chrono::hours(1);
  core->start(t0);
  core->clearOutputs();
  const auto key = HmacKey::create(kKey).value();
  constexpr std::size_t kPackets = 1 << 18;
  std::vector<std::vector<uint8_t>> packets;
  packets.reserve(kPackets);
  for (std::size_t i = 0; i < kPackets; ++i) {
    const Message m = ping(1, 0, i + 1, 2);
    packets.emplace_back(messageSize(m.type, m.updateCount));
    encode(m, key, packets.back());
  }
  std::size_t i = 0;
  for (auto _ : state) {
    core->onPacket(packets[i++ % kPackets], all[1].endpoint, t0);
    core->clearOutputs();
  }
  state.counters["acks"] =
      static_cast<double>(core->counters().sent[static_cast<std::size_t>(MessageType::kAck)]);
}
BENCHMARK(BM_ReceivePingSendAck)->Arg(10)->Arg(1000)->Iterations(1 << 18);

void BM_ElectionWinner(benchmark::State& state) {
  std::vector<std::string> nodes;
  for (int64_t i = 0; i < state.range(0); ++i)
    nodes.push_back("node-" + std::to_string(i));
  const auto ip = net::IpAddress::parse("192.0.2.10").value();
  for (auto _ : state)
    benchmark::DoNotOptimize(election::winner(nodes, ip));
}
BENCHMARK(BM_ElectionWinner)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace ironlb::membership

BENCHMARK_MAIN();
