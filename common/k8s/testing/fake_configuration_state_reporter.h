#pragma once
// FakeConfigurationStateReporter: records every verdict a daemon reports, for unit tests of the
// daemons' wiring (the writer itself is tested against a FakeTransport).

#include <vector>

#include "common/k8s/configuration_state_writer.h"

namespace ironlb::k8s::testing {

class FakeConfigurationStateReporter final : public ConfigurationStateReporter {
 public:
  void report(const api::ConfigurationVerdict& verdict) override { reports.push_back(verdict); }
  std::vector<api::ConfigurationVerdict> reports;
};

}  // namespace ironlb::k8s::testing
