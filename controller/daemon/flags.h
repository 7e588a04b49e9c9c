#pragma once
// Command line of ironlb-controller (docs/flags.md): the flags both daemons share
// (cli::CommonFlags) and the controller's own, described once in a cli::FlagTable that also
// makes --help and --help-markdown. Sources and precedence: common/cli/flag_table.h. Pure: the
// environment and the host name are passed in.

#include <optional>
#include <string>
#include <vector>

#include "common/cli/common_flags.h"
#include "common/cli/flag_table.h"
#include "common/k8s/leader_election_core.h"
#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::controller {

struct ControllerFlags : cli::CommonFlags {
  bool leaderElect = true;
  std::string leaseName = "ironlb-controller";
  // The Deployment in --namespace that owns the Lease (removed with it); "" = no owner.
  std::string leaseOwnerDeployment;
  // The speakers' membership key Secret, created when absent (memberlist_secret.h); "" = none.
  std::string memberlistSecretName;
  std::string identity;  // --identity, else $POD_NAME, else the host name
  // The Pod that owns the ConfigurationState (garbage-collected with it); empty: no owner.
  std::string podName, podUid;
  int statusWriters = 32;
  util::Duration releaseHold = std::chrono::minutes(5);
  // Fault injection for tests only (--fault-status-write-delay): every Service status write
  // waits this long on its writer thread before it is sent (a slow or paused writer).
  util::Duration faultStatusWriteDelay{0};
  k8s::LeaderElectionTiming leaseTiming{};
  // The validating admission webhook (docs/webhook.md); off unless --webhook.
  bool webhook = false;
  std::string webhookHost = "0.0.0.0";
  int webhookPort = 9443;
  std::string webhookService = "ironlb-webhook";
  std::string webhookSecret = "ironlb-webhook-cert";
  std::string webhookConfiguration = "ironlb-webhook";
  util::Duration webhookCertCheckInterval = std::chrono::minutes(1);
  std::vector<std::string> webhookCertHosts;
};

struct ParsedFlags {
  std::optional<cli::HelpFormat> help;  // print usageText(*help) and exit 0
  ControllerFlags flags;
};

// `args` excludes the program name. `hostname` is the identity of last resort.
Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const cli::EnvLookup& env,
                               const std::string& hostname);

// --help (kText) or the controller's tables of docs/flags.md (kMarkdown).
std::string usageText(cli::HelpFormat format = cli::HelpFormat::kText);

}  // namespace ironlb::controller
