#pragma once
// build: the API objects in the cluster -> a validated Config, or every error at once.
//
// Pure: no I/O, no clock. Both daemons call it whenever a pool, advertisement, namespace or
// node changes and keep their last good Config while the new one has errors (MetalLB does the
// same and reports the configuration as stale).

#include <optional>
#include <string>
#include <vector>

#include "common/api/metallb_types.h"
#include "common/api/node.h"
#include "common/lbconfig/bgp_build.h"
#include "common/lbconfig/config.h"
#include "common/lbconfig/issue.h"

namespace ironlb::lbconfig {

struct Snapshot {
  std::vector<api::IPAddressPool> pools;
  std::vector<api::L2Advertisement> l2Advertisements;
  std::vector<api::Namespace> namespaces;
  std::vector<api::Node> nodes;
  // BGP mode's objects (docs/bgp.md); empty for a daemon that does not read them.
  BgpSnapshot bgp;
};

struct BuildOptions {
  // Custom resources are read from this namespace only; others are ignored with a warning.
  std::string installNamespace = "metallb-system";
  // speaker.ignoreExcludeLB (carried into ConfigOptions).
  bool ignoreExcludeLbLabel = false;
  // An L2Advertisement naming an IPAddressPool that does not exist is an error instead of a
  // warning. The daemons keep MetalLB's tolerance (manifests apply in any order); the admission
  // webhook sets it so that a typo is refused at apply time (docs/webhook.md).
  bool missingPoolIsError = false;
};

struct BuildResult {
  std::optional<Config> config;  // set exactly when `errors` is empty: never a partial config
  std::vector<Issue> errors;     // sorted by object, then in spec order
  std::vector<Issue> warnings;   // likewise

  bool ok() const { return config.has_value(); }
};

BuildResult build(const Snapshot& snapshot, const BuildOptions& options);

}  // namespace ironlb::lbconfig
