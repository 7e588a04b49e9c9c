#include "controller/allocator/hold_back.h"

#include <algorithm>

namespace ironlb::allocator {

void HoldBack::hold(const net::IpAddress& ip, std::string service, util::MonoTime until) {
  holds_[ip] = Entry{std::move(service), until, ++nextOrder_};
}

const HoldBack::Entry* HoldBack::find(const net::IpAddress& ip) const {
  auto it = holds_.find(ip);
  return it == holds_.end() ? nullptr : &it->second;
}

bool HoldBack::erase(const net::IpAddress& ip) {
  return holds_.erase(ip) > 0;
}

std::vector<net::IpAddress> HoldBack::heldFor(std::string_view service) const {
  // Holds are few (edits within one grace period): a scan is cheaper than an index.
  const Entry* best[2] = {nullptr, nullptr};
  net::IpAddress ips[2];
  for (const auto& [ip, entry] : holds_) {
    if (entry.service != service) continue;
    const int f = ip.family() == net::Family::kV4 ? 0 : 1;
    if (best[f] == nullptr || entry.order > best[f]->order) {
      best[f] = &entry;
      ips[f] = ip;
    }
  }
  std::vector<net::IpAddress> out;
  for (int f : {0, 1})
    if (best[f] != nullptr) out.push_back(ips[f]);
  if (out.size() == 2 && best[1]->order > best[0]->order) std::swap(out[0], out[1]);
  return out;
}

std::vector<net::IpAddress> HoldBack::expire(util::MonoTime now) {
  std::vector<net::IpAddress> out;
  for (auto it = holds_.begin(); it != holds_.end();) {
    if (it->second.until <= now) {
      out.push_back(it->first);
      it = holds_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<util::MonoTime> HoldBack::nextExpiry() const {
  std::optional<util::MonoTime> next;
  for (const auto& [ip, entry] : holds_)
    if (!next || entry.until < *next) next = entry.until;
  return next;
}

}  // namespace ironlb::allocator
