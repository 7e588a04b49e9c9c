// ironlb-controller: assigns external IPs to LoadBalancer Services. Wiring only.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/k8s/cluster_config.h"
#include "common/util/logging.h"
#include "controller/daemon/flags.h"
#include "controller/daemon/run.h"

int main(int argc, char** argv) {
  using namespace ironlb;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  auto parsed = controller::parseFlags(std::vector<std::string>(argv + 1, argv + argc),
                                       k8s::processEnv(), host);
  if (!parsed) {
    std::fprintf(stderr, "ironlb-controller: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(controller::usageText(*parsed->help).c_str(), stdout);
    return 0;
  }
  util::setupLogging({.level = parsed->flags.logLevel, .format = parsed->flags.logFormat});
  return controller::runController(parsed->flags);
}
