#pragma once
// ConfigInformers: the informers of every kind the configuration is made of (configSources():
// pools, L2Advertisements and BGP mode's kinds), all in the install namespace and all with the
// same handlers, so that any change of any of them rebuilds the configuration. Services are not
// among them: their path never waits on these.

#include <boost/asio/io_context.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string_view>

#include "common/k8s/informer.h"
#include "controller/daemon/config_source.h"

namespace ironlb::controller {

class ConfigInformers {
 public:
  // `options`: the informer options for one kind (type and namespace already in them).
  ConfigInformers(k8s::ApiClient& api, boost::asio::io_context& io,
                  const std::function<k8s::InformerOptions(const k8s::ResourceType&)>& options,
                  const k8s::InformerHandlers& handlers);

  void start();
  void stop();
  bool synced() const;

  // What buildConfig reads.
  ConfigStores stores() const;
  const k8s::Informer& pools() const { return *ofKind(k8s::resources::kIPAddressPools.kind); }
  // The informer of the kind named `kind` ("BGPPeer", ...), or null.
  const k8s::Informer* ofKind(std::string_view kind) const;

 private:
  std::array<std::unique_ptr<k8s::Informer>, kConfigKinds> informers_;  // as configSources()
};

}  // namespace ironlb::controller
