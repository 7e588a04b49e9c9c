#pragma once
// Command line of ironlb-speaker (docs/flags.md; the Helm chart follows it):
// `--name=value` or `--name value`; every flag may also come from env IRONLB_<NAME_UPPER_SNAKE>
// (the flag wins). Defaults from the downward API: --node-name from $NODE_NAME,
// --memberlist-address from $NODE_IP, --namespace from $POD_NAMESPACE (else metallb-system),
// --pod-name/--pod-uid from $POD_NAME/$POD_UID.
// The membership key: the file of --memberlist-key-file, else env IRONLB_MEMBERLIST_KEY itself.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/k8s/cluster_config.h"
#include "common/k8s/token_bucket.h"
#include "common/net/ip_address.h"
#include "common/util/result.h"

namespace ironlb::speaker {

struct SpeakerFlags {
  std::string kubeconfig;  // empty: in-cluster (or $KUBECONFIG / ~/.kube/config)
  std::string ns = "metallb-system";
  std::optional<std::string> lbClass;
  std::string metricsHost = "0.0.0.0";
  int metricsPort = 7472;
  // Probe listener and metrics security (docs/metrics-endpoint.md).
  std::string probeHost = "0.0.0.0";
  int probePort = 7473;
  bool metricsInsecure = false;
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::string logLevel = "info";
  std::string logFormat = "text";
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
  bool memberlistRequireSealed = false;          // docs/membership.md (rolling upgrades)
  double kubeApiQps = k8s::kDefaultApiWriteQps;  // API writes per second; 0 = no limit
  double kubeApiBurst = k8s::kDefaultApiWriteBurst;
  bool help = false;
};

// `args` excludes argv[0]. Errors name the flag and the value.
Result<SpeakerFlags> parseSpeakerFlags(std::span<const char* const> args,
                                       const k8s::EnvLookup& env = k8s::processEnv());

std::string speakerUsage();

}  // namespace ironlb::speaker
