#pragma once
// IpTable: every IP in use, with the Services holding it, in a hash map keyed by the address;
// and the index of IPs by (sharing key, backend key) in address order, so a compatible shared IP
// can be found without scanning every assignment.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/net/ip_address.h"
#include "controller/allocator/user_list.h"

namespace ironlb::allocator {

struct ServiceState;

struct IpUse {
  // Never empty. With more than one user, all carry the same sharing and backend keys.
  UserList users;
  uint32_t rangeId = 0;  // in the current PoolSet
};

class IpTable {
 public:
  using Map = std::unordered_map<net::IpAddress, IpUse>;

  const IpUse* find(const net::IpAddress& ip) const;
  IpUse* find(const net::IpAddress& ip);

  // Adds `user` to `ip`; returns true when the IP was free before.
  bool addUser(const net::IpAddress& ip, uint32_t rangeId, ServiceState* user);
  // Removes `user` from `ip`; returns true when the IP is now free (its record is gone).
  bool removeUser(const net::IpAddress& ip, const ServiceState* user);
  // The sole user of `ip` has changed its keys in place from (oldSharing, oldBackend).
  void regroup(const net::IpAddress& ip, std::string_view oldSharing, std::string_view oldBackend);

  // IPs whose users carry these keys, ascending; nullptr when none. Only non-empty sharing keys
  // are indexed (an IP without a sharing key can never be shared).
  const std::set<net::IpAddress>* group(std::string_view sharingKey,
                                        std::string_view backendKey) const;

  Map& entries() { return ips_; }
  std::size_t size() const { return ips_.size(); }
  void reserve(std::size_t count) { ips_.reserve(count); }

 private:
  struct GroupKey {
    std::string sharing;
    std::string backend;
  };
  struct GroupKeyView {
    std::string_view sharing;
    std::string_view backend;
  };
  struct GroupHash {
    using is_transparent = void;
    std::size_t operator()(const GroupKeyView& k) const noexcept;
    std::size_t operator()(const GroupKey& k) const noexcept {
      return (*this)(GroupKeyView{k.sharing, k.backend});
    }
  };
  struct GroupEq {
    using is_transparent = void;
    static GroupKeyView view(const GroupKey& k) { return {k.sharing, k.backend}; }
    static GroupKeyView view(const GroupKeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a).sharing == view(b).sharing && view(a).backend == view(b).backend;
    }
  };

  void index(const net::IpAddress& ip, std::string_view sharing, std::string_view backend);
  void unindex(const net::IpAddress& ip, std::string_view sharing, std::string_view backend);

  Map ips_;
  std::unordered_map<GroupKey, std::set<net::IpAddress>, GroupHash, GroupEq> groups_;
};

}  // namespace ironlb::allocator
