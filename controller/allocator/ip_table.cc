#include "controller/allocator/ip_table.h"

#include <algorithm>
#include <cassert>
#include <functional>

#include "controller/allocator/service_state.h"

namespace ironlb::allocator {

std::size_t IpTable::GroupHash::operator()(const GroupKeyView& k) const noexcept {
  const std::size_t a = std::hash<std::string_view>{}(k.sharing);
  const std::size_t b = std::hash<std::string_view>{}(k.backend);
  return a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
}

const IpUse* IpTable::find(const net::IpAddress& ip) const {
  auto it = ips_.find(ip);
  return it == ips_.end() ? nullptr : &it->second;
}

IpUse* IpTable::find(const net::IpAddress& ip) {
  auto it = ips_.find(ip);
  return it == ips_.end() ? nullptr : &it->second;
}

bool IpTable::addUser(const net::IpAddress& ip, uint32_t rangeId, ServiceState* user) {
  auto [it, inserted] = ips_.try_emplace(ip);
  it->second.users.pushBack(user);
  if (inserted) {
    it->second.rangeId = rangeId;
    index(ip, user->sharingKey, user->backendKey);
  }
  return inserted;
}

bool IpTable::removeUser(const net::IpAddress& ip, const ServiceState* user) {
  auto it = ips_.find(ip);
  assert(it != ips_.end());
  it->second.users.erase(user);
  if (!it->second.users.empty()) return false;
  unindex(ip, user->sharingKey, user->backendKey);
  ips_.erase(it);
  return true;
}

void IpTable::regroup(const net::IpAddress& ip, std::string_view oldSharing,
                      std::string_view oldBackend) {
  const IpUse* use = find(ip);
  assert(use != nullptr && use->users.size() == 1);
  unindex(ip, oldSharing, oldBackend);
  index(ip, use->users.front()->sharingKey, use->users.front()->backendKey);
}

const std::set<net::IpAddress>* IpTable::group(std::string_view sharingKey,
                                               std::string_view backendKey) const {
  if (sharingKey.empty()) return nullptr;
  auto it = groups_.find(GroupKeyView{sharingKey, backendKey});
  return it == groups_.end() ? nullptr : &it->second;
}

void IpTable::index(const net::IpAddress& ip, std::string_view sharing, std::string_view backend) {
  if (sharing.empty()) return;
  auto it = groups_.find(GroupKeyView{sharing, backend});
  if (it == groups_.end()) {
    it = groups_
             .emplace(GroupKey{std::string(sharing), std::string(backend)},
                      std::set<net::IpAddress>{})
             .first;
  }
  it->second.insert(ip);
}

void IpTable::unindex(const net::IpAddress& ip, std::string_view sharing,
                      std::string_view backend) {
  if (sharing.empty()) return;
  auto it = groups_.find(GroupKeyView{sharing, backend});
  assert(it != groups_.end());
  it->second.erase(ip);
  if (it->second.empty()) groups_.erase(it);
}

}  // namespace ironlb::allocator
