#pragma once
// Labels: a Kubernetes label map (key -> value), ordered so output is deterministic.

#include <functional>
#include <map>
#include <string>

namespace ironlb::lbconfig {

using Labels = std::map<std::string, std::string, std::less<>>;

}  // namespace ironlb::lbconfig
