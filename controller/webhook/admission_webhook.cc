#include "controller/webhook/admission_webhook.h"

#include <array>

#include "common/k8s/informer.h"
#include "common/k8s/object_store.h"
#include "controller/webhook/admission_handler.h"

namespace ironlb::controller::webhook {
namespace {

// A quorum read of every kind of the configuration, the reads together bounded in time so that
// the API server's own call to us (which waits at most timeoutSeconds) is answered.
Result<DecodedObjects> readStored(k8s::ApiClient& api, const util::Clock& clock,
                                  const std::string& ns) {
  const util::MonoTime deadline = clock.now() + std::chrono::seconds(3);
  k8s::ListOptions options;
  options.transform = k8s::dropManagedFields;
  std::array<k8s::ObjectStore, kConfigKinds> stores;
  ConfigStores view;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    const ConfigSource& source = configSources()[i];
    options.call.timeout = std::chrono::duration_cast<util::Duration>(deadline - clock.now());
    if (options.call.timeout <= util::Duration::zero())
      return makeError("reading the stored " + source.type->plural + " took too long");
    auto list = api.listAll(*source.type, ns, options);
    if (!list) return makeError(list.error().describe());
    stores[i].replace(std::move(list->items));
    view.*(source.store) = &stores[i];
  }
  return decodeObjects(view);
}

}  // namespace

AdmissionWebhook::AdmissionWebhook(k8s::ApiClient& api, const util::Clock& clock,
                                   WebhookOptions options)
    : api_(api),
      clock_(clock),
      options_(std::move(options)),
      certs_(api, clock, tls_, options_.certs) {}

AdmissionWebhook::~AdmissionWebhook() {
  stop();
}

Status AdmissionWebhook::start() {
  if (auto st = tls_.init(); !st) return makeError("webhook TLS: " + st.error());
  server_ = std::make_unique<util::BoundedHttpServer>(
      "webhook",
      [this](const util::RequestHead& head) {
        return handleAdmission(
            head, [this] { return readStored(api_, clock_, options_.installNamespace); },
            options_.installNamespace);
      },
      options_.limits);
  if (auto st = server_->start(options_.bindHost, options_.port, tls_.context()); !st) return st;
  certs_.start();
  return {};
}

void AdmissionWebhook::stop() {
  certs_.stop();
  if (server_) server_->stop();
}

}  // namespace ironlb::controller::webhook
