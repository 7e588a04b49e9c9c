#pragma once
// Pool: one validated IPAddressPool as the allocator sees it. Built by lbconfig::build from an
// IPAddressPool object; the allocator never sees JSON or API types.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/label_selector.h"
#include "common/lbconfig/labels.h"
#include "common/net/ip_range.h"

namespace ironlb::lbconfig {

// Addresses of one spec.addresses entry (a CIDR or a first-last range) as a range, with the
// entry's text as written. An entry that includes addresses no host can use (see
// unusable_addresses.h) becomes several PoolRanges, its usable parts in ascending order.
struct PoolRange {
  net::IpRange range;
  std::string text;

  friend bool operator==(const PoolRange&, const PoolRange&) = default;
};

struct ServiceAllocation {
  int priority = 0;  // lower is preferred; 0 means "no priority" and sorts after any set one
  std::vector<std::string> namespaces;
  std::vector<LabelSelector> namespaceSelectors;
  std::vector<LabelSelector> serviceSelectors;

  friend bool operator==(const ServiceAllocation&, const ServiceAllocation&) = default;
};

// What pool selection needs to know about a Service (and its Namespace).
struct ServiceView {
  std::string_view ns;
  const Labels& namespaceLabels;
  const Labels& labels;
};

struct Pool {
  std::string name;
  Labels labels;
  std::vector<PoolRange> ranges;  // spec order; only addresses that may be assigned
  bool autoAssign = true;
  bool avoidBuggyIps = false;
  std::optional<ServiceAllocation> serviceAllocation;
  // metadata.deletionTimestamp is set (pool protection, docs/allocation.md): Services that hold
  // its addresses keep them, no Service gets new ones from it.
  bool deleting = false;

  // The Service matches the pool's namespace constraint AND its service constraint. A pool
  // without serviceAllocation, or with an entirely empty one, admits every Service.
  // Namespace constraint: `namespaces` OR any of `namespaceSelectors` (absent when both empty).
  bool admits(const ServiceView& service) const;
  // serviceAllocation is present and says something (priority, namespaces or selectors).
  bool hasAllocationConstraints() const;
  // serviceAllocation names namespaces or has selectors: it picks Services rather than admitting
  // every one (a priority alone does not).
  bool selectsServices() const;
  bool contains(const net::IpAddress& ip) const;
  bool hasFamily(net::Family family) const;

  friend bool operator==(const Pool&, const Pool&) = default;
};

}  // namespace ironlb::lbconfig
