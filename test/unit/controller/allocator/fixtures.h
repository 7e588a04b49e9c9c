#pragma once
// Test helpers: build lbconfig::Pool values and ServiceRequests from short text, the way the
// config builder and the controller would.

#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "common/net/ip_range.h"
#include "common/net/prefix.h"
#include "controller/allocator/allocation.h"
#include "controller/allocator/service_request.h"

namespace ironlb::allocator::testing {

inline net::IpAddress ip(std::string_view text) {
  auto parsed = net::IpAddress::parse(text);
  if (!parsed) throw std::invalid_argument(parsed.error());
  return *parsed;
}

inline std::vector<net::IpAddress> ips(std::initializer_list<std::string_view> texts) {
  std::vector<net::IpAddress> out;
  for (auto t : texts)
    out.push_back(ip(t));
  return out;
}

// "192.0.2.0/28" or "192.0.2.1-192.0.2.9".
inline lbconfig::PoolRange poolRange(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    auto p = net::Prefix::parse(text);
    if (!p) throw std::invalid_argument(p.error());
    return {p->prefix.range(), std::string(text)};
  }
  auto r = net::IpRange::parse(text);
  if (!r) throw std::invalid_argument(r.error());
  return {*r, std::string(text)};
}

class PoolBuilder {
 public:
  PoolBuilder(std::string name, std::initializer_list<std::string_view> ranges) {
    pool_.name = std::move(name);
    for (auto r : ranges)
      pool_.ranges.push_back(poolRange(r));
  }
  PoolBuilder& noAutoAssign() {
    pool_.autoAssign = false;
    return *this;
  }
  PoolBuilder& avoidBuggyIps() {
    pool_.avoidBuggyIps = true;
    return *this;
  }
  PoolBuilder& priority(int p) {
    allocation().priority = p;
    return *this;
  }
  PoolBuilder& namespaces(std::vector<std::string> names) {
    allocation().namespaces = std::move(names);
    return *this;
  }
  // One serviceSelectors entry requiring label key=value.
  PoolBuilder& serviceSelector(std::string key, std::string value) {
    allocation().serviceSelectors.emplace_back(
        std::vector<lbconfig::Requirement>{{std::move(key), lbconfig::SelectorOp::kIn, {value}}});
    return *this;
  }
  PoolBuilder& namespaceSelector(std::string key, std::string value) {
    allocation().namespaceSelectors.emplace_back(
        std::vector<lbconfig::Requirement>{{std::move(key), lbconfig::SelectorOp::kIn, {value}}});
    return *this;
  }
  PoolBuilder& deleting() {
    pool_.deleting = true;
    return *this;
  }
  PoolBuilder& emptyServiceAllocation() {
    allocation();
    return *this;
  }
  operator lbconfig::Pool() const { return pool_; }  // NOLINT: builder converts implicitly
  lbconfig::Pool build() const { return pool_; }

 private:
  lbconfig::ServiceAllocation& allocation() {
    if (!pool_.serviceAllocation) pool_.serviceAllocation.emplace();
    return *pool_.serviceAllocation;
  }
  lbconfig::Pool pool_;
};

inline PoolBuilder pool(std::string name, std::initializer_list<std::string_view> ranges) {
  return PoolBuilder(std::move(name), ranges);
}

class ServiceBuilder {
 public:
  explicit ServiceBuilder(std::string key) {
    r_.key = std::move(key);
    r_.ns = r_.key.substr(0, r_.key.find('/'));
    r_.families = {net::Family::kV4};
    r_.ports = {{Protocol::kTcp, 80}};
  }
  ServiceBuilder& v6() {
    r_.families = {net::Family::kV6};
    return *this;
  }
  // Two families, `first` primary.
  ServiceBuilder& dual(FamilyPolicy policy, net::Family first = net::Family::kV4) {
    r_.familyPolicy = policy;
    r_.families = {first, first == net::Family::kV4 ? net::Family::kV6 : net::Family::kV4};
    return *this;
  }
  ServiceBuilder& policy(FamilyPolicy policy) {
    r_.familyPolicy = policy;
    return *this;
  }
  ServiceBuilder& wants(std::initializer_list<std::string_view> texts) {
    r_.requestedIps = ips(texts);
    return *this;
  }
  ServiceBuilder& fromPool(std::string name) {
    r_.requestedPool = std::move(name);
    return *this;
  }
  ServiceBuilder& share(std::string key) {
    r_.sharingKey = std::move(key);
    return *this;
  }
  ServiceBuilder& backend(std::string key) {
    r_.backendKey = std::move(key);
    return *this;
  }
  ServiceBuilder& ports(std::vector<ServicePort> ports) {
    r_.ports = std::move(ports);
    return *this;
  }
  ServiceBuilder& tcp(uint16_t port) {
    r_.ports = {{Protocol::kTcp, port}};
    return *this;
  }
  ServiceBuilder& label(std::string key, std::string value) {
    r_.labels[std::move(key)] = std::move(value);
    return *this;
  }
  ServiceBuilder& nsLabel(std::string key, std::string value) {
    r_.namespaceLabels[std::move(key)] = std::move(value);
    return *this;
  }
  operator ServiceRequest() const { return r_; }  // NOLINT: builder converts implicitly
  ServiceRequest build() const { return r_; }

 private:
  ServiceRequest r_;
};

inline ServiceBuilder svc(std::string key) {
  return ServiceBuilder(std::move(key));
}

// "pool: ip[,ip]" — a compact form for table expectations.
inline std::string describe(const Assignment& a) {
  std::string out = a.pool + ":";
  for (std::size_t i = 0; i < a.ips.size(); ++i)
    out += (i ? "," : " ") + a.ips[i].toString();
  return out;
}

}  // namespace ironlb::allocator::testing

namespace ironlb::allocator {
inline void PrintTo(const Assignment& a, std::ostream* os) {
  *os << testing::describe(a);
}
}  // namespace ironlb::allocator
