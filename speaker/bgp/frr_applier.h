#pragma once
// FrrApplier: keeps one node's FRR running exactly the rendering it is given (docs/bgp.md).
//
// Normally it sends only diffFrrConfig(last applied, new rendering), so a change costs a few
// commands whatever is already announced. When it does not know what FRR runs (first use, FRR
// restarted, a command refused or a connection lost halfway), it reads FRR's running
// configuration back, brings it to the rendering's form (FRR numbers prefix-list entries,
// which earlier versions rendered, itself) and diffs from that: whatever state FRR was left in, one
// apply() converges it. The equivalence this relies on, that FRR's running configuration reads back
// as rendered, is what bgp_frr_config_changes_apply_in_place proves against a real FRR.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "common/util/result.h"
#include "speaker/bgp/frr_diff.h"
#include "speaker/bgp/frr_port.h"
#include "speaker/bgp/frr_vty.h"

namespace ironlb::bgp {

class FrrApplier final : public FrrPort {
 public:
  explicit FrrApplier(std::string vtyDir,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : vtyDir_(std::move(vtyDir)), timeout_(timeout) {}

  // Brings FRR to `rendering`. On error nothing is assumed about FRR's state: the next call
  // resynchronizes from its running configuration.
  Result<ApplyReport> apply(const std::string& rendering) override;
  // Runs a show command on one daemon (reconnecting if needed; a restart it notices makes the
  // next apply() resynchronize).
  Result<std::string> show(FrrDaemon daemon, const std::string& command) override;

  // What FRR runs as far as this applier knows; nullopt when unknown.
  const std::optional<std::string>& applied() const { return applied_; }

 private:
  FrrVty* connection(FrrDaemon daemon, std::string& error);
  // bgpd's and bfdd's running configurations, in the renderer's form.
  Result<std::string> readRunning();
  void forget();

  std::string vtyDir_;
  std::chrono::milliseconds timeout_;
  std::optional<std::string> applied_;
  std::optional<FrrVty> bgpd_;
  std::optional<FrrVty> bfdd_;
};

// FRR's running configuration written the way renderFrrConfig writes it: prefix-list entries
// (earlier builds rendered them; a running FRR may still hold some, which are then removed)
// without the sequence numbers FRR adds.
std::string normalizeRunningConfig(const std::string& running);

}  // namespace ironlb::bgp
