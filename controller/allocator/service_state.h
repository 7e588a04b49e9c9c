#pragma once
// ServiceState: what the allocator remembers about a Service that holds IPs. It keeps the
// Service's namespace and labels so a pool change can re-check serviceAllocation without asking
// the controller, and its sharing identity so later Services can be checked against it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/labels.h"
#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "controller/allocator/ip_list.h"
#include "controller/allocator/service_request.h"

namespace ironlb::allocator {

// What sharing compares (docs/allocation-rules.md): sharing key, backend key, ports. `ports`
// sorted, unique.
struct SharingIdentity {
  std::string_view service;  // key; a Service never conflicts with itself
  std::string_view sharingKey;
  std::string_view backendKey;
  const std::vector<ServicePort>* ports = nullptr;
};

struct ServiceState {
  std::string_view key;  // views the Allocator's map key (stable: the map is node-based)
  std::string ns;
  lbconfig::Labels namespaceLabels;
  lbconfig::Labels labels;
  std::string sharingKey;
  std::string backendKey;
  std::vector<ServicePort> ports;  // sorted, unique
  IpList ips;                      // the Service's family order, primary first
  uint32_t pool = 0;               // index in the current PoolSet

  lbconfig::ServiceView view() const { return {ns, namespaceLabels, labels}; }
  SharingIdentity identity() const { return {key, sharingKey, backendKey, &ports}; }
};

}  // namespace ironlb::allocator
