// Dataplane: executes announcer actions. Clock reads (of the injected Clock) live here, not in
// the announcer.
#include "speaker/io/dataplane.h"

namespace ironlb::io {

using announcer::Action;

Result<std::unique_ptr<Dataplane>> Dataplane::create(boost::asio::io_context& io,
                                                     const util::Clock& clock, PacketIo& packets,
                                                     LinkWatcher& links, DataplaneConfig config) {
  auto filter = announcer::InterfaceFilter::create(config.excludePatterns);
  if (!filter.ok()) return makeError(filter.error());
  return std::unique_ptr<Dataplane>(
      new Dataplane(io, clock, packets, links, config.announcer, std::move(filter).value()));
}

Dataplane::Dataplane(boost::asio::io_context& io, const util::Clock& clock, PacketIo& packets,
                     LinkWatcher& links, announcer::AnnouncerConfig config,
                     announcer::InterfaceFilter filter)
    : clock_(clock),
      packets_(packets),
      links_(links),
      announcer_(config, std::move(filter)),
      responder_(table_, this),
      timer_(io) {}

Dataplane::~Dataplane() {
  *alive_ = false;
}

Status Dataplane::start() {
  return links_.start([this](const std::vector<announcer::Link>& links) { onLinks(links); });
}

void Dataplane::setDesired(const announcer::Desired& desired) {
  apply(announcer_.setDesired(desired, clock_.now()));
}

void Dataplane::reannounce(const std::vector<net::IpAddress>& ips) {
  apply(announcer_.reannounce(ips, clock_.now()));
}

void Dataplane::onLinks(const std::vector<announcer::Link>& links) {
  // Refresh what the packet path knows about already-open links before acting.
  for (const auto& l : links) {
    auto it = ports_.find(l.index);
    if (it == ports_.end()) continue;
    it->second->ctx.mac = l.mac;
  }
  apply(announcer_.setLinks(links, clock_.now()));
}

void Dataplane::apply(const std::vector<Action>& actions) {
  bool tableDirty = false;
  for (const Action& a : actions) {
    switch (a.kind) {
      case Action::Kind::kOpenInterface: {
        auto port = std::make_unique<Port>(responder_);
        port->ctx.ifindex = a.ifindex;
        port->ctx.mac = a.link->mac;
        port->ctx.counters = &counters_.interface(a.ifindex);
        auto channel = packets_.open(*a.link, *port);
        if (!channel.ok()) {
          error(channel.error());
          break;
        }
        port->channel = std::move(channel).value();
        port->ctx.channel = port->channel.get();
        ports_[a.ifindex] = std::move(port);
        break;
      }
      case Action::Kind::kCloseInterface:
        ports_.erase(a.ifindex);
        break;
      case Action::Kind::kJoinGroup:
      case Action::Kind::kLeaveGroup: {
        auto it = ports_.find(a.ifindex);
        if (it == ports_.end()) break;
        Status s = a.kind == Action::Kind::kJoinGroup ? it->second->channel->joinGroup(a.group)
                                                      : it->second->channel->leaveGroup(a.group);
        if (!s.ok()) error(s.error());
        break;
      }
      case Action::Kind::kStartAnswering:
      case Action::Kind::kStopAnswering:
        tableDirty = true;
        break;
      case Action::Kind::kSendGratuitous: {
        if (tableDirty) {  // answer before announcing
          rebuildTable();
          tableDirty = false;
        }
        auto it = ports_.find(a.ifindex);
        if (it == ports_.end()) break;
        responder_.sendGratuitous(it->second->ctx, a.ip, counters_.ip(a.ifindex, a.ip));
        break;
      }
    }
  }
  if (tableDirty) rebuildTable();
  schedule();
}

void Dataplane::rebuildTable() {
  std::vector<announcer::Ownership> entries;
  for (const auto& a : announcer_.announcements())
    entries.push_back({a.ifindex, a.ip, &counters_.ip(a.ifindex, a.ip)});
  table_.rebuild(entries);
}

void Dataplane::schedule() {
  const auto deadline = announcer_.nextDeadline();
  if (!deadline) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(*deadline - clock_.now());
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    apply(announcer_.tick(clock_.now()));
  });
}

}  // namespace ironlb::io
