// Discrete-event network simulation for membership cores (see sim_cluster.h).

#include "test/sim/membership/sim_cluster.h"

#include <algorithm>
#include <cstdio>

#include "speaker/membership/crypto.h"

namespace ironlb::membership::sim {

SimCluster::SimCluster(std::size_t nodes, NetworkConfig network, Timers timers, uint64_t seed)
    : network_(network),
      timers_(timers),
      nodes_(nodes),
      group_(nodes, 0),
      now_(util::MonoTime{} + std::chrono::hours(1)),
      rng_(network.seed),
      seed_(seed) {
  for (std::size_t i = 0; i < nodes; ++i) {
    const auto addr = net::IpAddress::parse("2001:db8::1");
    specs_.push_back(MemberSpec{nameOf(i), Endpoint{*addr->plus(i), 7946}});
    byId_[memberIdOf(nameOf(i))] = i;
  }
  for (auto& n : nodes_)
    n.members = specs_;
}

std::string SimCluster::nameOf(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "node-%04zu", i);
  return buf;
}

std::vector<uint8_t> SimCluster::testKey(int which) {
  std::vector<uint8_t> key(32);
  for (std::size_t i = 0; i < key.size(); ++i)
    key[i] = static_cast<uint8_t>(i * 7 + which * 101);
  return key;
}

uint8_t SimCluster::typeOf(std::span<const uint8_t> bytes) {
  static const KeyRing kEys = [] {
    const std::vector<std::vector<uint8_t>> k = {testKey(0)};
    return *KeyRing::create(k);
  }();
  Message m;
  return decode(bytes, kEys, m) == DecodeResult::kOk ? static_cast<uint8_t>(m.type) : 0;
}

std::unique_ptr<Membership> SimCluster::makeCore(std::size_t i, uint64_t incarnation) {
  Config config;
  config.selfName = specs_[i].name;
  config.selfEndpoint = specs_[i].endpoint;
  config.startIncarnation = incarnation;
  config.randomSeed = seed_ * 1000003 + i * 7919 + incarnation;
  config.timers = timers_;
  config.wireVersion = nodes_[i].wireVersion;
  config.requireSealed = nodes_[i].requireSealed;
  const std::vector<std::vector<uint8_t>> keys = {testKey(0)};
  auto core = Membership::create(config, nodes_[i].members, keys);
  if (!core.ok()) {
    std::fprintf(stderr, "sim: %s\n", core.error().c_str());
    std::abort();
  }
  if (nodes_[i].macsSet) (*core)->setLocalMacs(nodes_[i].macs, now_);
  return std::move(*core);
}

void SimCluster::startAll() {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    start(i);
}

void SimCluster::start(std::size_t i) {
  Node& n = nodes_[i];
  if (!n.core) {
    // Incarnations model wall-clock milliseconds at process start.
    n.incarnation =
        1'000'000 + static_cast<uint64_t>((now_.time_since_epoch()).count() / 1'000'000);
    n.core = makeCore(i, n.incarnation);
  }
  n.up = true;
  n.core->start(now_);
  drain(i);
}

void SimCluster::kill(std::size_t i) {
  nodes_[i].up = false;
  ++nodes_[i].timerGeneration;
  nodes_[i].armedAt = util::MonoTime::max();
}

void SimCluster::restart(std::size_t i) {
  kill(i);
  Node& n = nodes_[i];
  n.incarnation =
      std::max(n.incarnation + 1,
               1'000'000 + static_cast<uint64_t>(now_.time_since_epoch().count() / 1'000'000));
  n.core = makeCore(i, n.incarnation);
  n.up = true;
  n.core->start(now_);
  drain(i);
}

void SimCluster::leave(std::size_t i) {
  nodes_[i].core->leave(now_);
  drain(i);
}

void SimCluster::setWithdrawn(std::size_t i, bool withdrawn) {
  nodes_[i].core->setWithdrawn(withdrawn, now_);
  drain(i);
}

void SimCluster::setLinkUp(std::size_t i, bool up, Duration resolveDelay) {
  Node& n = nodes_[i];
  n.linkDown = !up;
  n.linkSilentUntil = up ? now_ + resolveDelay : util::MonoTime{};
  anyCut_ = true;
  if (!n.core) return;
  n.core->setLinkUp(up, now_);
  drain(i);
}

Status SimCluster::setMembers(std::size_t i, const std::vector<std::size_t>& members) {
  std::vector<MemberSpec> specs;
  for (std::size_t m : members)
    specs.push_back(specs_[m]);
  nodes_[i].members = specs;
  if (!nodes_[i].core) return {};  // used when the node starts
  Status s = nodes_[i].core->setMembers(specs, now_);
  drain(i);
  return s;
}

Status SimCluster::setKeys(std::size_t i, const std::vector<std::vector<uint8_t>>& keys) {
  return nodes_[i].core->setKeys(keys);
}

void SimCluster::setMacs(std::size_t i, const std::vector<LinkMac>& macs) {
  nodes_[i].macs = macs;
  nodes_[i].macsSet = true;
  if (!nodes_[i].core) return;
  nodes_[i].core->setLocalMacs(macs, now_);
  drain(i);
}

