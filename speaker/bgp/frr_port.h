#pragma once
// FrrPort: what BGP mode needs from FRR, behind an interface so the coordinator (BgpNode) is
// tested against a fake. FrrApplier is the real one.

#include <cstddef>
#include <string>

#include "common/util/result.h"

namespace ironlb::bgp {

enum class FrrDaemon { kBgpd, kBfdd };

struct ApplyReport {
  std::size_t commands = 0;  // sent, including configure terminal / end
  bool resynced = false;     // the base was FRR's running configuration, not the last rendering
};

class FrrPort {
 public:
  virtual ~FrrPort() = default;
  // Brings FRR to this rendering (renderFrrConfig's text).
  virtual Result<ApplyReport> apply(const std::string& rendering) = 0;
  // A `show ... json` command's answer.
  virtual Result<std::string> show(FrrDaemon daemon, const std::string& command) = 0;
};

}  // namespace ironlb::bgp
