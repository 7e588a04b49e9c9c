// Speaker flags: parse argv and the environment into SpeakerFlags.
#include "speaker/daemon/flags.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "common/util/strings.h"

namespace ironlb::speaker {
namespace {

const std::set<std::string>& knownFlags() {
  static const std::set<std::string> names = {"kubeconfig",
                                              "namespace",
                                              "lb-class",
                                              "metrics-address",
                                              "log-level",
                                              "log-format",
                                              "node-name",
                                              "memberlist-address",
                                              "memberlist-port",
                                              "memberlist-key-file",
                                              "exclude-interfaces",
                                              "ignore-exclude-lb",
                                              "pod-name",
                                              "pod-uid",
                                              "probe-address",
                                              "metrics-insecure",
                                              "tls-cert-file",
                                              "tls-key-file",
                                              "memberlist-require-sealed",
                                              "kube-api-qps",
                                              "kube-api-burst"};
  return names;
}

std::string envName(const std::string& flag) {
  std::string out = "IRONLB_";
  for (char c : flag)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<bool> parseBool(const std::string& flag, const std::string& value) {
  if (value == "true" || value == "1" || value.empty()) return true;
  if (value == "false" || value == "0") return false;
  return makeError("--" + flag + "=" + value + ": expected true or false");
}

// Empty entries ("a,,b", a trailing comma) are dropped.
std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string_view part : util::splitList(text))
    if (!part.empty()) out.emplace_back(part);
  return out;
}

Result<int> parsePort(const std::string& flag, const std::string& text) {
  int port = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || ptr != text.data() + text.size() || port < 0 || port > 65535)
    return makeError("--" + flag + "=" + text + ": expected a port number 0-65535");
  return port;
}

}  // namespace

std::string speakerUsage() {
  return "usage: ironlb-speaker [flags]   (each flag also from env IRONLB_<NAME>)\n"
         "  --kubeconfig=PATH           default: in-cluster service account\n"
         "  --namespace=NS              where the metallb.io resources live "
         "(default $POD_NAMESPACE, else metallb-system)\n"
         "  --lb-class=CLASS            handle only Services of this loadBalancerClass\n"
         "  --metrics-address=H:P       /metrics (TLS, bearer token) /healthz /readyz "
         "(default 0.0.0.0:7472)\n"
         "  --probe-address=H:P         plain-HTTP /healthz /readyz (default 0.0.0.0:7473)\n"
         "  --metrics-insecure=BOOL     /metrics in plain HTTP without a token check "
         "(default false)\n"
         "  --tls-cert-file=PATH, --tls-key-file=PATH  /metrics certificate and key "
         "(default: self-signed at start)\n"
         "  --log-level=LEVEL           debug|info|warn|error (default info)\n"
         "  --log-format=FORMAT         text|json (default text)\n"
         "  --node-name=NAME            this node (default $NODE_NAME)\n"
         "  --pod-name=NAME, --pod-uid=UID  this speaker's Pod, owner of its ServiceL2Status "
         "objects (default $POD_NAME, $POD_UID)\n"
         "  --memberlist-address=IP     membership bind/advertise address (default $NODE_IP)\n"
         "  --memberlist-port=PORT      UDP (default 7946)\n"
         "  --memberlist-key-file=PATH  HMAC key file (else env IRONLB_MEMBERLIST_KEY)\n"
         "  --memberlist-require-sealed=BOOL  refuse unencrypted (version 1) membership "
         "packets; set once every speaker runs a sealing version (default false)\n"
         "  --exclude-interfaces=RE,..  interfaces never announced on (default: built-in list)\n"
         "  --ignore-exclude-lb=BOOL    announce from nodes labelled "
         "node.kubernetes.io/exclude-from-external-load-balancers too\n"
         "  --kube-api-qps=N            API writes per second, client-side (default 1000; 0 = "
         "no limit)\n"
         "  --kube-api-burst=N          API writes at once before --kube-api-qps applies "
         "(default 2000)\n";
}

