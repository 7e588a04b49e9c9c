#pragma once
// Fakes behind the io seams: a PacketChannel that records frames, a PacketIo that hands them
// out, and a LinkWatcher the test pushes snapshots through.

#include <map>
#include <set>
#include <vector>

#include "speaker/io/link_watcher.h"
#include "speaker/io/packet_io.h"

namespace ironlb::io::testing {

class FakeChannel : public PacketChannel {
 public:
  // Buffers are allocated up front so recording a send allocates nothing (the responder's
  // allocation test counts every operator new, the fake's included).
  FakeChannel() {
    sent.reserve(kCapacity);
    spare.resize(kCapacity);
    for (auto& buffer : spare)
      buffer.reserve(128);
  }
  bool send(std::span<const uint8_t> frame) override {
    if (refuse) return false;
    if (spare.empty()) return true;
    sent.push_back(std::move(spare.back()));
    spare.pop_back();
    sent.back().assign(frame.begin(), frame.end());
    return true;
  }
  static constexpr std::size_t kCapacity = 256;
  std::vector<std::vector<uint8_t>> spare;
  Status joinGroup(const net::IpAddress& group) override {
    groups.insert(group);
    return {};
  }
  Status leaveGroup(const net::IpAddress& group) override {
    groups.erase(group);
    return {};
  }
  std::vector<std::vector<uint8_t>> sent;
  std::set<net::IpAddress> groups;
  bool refuse = false;
  FrameHandler* handler = nullptr;
};

class FakePacketIo : public PacketIo {
 public:
  Result<std::unique_ptr<PacketChannel>> open(const announcer::Link& link,
                                              FrameHandler& handler) override {
    auto channel = std::make_unique<FakeChannel>();
    channel->handler = &handler;
    channels[link.index] = channel.get();
    return std::unique_ptr<PacketChannel>(std::move(channel));
  }
  std::map<int, FakeChannel*> channels;  // not owned; stale after close
};

class FakeLinkWatcher : public LinkWatcher {
 public:
  Status start(Callback onChange) override {
    callback = std::move(onChange);
    callback(links);
    return {};
  }
  void push(std::vector<announcer::Link> next) {
    links = std::move(next);
    callback(links);
  }
  std::vector<announcer::Link> links;
  Callback callback;
};

}  // namespace ironlb::io::testing
