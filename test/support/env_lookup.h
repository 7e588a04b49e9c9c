#pragma once
// An environment for tests: a k8s::EnvLookup answering from a fixed map instead of getenv.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/k8s/cluster_config.h"

namespace ironlb::testsupport {

inline k8s::EnvLookup envFromMap(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace ironlb::testsupport
