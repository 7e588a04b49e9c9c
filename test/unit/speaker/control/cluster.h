#pragma once
// Test cluster for the control tests: a configuration built with the real lbconfig::build from
// API structs, so the tests exercise the same path the daemon does.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/api/metallb_types.h"
#include "common/api/node.h"
#include "common/lbconfig/build.h"
#include "speaker/control/service_input.h"

namespace ironlb::control::testing {

inline constexpr const char* kNs = "metallb-system";

inline net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

inline api::IPAddressPool pool(const std::string& name, std::vector<std::string> addresses,
                               api::StringMap labels = {}) {
  api::IPAddressPool p;
  p.meta.name = name;
  p.meta.ns = kNs;
  p.meta.labels = std::move(labels);
  p.spec.addresses = std::move(addresses);
  return p;
}

inline api::LabelSelector matchLabels(api::StringMap m) {
  return api::LabelSelector{std::move(m), {}};
}

struct AdvSpec {
  std::string name = {};
  std::vector<std::string> pools = {};
  std::vector<api::StringMap> nodeSelectors = {};
  std::vector<std::string> interfaces = {};
  std::vector<api::StringMap> serviceSelectors = {};
};

inline api::L2Advertisement adv(const AdvSpec& spec) {
  api::L2Advertisement a;
  a.meta.name = spec.name;
  a.meta.ns = kNs;
  a.spec.ipAddressPools = spec.pools;
  for (const auto& m : spec.nodeSelectors)
    a.spec.nodeSelectors.push_back(matchLabels(m));
  a.spec.interfaces = spec.interfaces;
  for (const auto& m : spec.serviceSelectors)
    a.spec.serviceSelectors.push_back(matchLabels(m));
  return a;
}

inline api::Node node(const std::string& name, api::StringMap labels = {},
                      bool networkUnavailable = false) {
  api::Node n;
  n.meta.name = name;
  n.meta.labels = std::move(labels);
  if (networkUnavailable) n.conditions.push_back({"NetworkUnavailable", "True"});
  return n;
}

inline lbconfig::Config build(const lbconfig::Snapshot& snapshot) {
  auto r = lbconfig::build(snapshot, lbconfig::BuildOptions{});
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().toString());
  return r.ok() ? *r.config : lbconfig::Config();
}

struct SvcSpec {
  std::string key;
  std::vector<std::string> ips;
  bool serving = true;
  bool local = false;
  std::vector<std::string> servingNodes = {};
  lbconfig::Labels labels = {};
};

inline ServiceInput svc(const SvcSpec& s) {
  ServiceInput in;
  in.key = s.key;
  for (const auto& text : s.ips)
    in.ips.push_back(ip(text.c_str()));
  in.serving = s.serving;
  in.local = s.local;
  in.servingNodes = s.servingNodes;
  in.labels = s.labels;
  return in;
}

}  // namespace ironlb::control::testing
