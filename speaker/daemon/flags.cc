#include "speaker/daemon/flags.h"

#include "common/cli/flag_values.h"

namespace ironlb::speaker {
namespace {

constexpr const char* kMemberlistKeyEnv = "IRONLB_MEMBERLIST_KEY";

// The speaker's table, bound to `f`.
cli::FlagTable flagTable(SpeakerFlags& f) {
  cli::FlagTable t;
  cli::addCommonFlags(t, f);
  t.section("ironlb-speaker only");
  t.add({"node-name", "NAME", "this node", "$NODE_NAME", cli::text(f.nodeName), "NODE_NAME", true});
  t.add({"pod-name", "NAME",
         "this speaker's Pod, made owner of its ServiceL2Status objects and its "
         "ConfigurationState; give --pod-uid too",
         "$POD_NAME", cli::text(f.podName), "POD_NAME"});
  t.add({"pod-uid", "UID", "the UID of --pod-name", "$POD_UID", cli::text(f.podUid), "POD_UID"});
  t.add({"memberlist-address", "IP", "membership bind and advertise address (docs/membership.md)",
         "$NODE_IP",
         [&f](const std::string& v) -> Status {
           auto ip = net::IpAddress::parse(v);
           if (!ip) return makeError(ip.error());
           f.memberlistAddress = *ip;
           return {};
         },
         "NODE_IP", true});
  t.add({"memberlist-port", "PORT", "UDP; must be the same non-zero port on every speaker", "7946",
         [&f](const std::string& v) -> Status {
           auto port = cli::parseInteger(v, 0, 65535);
           if (!port) return makeError("expected a port number 0-65535");
           if (*port == 0) return makeError("every speaker must use one fixed port");
           f.memberlistPort = static_cast<uint16_t>(*port);
           return {};
         }});
  t.add({"memberlist-key-file", "PATH",
         "membership key file; without it the key is read from IRONLB_MEMBERLIST_KEY; one of "
         "the two is required",
         "", cli::text(f.memberlistKeyFile)});
  t.add({"memberlist-require-sealed", "",
         "refuse unencrypted (version 1) membership packets; turn on once every speaker seals",
         "false", cli::boolean(f.memberlistRequireSealed)});
  t.add({"exclude-interfaces", "RE,...",
         "regexes of interface names never announced on; replaces the built-in list "
         "(docs/announcement.md)",
         "the built-in list", cli::list(f.excludeInterfaces)});
  t.add({"ignore-exclude-lb", "",
         "announce from nodes labelled "
         "node.kubernetes.io/exclude-from-external-load-balancers too",
         "false", cli::boolean(f.ignoreExcludeLb)});
  t.add({"frr-socket-dir", "DIR",
         "BGP mode: the directory of FRR's control sockets (bgpd.vty, bfdd.vty), shared with "
         "FRR's container; empty turns BGP mode off (docs/bgp.md)",
         "", cli::text(f.frrSocketDir)});
  return t;
}

}  // namespace

Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const cli::EnvLookup& env) {
  ParsedFlags out;
  SpeakerFlags& f = out.flags;
  auto parsed = flagTable(f).parse(args, env);
  if (!parsed) return makeError(parsed.error());
  out.help = parsed->help;
  if (out.help) return out;
  if (f.podName.empty() != f.podUid.empty()) {
    return makeError("--pod-name and --pod-uid go together (got only --" +
                     std::string(f.podName.empty() ? "pod-uid" : "pod-name") + ")");
  }
  if (f.memberlistKeyFile.empty()) {
    if (auto k = env(kMemberlistKeyEnv); k && !k->empty()) f.memberlistKey = *k;
  }
  if (f.memberlistKeyFile.empty() && f.memberlistKey.empty()) {
    return makeError(
        "no membership key: pass --memberlist-key-file (the chart mounts Secret "
        "<release>-memberlist) or set env IRONLB_MEMBERLIST_KEY");
  }
  return out;
}

std::string usageText(cli::HelpFormat format) {
  SpeakerFlags defaults;
  return flagTable(defaults).help(
      format,
      "usage: ironlb-speaker [flags]\n"
      "Announces LoadBalancer IPs from the owner node (ARP/NDP); see docs/announcement.md.\n");
}

}  // namespace ironlb::speaker
