#pragma once
// Test helper: api::Service values in one line each, the way the API server serves them
// (ipFamilies filled in, type LoadBalancer unless told otherwise).

#include <string>
#include <utility>
#include <vector>

#include "common/api/service.h"
#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "common/net/prefix.h"

namespace ironlb::reconciler::testing {

class Svc {
 public:
  Svc(std::string ns, std::string name) {
    s_.meta.ns = std::move(ns);
    s_.meta.name = std::move(name);
    s_.spec.type = "LoadBalancer";
    s_.spec.ipFamilies = {net::Family::kV4};
    s_.spec.ports = {{"http", "TCP", 80}};
  }
  Svc& type(std::string t) {
    s_.spec.type = std::move(t);
    return *this;
  }
  Svc& cls(std::string c) {
    s_.spec.loadBalancerClass = std::move(c);
    return *this;
  }
  Svc& annotate(std::string k, std::string v) {
    s_.meta.annotations[std::move(k)] = std::move(v);
    return *this;
  }
  Svc& label(std::string k, std::string v) {
    s_.meta.labels[std::move(k)] = std::move(v);
    return *this;
  }
  Svc& lbIp(std::string ip) {
    s_.spec.loadBalancerIp = std::move(ip);
    return *this;
  }
  Svc& families(std::vector<net::Family> f) {
    s_.spec.ipFamilies = std::move(f);
    return *this;
  }
  Svc& policy(api::IpFamilyPolicy p) {
    s_.spec.ipFamilyPolicy = p;
    return *this;
  }
  Svc& ports(std::vector<api::ServicePort> p) {
    s_.spec.ports = std::move(p);
    return *this;
  }
  Svc& local(api::StringMap selector) {
    s_.spec.externalTrafficPolicy = api::TrafficPolicy::kLocal;
    s_.spec.selector = std::move(selector);
    return *this;
  }
  Svc& status(std::vector<std::string> ips) {
    s_.status.ingress.clear();
    for (auto& ip : ips)
      s_.status.ingress.push_back({std::move(ip), "", std::nullopt});
    return *this;
  }
  operator api::Service() const { return s_; }  // NOLINT: implicit for brevity in tables
  const api::Service& get() const { return s_; }

 private:
  api::Service s_;
};

inline net::IpAddress ip(std::string_view text) {
  return *net::IpAddress::parse(text);
}

inline lbconfig::Pool pool(std::string name, std::vector<std::string> cidrs) {
  lbconfig::Pool p;
  p.name = std::move(name);
  for (auto& c : cidrs)
    p.ranges.push_back({net::Prefix::parse(c)->prefix.range(), c});
  return p;
}

}  // namespace ironlb::reconciler::testing