void SimCluster::cut(std::size_t from, std::size_t to, bool isCut) {
  if (cuts_.empty()) cuts_.assign(nodes_.size(), std::vector<bool>(nodes_.size(), false));
  cuts_[from][to] = isCut;
  anyCut_ = true;
}

void SimCluster::partition(const std::vector<int>& group) {
  group_ = group;
}

void SimCluster::heal() {
  std::fill(group_.begin(), group_.end(), 0);
}

void SimCluster::inject(std::size_t to, std::vector<uint8_t> bytes, Duration delay,
                        std::optional<Endpoint> source) {
  if (!source) {
    std::size_t from = (to + 1) % nodes_.size();
    const std::vector<std::vector<uint8_t>> keys = {testKey(0)};
    Message m;
    if (decode(bytes, *KeyRing::create(keys), m) == DecodeResult::kOk) {
      if (auto it = byId_.find(m.sender); it != byId_.end()) from = it->second;
    }
    source = specs_[from].endpoint;
  }
  queue_.push(Item{now_ + delay, order_++, to, false, 0, std::move(bytes), *source});
}

bool SimCluster::delivered(std::size_t from, std::size_t to) {
  if (group_[from] != group_[to]) return false;
  if (anyCut_) {
    if (!cuts_.empty() && cuts_[from][to]) return false;
    if (nodes_[from].linkDown || nodes_[to].linkDown) return false;
    if (now_ < nodes_[from].linkSilentUntil) return false;
  }
  if (network_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < network_.loss) {
    return false;
  }
  return true;
}

void SimCluster::drain(std::size_t i) {
  Node& n = nodes_[i];
  const Outbox& out = n.core->outbox();
  for (std::size_t p = 0; p < out.size(); ++p) {
    const OutPacket packet = out[p];
    ++packetsSent_;
    bytesSent_ += packet.bytes.size();
    auto it = byId_.find(packet.member);
    if (it == byId_.end()) continue;
    const std::size_t to = it->second;
    if (onSend) onSend(i, to, packet.bytes);
    if (!delivered(i, to) || (dropIf && dropIf(i, to, packet.bytes))) continue;
    Duration delay = network_.latency;
    if (network_.jitter > Duration::zero()) {
      std::exponential_distribution<double> jitter(1.0 /
                                                   static_cast<double>(network_.jitter.count()));
      delay += Duration(static_cast<Duration::rep>(jitter(rng_)));
    }
    queue_.push(Item{now_ + delay, order_++, to, false, 0,
                     std::vector<uint8_t>(packet.bytes.begin(), packet.bytes.end()),
                     specs_[i].endpoint});
  }
  if (onEvent) {
    for (const Event& e : n.core->events())
      onEvent(i, e);
  }
  n.core->clearOutputs();
  const util::MonoTime next = n.core->nextWakeup();
  if (n.up && next != n.armedAt) {
    n.armedAt = next;
    ++n.timerGeneration;
    if (next != util::MonoTime::max()) {
      queue_.push(Item{std::max(next, now_), order_++, i, true, n.timerGeneration, {}, {}});
    }
  }
}

void SimCluster::pause(std::size_t i, Duration d) {
  nodes_[i].pausedUntil = now_ + d;
}

void SimCluster::step(Item item) {
  now_ = std::max(now_, item.at);
  Node& n = nodes_[item.node];
  if (!n.up) return;
  if (now_ < n.pausedUntil) {
    item.at = n.pausedUntil;
    queue_.push(std::move(item));
    return;
  }
  if (item.timer) {
    if (item.generation != n.timerGeneration) return;
    n.armedAt = util::MonoTime::max();
    n.core->onTimer(now_);
  } else {
    ++packetsDelivered_;
    n.core->onPacket(item.bytes, item.source, now_);
  }
  drain(item.node);
}

void SimCluster::runFor(Duration d) {
  const util::MonoTime end = now_ + d;
  while (!queue_.empty() && queue_.top().at <= end) {
    Item item = std::move(const_cast<Item&>(queue_.top()));
    queue_.pop();
    step(std::move(item));
  }
  now_ = end;
}

bool SimCluster::runUntil(const std::function<bool()>& pred, Duration limit) {
  const util::MonoTime end = now_ + limit;
  if (pred()) return true;
  while (!queue_.empty() && queue_.top().at <= end) {
    Item item = std::move(const_cast<Item&>(queue_.top()));
    queue_.pop();
    step(std::move(item));
    if (pred()) return true;
  }
  now_ = end;
  return pred();
}

bool SimCluster::allAgree(const std::vector<std::string>& expected) const {
  for (const auto& n : nodes_) {
    if (n.up && n.core->liveMembers() != expected && !n.core->leaving()) return false;
  }
  return true;
}

std::vector<std::string> SimCluster::namesOf(const std::vector<std::size_t>& idx) const {
  std::vector<std::string> out;
  for (std::size_t i : idx)
    out.push_back(specs_[i].name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ironlb::membership::sim
