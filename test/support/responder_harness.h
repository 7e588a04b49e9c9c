#pragma once
// One io::Responder wired to interface kIfindex with its ownership table, counters and a channel
// of the caller's choosing: the fixture shared by the responder's unit tests, its benchmark and
// the wire fuzz target.

#include <utility>
#include <vector>

#include "speaker/announcer/counters.h"
#include "speaker/announcer/ownership_table.h"
#include "speaker/io/responder.h"

namespace ironlb::testsupport {

template <class Channel>
struct ResponderHarness {
  static constexpr int kIfindex = 2;

  explicit ResponderHarness(const net::MacAddress& mac,
                            io::DuplicateOwnerListener* listener = nullptr)
      : responder(table, listener) {
    ctx.ifindex = kIfindex;
    ctx.mac = mac;
    ctx.counters = &store.interface(kIfindex);
    ctx.channel = &channel;
  }

  // Replaces what is owned, as (ifindex, ip) pairs; counters live in `store`.
  void own(const std::vector<std::pair<int, net::IpAddress>>& owned) {
    std::vector<announcer::Ownership> entries;
    entries.reserve(owned.size());
    for (const auto& [ifindex, ip] : owned)
      entries.push_back({ifindex, ip, &store.ip(ifindex, ip)});
    table.rebuild(entries);
  }

  announcer::CounterStore store;
  announcer::OwnershipTable table;
  Channel channel;
  io::InterfaceContext ctx;
  io::Responder responder;
};

}  // namespace ironlb::testsupport
