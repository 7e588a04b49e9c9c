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

bool IpTable::addUser(const net::IpAddress& ip, uint32_t range_id, ServiceState* user) {
  auto [it, inserted] = ips_.try_emplace(ip);
  it->second.users.pushBack(user);
  if (inserted) {
    it->second.range_id = range_id;
    index(ip, user->sharing_key, user->backend_key);
  }
  return inserted;
}

bool IpTable::removeUser(const net::IpAddress& ip, const ServiceState* user) {
  auto it = ips_.find(ip);
  assert(it != ips_.end());
  it->second.users.erase(user);
  if (!it->second.users.empty()) return false;
  unindex(ip, user->sharing_key, user->backend_key);
  ips_.erase(it);
  return true;
}

void IpTable::regroup(const net::IpAddress& ip, std::string_view old_sharing,
                      std::string_view old_backend) {
  const IpUse* use = find(ip);
  assert(use != nullptr && use->users.size() == 1);
  unindex(ip, old_sharing, old_backend);
  index(ip, use->users.front()->sharing_key, use->users.front()->backend_key);
}

const std::set<net::IpAddress>* IpTable::group(std::string_view sharing_key,
                                               std::string_view backend_key) const {
  if (sharing_key.empty()) return nullptr;
  auto it = groups_.find(GroupKeyView{sharing_key, backend_key});
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
