#include "speaker/bgp/frr_applier.h"

#include <sstream>

namespace ironlb::bgp {

std::string normalizeRunningConfig(const std::string& running) {
  std::string out;
  out.reserve(running.size());
  std::istringstream in(running);
  for (std::string line; std::getline(in, line);) {
    const bool prefixList =
        line.rfind("ip prefix-list ", 0) == 0 || line.rfind("ipv6 prefix-list ", 0) == 0;
    const std::size_t seq = prefixList ? line.find(" seq ") : std::string::npos;
    if (seq != std::string::npos) {
      const std::size_t end = line.find(' ', seq + 5);
      if (end != std::string::npos) line.erase(seq, end - seq);
    }
    out += line;
    out += '\n';
  }
  return out;
}

void FrrApplier::forget() {
  applied_.reset();
  bgpd_.reset();
  bfdd_.reset();
}

FrrVty* FrrApplier::connection(FrrDaemon daemon, std::string& error) {
  std::optional<FrrVty>& slot = daemon == FrrDaemon::kBgpd ? bgpd_ : bfdd_;
  if (slot && !slot->alive()) {
    // FRR restarted (or closed on us): what it runs now is unknown.
    forget();
  }
  if (!slot) {
    auto vty = FrrVty::connect(vtyDir_ + (daemon == FrrDaemon::kBgpd ? "/bgpd.vty" : "/bfdd.vty"),
                               timeout_);
    if (!vty.ok()) {
      error = vty.error();
      return nullptr;
    }
    slot.emplace(std::move(*vty));
  }
  return &*slot;
}

Result<std::string> FrrApplier::readRunning() {
  std::string out;
  for (FrrDaemon daemon : {FrrDaemon::kBgpd, FrrDaemon::kBfdd}) {
    auto running = show(daemon, "show running-config");
    if (!running.ok()) return makeError(running.error());
    out += normalizeRunningConfig(*running);
  }
  return out;
}

Result<std::string> FrrApplier::show(FrrDaemon daemon, const std::string& command) {
  std::string error;
  FrrVty* vty = connection(daemon, error);
  if (vty == nullptr) return makeError(error);
  auto reply = vty->command(command);
  if (!reply.ok()) {
    forget();
    return makeError(reply.error());
  }
  if (reply->status != 0)
    return makeError(vty->path() + ": \"" + command + "\" refused: " + reply->output);
  return std::move(reply->output);
}

Result<ApplyReport> FrrApplier::apply(const std::string& rendering) {
  ApplyReport report;
  // A connection that died since the last call means FRR restarted: resynchronize.
  for (FrrDaemon daemon : {FrrDaemon::kBgpd, FrrDaemon::kBfdd}) {
    std::string error;
    if (connection(daemon, error) == nullptr) {
      forget();
      return makeError(error);
    }
  }
  std::string base;
  if (applied_) {
    base = *applied_;
  } else {
    auto running = readRunning();
    if (!running.ok()) {
      forget();
      return makeError(running.error());
    }
    base = std::move(*running);
    report.resynced = true;
  }
  for (const FrrCommands& batch : diffFrrConfig(base, rendering)) {
    std::string error;
    FrrVty* vty = connection(batch.daemon, error);
    Status ran = vty == nullptr ? Status(makeError(error)) : vty->run(batch.commands);
    if (!ran.ok()) {
      forget();
      return makeError(ran.error());
    }
    report.commands += batch.commands.size();
  }
  applied_ = rendering;
  return report;
}

}  // namespace ironlb::bgp