Result<SpeakerFlags> parseSpeakerFlags(std::span<const char* const> args,
                                       const k8s::EnvLookup& env) {
  std::map<std::string, std::string> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      SpeakerFlags f;
      f.help = true;
      return f;
    }
    if (arg.rfind("--", 0) != 0) return makeError("unexpected argument \"" + arg + "\"");
    arg = arg.substr(2);
    std::string name = arg, value;
    const auto eq = arg.find('=');
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if ((name == "ignore-exclude-lb" || name == "metrics-insecure") &&
               (i + 1 >= args.size() || std::string(args[i + 1]).rfind("--", 0) == 0)) {
      value = "true";  // a bare boolean flag
    } else {
      if (i + 1 >= args.size()) return makeError("--" + name + ": missing value");
      value = args[++i];
    }
    if (knownFlags().count(name) == 0) return makeError("unknown flag --" + name);
    given[name] = value;
  }
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = given.find(name); it != given.end()) return it->second;
    return env(envName(name));
  };

  SpeakerFlags f;
  if (auto v = lookup("kubeconfig")) f.kubeconfig = *v;
  if (auto v = lookup("namespace"); v && !v->empty()) {
    f.ns = *v;
  } else if (auto pod_ns = env("POD_NAMESPACE"); pod_ns && !pod_ns->empty()) {
    f.ns = *pod_ns;
  }
  if (auto v = lookup("lb-class"); v && !v->empty()) f.lbClass = *v;
  for (auto [flag, hostField, portField] :
       {std::tuple{"metrics-address", &f.metricsHost, &f.metricsPort},
        std::tuple{"probe-address", &f.probeHost, &f.probePort}}) {
    auto v = lookup(flag);
    if (!v || v->empty()) continue;
    const auto colon = v->rfind(':');
    if (colon == std::string::npos)
      return makeError("--" + std::string(flag) + "=" + *v + ": expected HOST:PORT");
    std::string host = v->substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    auto port = parsePort(flag, v->substr(colon + 1));
    if (!port.ok()) return makeError(port.error());
    *hostField = host.empty() ? "0.0.0.0" : host;
    *portField = *port;
  }
  if (auto v = lookup("metrics-insecure")) {
    auto b = parseBool("metrics-insecure", *v);
    if (!b.ok()) return makeError(b.error());
    f.metricsInsecure = *b;
  }
  if (auto v = lookup("tls-cert-file")) f.tlsCertFile = *v;
  if (auto v = lookup("tls-key-file")) f.tlsKeyFile = *v;
  if (auto v = lookup("log-level"); v && !v->empty()) f.logLevel = *v;
  if (auto v = lookup("log-format"); v && !v->empty()) f.logFormat = *v;
  if (auto v = lookup("node-name"); v && !v->empty()) {
    f.nodeName = *v;
  } else if (auto n = env("NODE_NAME"); n && !n->empty()) {
    f.nodeName = *n;
  }
  if (f.nodeName.empty()) return makeError("--node-name is required (or env NODE_NAME)");
  for (auto [flag, envVar, field] : {std::tuple{"pod-name", "POD_NAME", &f.podName},
                                     std::tuple{"pod-uid", "POD_UID", &f.podUid}}) {
    if (auto v = lookup(flag); v && !v->empty()) {
      *field = *v;
    } else if (auto e = env(envVar); e && !e->empty()) {
      *field = *e;
    }
  }
  if (f.podName.empty() != f.podUid.empty())
    return makeError("--pod-name and --pod-uid go together (got only --" +
                     std::string(f.podName.empty() ? "pod-uid" : "pod-name") + ")");

  std::optional<std::string> address = lookup("memberlist-address");
  if (!address || address->empty()) address = env("NODE_IP");
  if (!address || address->empty())
    return makeError("--memberlist-address is required (or env NODE_IP)");
  auto ip = net::IpAddress::parse(*address);
  if (!ip.ok()) return makeError("--memberlist-address=" + *address + ": " + ip.error());
  f.memberlistAddress = *ip;
  if (auto v = lookup("memberlist-port"); v && !v->empty()) {
    auto port = parsePort("memberlist-port", *v);
    if (!port.ok()) return makeError(port.error());
    if (*port == 0) return makeError("--memberlist-port=0: every speaker must use one fixed port");
    f.memberlistPort = static_cast<uint16_t>(*port);
  }
  if (auto v = lookup("memberlist-key-file"); v && !v->empty()) f.memberlistKeyFile = *v;
  if (f.memberlistKeyFile.empty()) {
    if (auto k = env("IRONLB_MEMBERLIST_KEY"); k && !k->empty()) f.memberlistKey = *k;
  }
  if (f.memberlistKeyFile.empty() && f.memberlistKey.empty())
    return makeError(
        "no membership key: pass --memberlist-key-file (the chart mounts Secret "
        "<release>-memberlist) or set env IRONLB_MEMBERLIST_KEY");
  if (auto v = lookup("memberlist-require-sealed")) {
    auto b = parseBool("memberlist-require-sealed", *v);
    if (!b.ok()) return makeError(b.error());
    f.memberlistRequireSealed = *b;
  }
  if (auto v = lookup("exclude-interfaces")) f.excludeInterfaces = splitComma(*v);
  for (auto [flag, field] :
       {std::pair{"kube-api-qps", &f.kubeApiQps}, std::pair{"kube-api-burst", &f.kubeApiBurst}}) {
    if (auto v = lookup(flag); v && !v->empty()) {
      auto rate = k8s::parseApiRate(flag, *v);
      if (!rate.ok()) return makeError(rate.error());
      *field = *rate;
    }
  }
  if (auto v = lookup("ignore-exclude-lb")) {
    auto b = parseBool("ignore-exclude-lb", *v);
    if (!b.ok()) return makeError(b.error());
    f.ignoreExcludeLb = *b;
  }
  return f;
}

}  // namespace ironlb::speaker
