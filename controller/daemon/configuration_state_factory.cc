#include "controller/daemon/configuration_state_factory.h"

namespace ironlb::controller {

ConfigurationStateFactory configurationStateFactory(boost::asio::io_context& io,
                                                    k8s::ApiClient& api,
                                                    const ControllerFlags& flags) {
  if (flags.podName.empty() || flags.podUid.empty()) return {};
  return [&io, &api, &flags]() -> std::unique_ptr<k8s::ConfigurationStateReporter> {
    return std::make_unique<k8s::ConfigurationStateWriter>(
        io, api, k8s::controllerStateIdentity(flags.ns, flags.podName, flags.podUid));
  };
}

}  // namespace ironlb::controller
