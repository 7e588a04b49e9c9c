#pragma once
// Command line of ironlb-speaker (docs/flags.md; the Helm chart follows it): the flags both
// daemons share (cli::CommonFlags) and the speaker's own, described once in a cli::FlagTable
// that also makes --help and --help-markdown. Sources and precedence:
// common/cli/flag_table.h. Downward-API defaults: --node-name from $NODE_NAME,
// --memberlist-address from $NODE_IP, --pod-name/--pod-uid from $POD_NAME/$POD_UID.
// The membership key: the file of --memberlist-key-file, else env IRONLB_MEMBERLIST_KEY itself.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/cli/common_flags.h"
#include "common/cli/flag_table.h"
#include "common/net/ip_address.h"
#include "common/util/result.h"

namespace ironlb::speaker {

struct SpeakerFlags : cli::CommonFlags {
  std::string nodeName;
  // This speaker's Pod (downward API), made the owner of its ServiceL2Status objects so they
  // go with it (uninstall, node removal). Empty: no owner (outside a pod).
  std::string podName;
  std::string podUid;
  net::IpAddress memberlistAddress;
  uint16_t memberlistPort = 7946;
  std::string memberlistKeyFile;               // empty: memberlistKey holds the key
  std::string memberlistKey;                   // from env IRONLB_MEMBERLIST_KEY
  std::vector<std::string> excludeInterfaces;  // empty: the built-in list
  bool ignoreExcludeLb = false;
  bool memberlistRequireSealed = false;  // docs/membership.md (rolling upgrades)
  std::string frrSocketDir;              // empty: BGP mode off (docs/bgp.md)
};

struct ParsedFlags {
  std::optional<cli::HelpFormat> help;  // print usageText(*help) and exit 0
  SpeakerFlags flags;
};

// `args` excludes argv[0]. Errors name the flag and the value.
Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const cli::EnvLookup& env);

// --help (kText) or the speaker's tables of docs/flags.md (kMarkdown).
std::string usageText(cli::HelpFormat format = cli::HelpFormat::kText);

}  // namespace ironlb::speaker
