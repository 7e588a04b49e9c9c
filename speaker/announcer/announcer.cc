// Announcer reconciliation: compute wanted state from (links, desired), diff it against what was
// last emitted, and emit actions in an order the io layer can execute one by one: open links,
// stop answering, leave groups, join groups, start answering, close links, then due sends.
#include "speaker/announcer/announcer.h"

#include <algorithm>

#include "speaker/wire/ndp.h"

namespace ironlb::announcer {

Announcer::Announcer(AnnouncerConfig config, InterfaceFilter filter)
    : config_(config), filter_(std::move(filter)) {
  config_.burstCount = std::max(config_.burstCount, 1);
}

std::vector<Action> Announcer::setLinks(const std::vector<Link>& links, util::MonoTime now) {
  std::set<int> reburst;
  std::map<int, Link> next;
  for (const auto& l : links) {
    next[l.index] = l;
    auto old = links_.find(l.index);
    if (old == links_.end()) continue;
    const bool carrierBack = !old->second.carrier && l.carrier;
    const bool macChanged = old->second.mac != l.mac;
    if (carrierBack || macChanged) reburst.insert(l.index);
  }
  links_ = std::move(next);
  return reconcile(now, reburst);
}

std::vector<Action> Announcer::setDesired(const Desired& desired, util::MonoTime now) {
  desired_ = desired;
  return reconcile(now, {});
}

std::vector<Action> Announcer::tick(util::MonoTime now) {
  std::vector<Action> out;
  appendDue(now, out);
  return out;
}

std::vector<Action> Announcer::reannounce(const std::vector<net::IpAddress>& ips,
                                          util::MonoTime now) {
  std::vector<Action> out;
  if (ips.empty()) return out;
  const std::set<net::IpAddress> wanted(ips.begin(), ips.end());
  for (auto& [key, s] : announced_)
    if (wanted.count(key.first) != 0) s = Schedule{now, config_.burstCount};
  appendDue(now, out);
  return out;
}

std::optional<util::MonoTime> Announcer::nextDeadline() const {
  std::optional<util::MonoTime> earliest;
  for (const auto& [key, s] : announced_)
    if (s.burstLeft > 0 && (!earliest || s.next < *earliest)) earliest = s.next;
  return earliest;
}

std::map<Announcer::Key, bool> Announcer::wantedPairs() const {
  std::map<Key, bool> wanted;
  for (const auto& [ip, names] : desired_) {
    for (const auto& [index, l] : links_) {
      if (filter_.check(l) != Ineligibility::kNone) continue;
      if (names.empty() || names.count(l.name) != 0) wanted[{ip, index}] = true;
    }
  }
  return wanted;
}

std::vector<Action> Announcer::reconcile(util::MonoTime now, const std::set<int>& reburst) {
  std::vector<Action> out;
  using K = Action::Kind;

  std::set<int> eligible;
  for (const auto& [index, l] : links_)
    if (filter_.check(l) == Ineligibility::kNone) eligible.insert(index);
  for (int index : eligible)
    if (open_.count(index) == 0) out.push_back({K::kOpenInterface, index, {}, {}, &links_[index]});

  const auto wanted = wantedPairs();
  std::map<std::pair<int, net::IpAddress>, int> groups;
  for (const auto& [key, unused] : wanted)
    if (key.first.isV6()) ++groups[{key.second, wire::solicitedNodeMulticast(key.first)}];

  for (auto it = announced_.begin(); it != announced_.end();) {
    if (wanted.count(it->first) == 0) {
      out.push_back({K::kStopAnswering, it->first.second, it->first.first, {}, nullptr});
      it = announced_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, users] : groups_)
    if (groups.count(key) == 0) out.push_back({K::kLeaveGroup, key.first, {}, key.second, nullptr});
  for (const auto& [key, users] : groups)
    if (groups_.count(key) == 0) out.push_back({K::kJoinGroup, key.first, {}, key.second, nullptr});
  groups_ = std::move(groups);

  for (const auto& [key, unused] : wanted) {
    auto it = announced_.find(key);
    if (it == announced_.end()) {
      out.push_back({K::kStartAnswering, key.second, key.first, {}, nullptr});
      announced_[key] = Schedule{now, config_.burstCount};
    } else if (reburst.count(key.second) != 0) {
      it->second = Schedule{now, config_.burstCount};
    }
  }

  for (auto it = open_.begin(); it != open_.end(); ++it)
    if (eligible.count(*it) == 0) out.push_back({K::kCloseInterface, *it, {}, {}, nullptr});
  open_ = std::move(eligible);

  appendDue(now, out);
  return out;
}

void Announcer::appendDue(util::MonoTime now, std::vector<Action>& out) {
  for (auto& [key, s] : announced_) {
    if (s.burstLeft <= 0 || s.next > now) continue;
    out.push_back({Action::Kind::kSendGratuitous, key.second, key.first, {}, nullptr});
    --s.burstLeft;
    if (s.burstLeft > 0) {
      s.next = now + config_.burstInterval;
    } else if (config_.refreshInterval > Duration::zero()) {
      // A refresh is a burst of one.
      s.next = now + config_.refreshInterval;
      s.burstLeft = 1;
    }
  }
}

std::vector<Announcement> Announcer::announcements() const {
  std::vector<Announcement> out;
  out.reserve(announced_.size());
  for (const auto& [key, s] : announced_)
    out.push_back({key.first, key.second});
  return out;
}

std::vector<Refusal> Announcer::refusals() const {
  std::vector<Refusal> out;
  for (const auto& [ip, names] : desired_) {
    if (names.empty()) {
      const bool any = std::any_of(links_.begin(), links_.end(), [&](const auto& kv) {
        return filter_.check(kv.second) == Ineligibility::kNone;
      });
      if (!any) out.push_back({ip, "", Ineligibility::kMissing});
      continue;
    }
    for (const auto& name : names) {
      auto it = std::find_if(links_.begin(), links_.end(),
                             [&](const auto& kv) { return kv.second.name == name; });
      if (it == links_.end()) {
        out.push_back({ip, name, Ineligibility::kMissing});
      } else if (auto why = filter_.check(it->second); why != Ineligibility::kNone) {
        out.push_back({ip, name, why});
      }
    }
  }
  return out;
}

const Link* Announcer::link(int ifindex) const {
  auto it = links_.find(ifindex);
  return it == links_.end() ? nullptr : &it->second;
}

}  // namespace ironlb::announcer
