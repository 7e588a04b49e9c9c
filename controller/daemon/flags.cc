#include "controller/daemon/flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <string_view>

namespace ironlb::controller {
namespace {

using Setter = std::function<Status(ControllerFlags&, const std::string&)>;

struct FlagSpec {
  std::string_view name;
  std::string_view value_name;  // "" for booleans
  std::string_view help;
  Setter set;
};

Result<int> parseInt(std::string_view text, int min, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return makeError("expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                     "], got \"" + std::string(text) + "\"");
  }
  return v;
}

Result<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return makeError("expected true or false, got \"" + std::string(text) + "\"");
}

// "500ms", "15s", "2m".
Result<util::Duration> parseDuration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  const std::string_view unit = text.substr(digits);
  auto n = parseInt(text.substr(0, digits), 1, 1000000);
  if (digits == 0 || !n) {
    return makeError("expected a duration like 500ms, 15s or 2m, got \"" + std::string(text) +
                     "\"");
  }
  if (unit == "ms") return util::Duration(std::chrono::milliseconds(*n));
  if (unit == "s") return util::Duration(std::chrono::seconds(*n));
  if (unit == "m") return util::Duration(std::chrono::minutes(*n));
  return makeError("expected a duration like 500ms, 15s or 2m, got \"" + std::string(text) + "\"");
}

// "host:port", "[v6]:port" or ":port".
Setter address(std::string ControllerFlags::*hostField, int ControllerFlags::*portField) {
  return [hostField, portField](ControllerFlags& f, const std::string& text) -> Status {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return makeError("expected HOST:PORT, got \"" + text + "\"");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    auto port = parseInt(std::string_view(text).substr(colon + 1), 0, 65535);
    if (!port) return makeError(port.error());
    f.*hostField = host.empty() ? "0.0.0.0" : host;
    f.*portField = *port;
    return {};
  };
}

template <class T, class Parse>
Setter into(T ControllerFlags::*member, Parse parse) {
  return [member, parse](ControllerFlags& f, const std::string& v) -> Status {
    auto parsed = parse(v);
    if (!parsed) return makeError(parsed.error());
    f.*member = *parsed;
    return {};
  };
}

Setter text(std::string ControllerFlags::*member) {
  return [member](ControllerFlags& f, const std::string& v) -> Status {
    f.*member = v;
    return {};
  };
}

Setter timing(util::Duration k8s::LeaderElectionTiming::*member) {
  return [member](ControllerFlags& f, const std::string& v) -> Status {
    auto d = parseDuration(v);
    if (!d) return makeError(d.error());
    f.lease_timing.*member = *d;
    return {};
  };
}

const std::vector<FlagSpec>& specs() {
  static const std::vector<FlagSpec> kSpecs = {
      {"kubeconfig", "PATH", "kubeconfig file (default: in-cluster service account)",
       text(&ControllerFlags::kubeconfig)},
      {"namespace", "NS",
       "namespace of the IPAddressPools, L2Advertisements and the Lease "
       "(default $POD_NAMESPACE, else metallb-system)",
       text(&ControllerFlags::ns)},
      {"lb-class", "CLASS",
       "handle only Services with this spec.loadBalancerClass (default: only Services "
       "without one)",
       text(&ControllerFlags::lb_class)},
      {"metrics-address", "HOST:PORT",
       "serve /metrics (TLS, bearer token), /healthz, /readyz (default 0.0.0.0:7472)",
       address(&ControllerFlags::metrics_host, &ControllerFlags::metrics_port)},
      {"probe-address", "HOST:PORT", "serve /healthz, /readyz in plain HTTP (default 0.0.0.0:7473)",
       address(&ControllerFlags::probe_host, &ControllerFlags::probe_port)},
      {"metrics-insecure", "",
       "serve /metrics in plain HTTP without a token check (default false; "
       "docs/metrics-endpoint.md)",
       into(&ControllerFlags::metrics_insecure, [](const std::string& v) { return parseBool(v); })},
      {"tls-cert-file", "PATH",
       "PEM certificate (chain) for /metrics (default: self-signed at start)",
       text(&ControllerFlags::tls_cert_file)},
      {"tls-key-file", "PATH", "PEM private key of --tls-cert-file",
       text(&ControllerFlags::tls_key_file)},
      {"log-level", "LEVEL", "debug|info|warn|error (default info)",
       into(&ControllerFlags::log_level,
            [](const std::string& v) { return util::parseLogLevel(v); })},
      {"log-format", "FORMAT", "text|json (default text)",
       into(&ControllerFlags::log_format,
            [](const std::string& v) { return util::parseLogFormat(v); })},
      {"leader-elect", "", "elect one active replica through a Lease (default true)",
       into(&ControllerFlags::leader_elect, [](const std::string& v) { return parseBool(v); })},
      {"lease-name", "NAME", "the Lease in --namespace (default ironlb-controller)",
       text(&ControllerFlags::lease_name)},
      {"lease-owner-deployment", "NAME",
       "the Deployment (in --namespace) made the Lease's owner, so uninstalling it removes the "
       "Lease (default: none)",
       text(&ControllerFlags::lease_owner_deployment)},
      {"identity", "ID", "this replica's Lease identity (default $POD_NAME, else the host name)",
       text(&ControllerFlags::identity)},
      {"status-writers", "N",
       "Service status writes in flight at once, at most (default 32; fewer at first and while "
       "the API server answers 429)",
       into(&ControllerFlags::status_writers,
            [](const std::string& v) { return parseInt(v, 1, 256); })},
      {"release-hold", "D",
       "how long an IP a Service gave up because of an edit is kept from other Services, so "
       "undoing the edit restores it (default 5m; 0 frees at once)",
       [](ControllerFlags& f, const std::string& v) -> Status {
         if (v == "0") {
           f.release_hold = util::Duration::zero();
           return {};
         }
         auto d = parseDuration(v);
         if (!d) return makeError("--release-hold: " + d.error() + " (or 0)");
         f.release_hold = *d;
         return {};
       }},
      {"fault-status-write-delay", "D",
       "FOR TESTS ONLY (fault injection): delay every Service status write by D before it is "
       "sent, to exercise write fencing (default: none)",
       [](ControllerFlags& f, const std::string& v) -> Status {
         auto d = parseDuration(v);
         if (!d) return makeError("--fault-status-write-delay: " + d.error());
         f.fault_status_write_delay = *d;
         return {};
       }},
      {"kube-api-qps", "N",
       "API writes per second, client-side (default 1000; 0 = no limit; burst: --kube-api-burst)",
       into(&ControllerFlags::kube_api_qps,
            [](const std::string& v) { return k8s::parseApiRate("kube-api-qps", v); })},
      {"kube-api-burst", "N", "API writes at once before --kube-api-qps applies (default 2000)",
       into(&ControllerFlags::kube_api_burst,
            [](const std::string& v) { return k8s::parseApiRate("kube-api-burst", v); })},
      {"lease-duration", "D", "how long a standby waits before taking an abandoned lease (15s)",
       timing(&k8s::LeaderElectionTiming::leaseDuration)},
      {"renew-deadline", "D", "how long the leader keeps leading without a renewal (10s)",
       timing(&k8s::LeaderElectionTiming::renewDeadline)},
      {"retry-period", "D", "how often the lease is renewed or tried (2s)",
       timing(&k8s::LeaderElectionTiming::retryPeriod)},
  };
  return kSpecs;
}

