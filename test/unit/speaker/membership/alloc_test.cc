// The steady-state packet path allocates nothing: neither C++ allocations (operator new is
// replaced in this binary) nor OpenSSL's (CRYPTO_set_mem_functions).

#include <openssl/crypto.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <new>
#include <vector>

#include "speaker/membership/crypto.h"
#include "speaker/membership/membership.h"

namespace {

bool counting = false;
long allocations = 0;

void* countedMalloc(std::size_t n) {
  if (counting) ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* sslMalloc(std::size_t n, const char*, int) {
  return countedMalloc(n);
}
void* sslRealloc(void* p, std::size_t n, const char*, int) {
  if (counting) ++allocations;
  return std::realloc(p, n);
}
void sslFree(void* p, const char*, int) {
  std::free(p);
}
// Must run before OpenSSL allocates anything, so it runs ahead of every ordinary static
// initialiser in the binary (some, e.g. in Debug+ASan builds, reach OpenSSL).
bool sslHooked = false;
__attribute__((constructor(101))) void hookOpenSsl() {
  sslHooked = CRYPTO_set_mem_functions(sslMalloc, sslRealloc, sslFree) == 1;
}

}  // namespace

void* operator new(std::size_t n) {
  void* p = countedMalloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
// GCC 12 flags free() in a replaced operator delete once it inlines it into a caller
// (-Wmismatched-new-delete): a false positive, operator new above uses malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace ironlb::membership {
namespace {

TEST(AllocationTest, SteadyStatePacketPathDoesNotAllocate) {
  ASSERT_TRUE(sslHooked) << "OpenSSL allocated before the hook was installed";
  constexpr std::size_t kNodes = 5;
  std::vector<MemberSpec> specs;
  for (std::size_t i = 0; i < kNodes; ++i) {
    specs.push_back(
        MemberSpec{"node-" + std::to_string(i),
                   Endpoint{net::IpAddress::v4(0xc0000201u + static_cast<uint32_t>(i)), 7946}});
  }
  const std::vector<std::vector<uint8_t>> keys = {std::vector<uint8_t>(32, 7)};
  std::vector<std::unique_ptr<Membership>> nodes;
  for (std::size_t i = 0; i < kNodes; ++i) {
    Config config;
    config.selfName = specs[i].name;
    config.selfEndpoint = specs[i].endpoint;
    config.startIncarnation = 1000 + i;
    config.randomSeed = i + 1;
    auto m = Membership::create(config, specs, keys);
    ASSERT_TRUE(m.ok()) << m.error();
    // Announcing MACs too: their steady-state refresh must not allocate either.
    const LinkMac mac{2, 0, 0, 0, 0, static_cast<uint8_t>(i + 1)};
    (*m)->setLocalMacs({&mac, 1}, util::MonoTime{} + std::chrono::hours(1));
    nodes.push_back(std::move(*m));
  }
  struct Packet {
    std::size_t to;
    std::size_t from;
    std::vector<uint8_t> bytes;
  };
  std::deque<Packet> wire;
  auto collect = [&](std::size_t from) {
    const Outbox& out = nodes[from]->outbox();
    for (std::size_t p = 0; p < out.size(); ++p) {
      for (std::size_t to = 0; to < kNodes; ++to) {
        if (memberIdOf(specs[to].name) == out[p].member) {
          wire.push_back({to, from, {out[p].bytes.begin(), out[p].bytes.end()}});
        }
      }
    }
    nodes[from]->clearOutputs();
  };
  util::MonoTime now = util::MonoTime{} + std::chrono::hours(1);
  for (std::size_t i = 0; i < kNodes; ++i) {
    nodes[i]->start(now);
    collect(i);
  }
  long receiveAllocations = 0;
  long timerAllocations = 0;
  long packets = 0;
  // 3 s of 1 ms steps; allocations are counted only in the last second (steady state).
  for (int step = 0; step < 3000; ++step) {
    const bool measure = step >= 2000;
    now += std::chrono::milliseconds(1);
    while (!wire.empty()) {
      Packet p = std::move(wire.front());
      wire.pop_front();
      allocations = 0;
      counting = measure;
      nodes[p.to]->onPacket(p.bytes, specs[p.from].endpoint, now);
      counting = false;
      receiveAllocations += allocations;
      packets += measure;
      collect(p.to);
    }
    for (std::size_t i = 0; i < kNodes; ++i) {
      if (nodes[i]->nextWakeup() > now) continue;
      allocations = 0;
      counting = measure;
      nodes[i]->onTimer(now);
      counting = false;
      timerAllocations += allocations;
      collect(i);
    }
  }
  for (const auto& n : nodes)
    ASSERT_EQ(n->liveMembers().size(), kNodes);
  EXPECT_GT(packets, 500);
  EXPECT_EQ(receiveAllocations, 0) << "over " << packets << " packets";
  EXPECT_EQ(timerAllocations, 0);
}

}  // namespace
}  // namespace ironlb::membership
