#pragma once
// A deterministic discrete-event simulation of many membership cores on one simulated
// network: per-packet latency with jitter, random loss, per-direction link cuts, partitions.
// Nodes can be killed (abrupt), restarted (new incarnation), told to leave or withdraw.
// Used by the unit tests (small clusters) and the membership_sim program (up to 1,000 nodes).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "speaker/membership/membership.h"

namespace ironlb::membership::sim {

struct NetworkConfig {
  Duration latency = std::chrono::microseconds(200);  // one-way base
  Duration jitter = std::chrono::microseconds(100);   // mean of an exponential extra delay
  double loss = 0.0;                                  // independent per packet
  uint64_t seed = 1;
};

class SimCluster {
 public:
  // Nodes are named node-0000 ... and listed with distinct 2001:db8:: endpoints.
  SimCluster(std::size_t nodes, NetworkConfig network, Timers timers = {}, uint64_t seed = 1);

  static std::string nameOf(std::size_t i);
  static std::vector<uint8_t> testKey(int which = 0);
  // The type of a packet the sim's nodes sent (sealed or not: opened with testKey()), or 0.
  static uint8_t typeOf(std::span<const uint8_t> bytes);

  std::size_t size() const { return nodes_.size(); }
  util::MonoTime now() const { return now_; }
  Membership& node(std::size_t i) { return *nodes_[i].core; }
  bool up(std::size_t i) const { return nodes_[i].up; }

  void startAll();
  void start(std::size_t i);
  void kill(std::size_t i);  // abrupt: no goodbye, nothing more sent or received
  // A new process on node i: fresh state, incarnation above the old one.
  void restart(std::size_t i);
  void leave(std::size_t i);
  void setWithdrawn(std::size_t i, bool withdrawn);
  // Node i's link loses carrier (nothing in or out, and its core is told) or regains it. After
  // a link comes back the node's kernel re-resolves its neighbours (up to a second on Linux)
  // while the peers' entries for it may still be valid: packets node i sends keep being lost
  // for `resolveDelay`, packets to it get through.
  void setLinkUp(std::size_t i, bool up, Duration resolveDelay = Duration::zero());
  // Replaces node i's expected list with `members` (before or after it starts).
  Status setMembers(std::size_t i, const std::vector<std::size_t>& members);
  Status setKeys(std::size_t i, const std::vector<std::vector<uint8_t>>& keys);
  // Node i's wire (Config::wireVersion, requireSealed), for its next process (before start).
  void setWire(std::size_t i, int wireVersion, bool requireSealed = false) {
    nodes_[i].wireVersion = wireVersion;
    nodes_[i].requireSealed = requireSealed;
  }
  // Node i announces from `macs` (Membership::setLocalMacs; kept across restarts).
  void setMacs(std::size_t i, const std::vector<LinkMac>& macs);

  // Node i's process does not run for `d` (CPU starvation, VM pause): packets and timers
  // that fall due meanwhile are handled late, all at once.
  void pause(std::size_t i, Duration d);
  void setLoss(double loss) { network_.loss = loss; }
  // Packets from `from` to `to` are dropped while cut (one direction only).
  void cut(std::size_t from, std::size_t to, bool cut);
  // group[i] per node; packets between different groups are dropped until heal().
  void partition(const std::vector<int>& group);
  void heal();
  // Delivers `bytes` to node `to` as if sent by the network (forgery/replay tests), from
  // `source`; by default from the endpoint of the node named as sender in the packet (a
  // replay from the original address; the packet is opened with the test key), else from
  // node (to + 1).
  void inject(std::size_t to, std::vector<uint8_t> bytes, Duration delay = Duration::zero(),
              std::optional<Endpoint> source = std::nullopt);
  const Endpoint& endpointOf(std::size_t i) const { return specs_[i].endpoint; }
  // Called for every packet a node sends (before loss), e.g. to capture one for replay.
  std::function<void(std::size_t from, std::size_t to, std::span<const uint8_t>)> onSend;
  std::function<void(std::size_t node, const Event&)> onEvent;
  // Return true to drop a packet (e.g. every notice to one member).
  std::function<bool(std::size_t from, std::size_t to, std::span<const uint8_t>)> dropIf;

  void runFor(Duration d);
  // Runs until pred() is true (checked after each event) or `limit` simulated time passes.
  bool runUntil(const std::function<bool()>& pred, Duration limit);

  // Every up node (except those in `except`) has exactly `expected` (sorted) as live set.
  bool allAgree(const std::vector<std::string>& expected) const;
  std::vector<std::string> namesOf(const std::vector<std::size_t>& idx) const;

  uint64_t packetsSent() const { return packetsSent_; }
  uint64_t packetsDelivered() const { return packetsDelivered_; }
  uint64_t bytesSent() const { return bytesSent_; }

 private:
  struct Node {
    std::unique_ptr<Membership> core;
    bool up = false;
    uint64_t timerGeneration = 0;
    util::MonoTime armedAt = util::MonoTime::max();
    uint64_t incarnation = 0;
    util::MonoTime pausedUntil{};
    bool linkDown = false;
    util::MonoTime linkSilentUntil{};  // link up, neighbours not resolved yet
    std::vector<MemberSpec> members;
    std::vector<LinkMac> macs;
    bool macsSet = false;
    int wireVersion = 2;
    bool requireSealed = false;
  };
  struct Item {
    util::MonoTime at;
    uint64_t order;
    std::size_t node;
    bool timer;
    uint64_t generation;
    std::vector<uint8_t> bytes;
    Endpoint source;
  };
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };

  std::unique_ptr<Membership> makeCore(std::size_t i, uint64_t incarnation);
  void drain(std::size_t i);
  void step(Item item);
  bool delivered(std::size_t from, std::size_t to);

  NetworkConfig network_;
  Timers timers_;
  std::vector<MemberSpec> specs_;
  std::vector<Node> nodes_;
  std::unordered_map<MemberId, std::size_t> byId_;
  std::vector<int> group_;
  std::vector<std::vector<bool>> cuts_;
  bool anyCut_ = false;
  std::priority_queue<Item, std::vector<Item>, Later> queue_;
  uint64_t order_ = 0;
  util::MonoTime now_;
  std::mt19937_64 rng_;
  uint64_t seed_;
  uint64_t packetsSent_ = 0;
  uint64_t packetsDelivered_ = 0;
  uint64_t bytesSent_ = 0;
};

}  // namespace ironlb::membership::sim