std::string envName(std::string_view flag) {
  std::string out = "IRONLB_";
  for (char c : flag)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const FlagSpec* find(std::string_view name) {
  for (const FlagSpec& s : specs())
    if (s.name == name) return &s;
  return nullptr;
}

Status apply(ControllerFlags& f, const FlagSpec& spec, const std::string& value,
             const std::string& source) {
  if (auto st = spec.set(f, value); !st) return makeError(source + ": " + st.error());
  return {};
}

}  // namespace

Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const k8s::EnvLookup& env,
                               const std::string& hostname) {
  ParsedFlags out;
  ControllerFlags& f = out.flags;
  if (auto ns = env("POD_NAMESPACE"); ns && !ns->empty()) f.ns = *ns;
  if (auto pod = env("POD_NAME"); pod && !pod->empty()) f.identity = *pod;
  if (f.identity.empty()) f.identity = hostname;

  for (const FlagSpec& spec : specs()) {
    const std::string name = envName(spec.name);
    if (auto v = env(name)) {
      if (auto st = apply(f, spec, *v, "environment " + name); !st) return makeError(st.error());
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      return out;
    }
    if (!arg.starts_with("--")) {
      return makeError("unexpected argument \"" + arg + "\" (flags start with --; see --help)");
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    const FlagSpec* spec = find(name);
    if (!spec) return makeError("unknown flag --" + name + " (see --help)");
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (spec->value_name.empty()) {
      // A boolean: a following true/false is its value, anything else is the next flag.
      value = "true";
      if (i + 1 < args.size() && parseBool(args[i + 1]).ok()) value = args[++i];
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return makeError("flag --" + name + " needs a value");
    }
    if (auto st = apply(f, *spec, value, "--" + name); !st) return makeError(st.error());
  }
  if (f.ns.empty()) return makeError("--namespace must not be empty");
  if (f.lease_name.empty()) return makeError("--lease-name must not be empty");
  if (f.leader_elect && f.identity.empty()) {
    return makeError("leader election needs an identity: set --identity or $POD_NAME");
  }
  if (auto st = k8s::validateTiming(f.lease_timing); !st) {
    return makeError("--lease-duration/--renew-deadline/--retry-period: " + st.error());
  }
  return out;
}

std::string usageText() {
  std::string out =
      "usage: ironlb-controller [flags]\n"
      "Assigns external IPs from metallb.io IPAddressPools to LoadBalancer Services.\n"
      "Every flag can also be set as IRONLB_<NAME> (e.g. IRONLB_LB_CLASS); the flag wins.\n\n";
  for (const FlagSpec& s : specs()) {
    std::string left = "  --";
    left += s.name;
    if (!s.value_name.empty()) {
      left += '=';
      left += s.value_name;
    }
    left.resize(std::max<std::size_t>(left.size() + 2, 30), ' ');
    out += left + std::string(s.help) + "\n";
  }
  return out;
}

}  // namespace ironlb::controller
