// Fuzzes the kubeconfig parser: bytes -> YAML -> ClusterConfig (common/k8s/cluster_config.h).
// It must never crash or throw, whatever the document; it also checks:
//  - a result is either a config or an error naming the kubeconfig;
//  - an accepted server URL starts with https:// or http://, and parseServerUrl (what the
//    transport does with it next) does not crash on it.
// The first input byte picks the context asked for ("" or "other"); file references resolve
// under a directory that does not exist, so no real file is read.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/k8s/cluster_config.h"
#include "common/k8s/http_transport.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string context = (data[0] & 1) ? "other" : "";
  const std::string yaml(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string path = "/nonexistent/ironlb-fuzz/kubeconfig";
  auto cfg = ironlb::k8s::parseKubeconfig(yaml, path, context);
  if (!cfg.ok()) {
    check(cfg.error().find(path) != std::string::npos);
    return 0;
  }
  check(cfg->server.rfind("https://", 0) == 0 || cfg->server.rfind("http://", 0) == 0);
  (void)ironlb::k8s::parseServerUrl(cfg->server);
  return 0;
}
