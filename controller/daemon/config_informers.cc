#include "controller/daemon/config_informers.h"

namespace ironlb::controller {

ConfigInformers::ConfigInformers(
    k8s::ApiClient& api, boost::asio::io_context& io,
    const std::function<k8s::InformerOptions(const k8s::ResourceType&)>& options,
    const k8s::InformerHandlers& handlers) {
  for (std::size_t i = 0; i < informers_.size(); ++i)
    informers_[i] =
        std::make_unique<k8s::Informer>(api, io, options(*configSources()[i].type), handlers);
}

void ConfigInformers::start() {
  for (auto& informer : informers_)
    informer->start();
}

void ConfigInformers::stop() {
  for (auto& informer : informers_)
    informer->stop();
}

bool ConfigInformers::synced() const {
  for (const auto& informer : informers_)
    if (!informer->synced()) return false;
  return true;
}

ConfigStores ConfigInformers::stores() const {
  ConfigStores out;
  for (std::size_t i = 0; i < informers_.size(); ++i)
    out.*(configSources()[i].store) = &informers_[i]->store();
  return out;
}

const k8s::Informer* ConfigInformers::ofKind(std::string_view kind) const {
  const ConfigSource* source = configSourceOf(kind);
  return source ? informers_[static_cast<std::size_t>(source - configSources().data())].get()
                : nullptr;
}

}  // namespace ironlb::controller
