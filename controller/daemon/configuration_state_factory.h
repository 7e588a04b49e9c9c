#pragma once
// Which ConfigurationState writer a leadership term gets (docs/custom-resources.md): the
// "controller" object, owned by this controller's Pod. Only a controller that knows its Pod
// (--pod-name and --pod-uid, as the chart runs it) writes one: without an owner nothing would
// garbage-collect it.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

#include "common/k8s/api_client.h"
#include "common/k8s/configuration_state_writer.h"
#include "controller/daemon/flags.h"

namespace ironlb::controller {

using ConfigurationStateFactory = std::function<std::unique_ptr<k8s::ConfigurationStateReporter>()>;

// Empty when the Pod is not known. The factory refers to `io`, `api` and `flags`.
ConfigurationStateFactory configurationStateFactory(boost::asio::io_context& io,
                                                    k8s::ApiClient& api,
                                                    const ControllerFlags& flags);

}  // namespace ironlb::controller
