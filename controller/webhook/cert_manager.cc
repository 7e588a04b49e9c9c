#include "controller/webhook/cert_manager.h"

#include "common/k8s/base64.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"

namespace ironlb::controller::webhook {
namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("webhook");
  return logger;
}

const k8s::ResourceType kWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                               "validatingwebhookconfigurations",
                                               "ValidatingWebhookConfiguration", false};

std::string dataOf(const k8s::Json& secret, std::string_view key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return "";
  auto it = data->find(std::string(key));
  if (it == data->end() || !it->is_string()) return "";
  return k8s::decodeBase64(it->get<std::string>()).value_or("");
}

CertBundle bundleOf(const k8s::Json& secret) {
  return {dataOf(secret, kCaKey), dataOf(secret, kCertKey), dataOf(secret, kKeyKey)};
}

void putData(k8s::Json& secret, const CertBundle& b, const std::string& caBundle) {
  secret["type"] = "kubernetes.io/tls";
  secret["data"] = {{std::string(kCertKey), k8s::encodeBase64(b.certPem)},
                    {std::string(kKeyKey), k8s::encodeBase64(b.keyPem)},
                    {std::string(kCaKey), k8s::encodeBase64(b.caCertPem)},
                    {std::string(kBundleKey), k8s::encodeBase64(caBundle)}};
}

}  // namespace

CertManager::CertManager(k8s::ApiClient& api, const util::Clock& clock,
                         RotatingCertificate& serving, CertManagerOptions options)
    : api_(api), clock_(clock), serving_(serving), options_(std::move(options)), dnsNames_([this] {
        auto names = serviceDnsNames(options_.serviceName, options_.ns);
        names.insert(names.end(), options_.extraHosts.begin(), options_.extraHosts.end());
        return names;
      }()) {}

CertManager::~CertManager() {
  stop();
}

void CertManager::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      const Status st = syncOnce();
      lock.lock();
      if (!st) {
        state_ = {false, "webhook: " + st.error()};
        util::logWith(*log(), spdlog::level::warn, "webhook certificate round failed",
                      {{"error", st.error()}});
      }
      const auto wait = st ? options_.checkInterval : options_.retryInterval;
      wake_.wait_for(lock, wait, [this] { return stopping_; });
    }
  });
}

void CertManager::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

util::HealthState CertManager::readiness() const {
  std::lock_guard lock(mu_);
  return state_;
}

void CertManager::setState(util::HealthState state) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
}

Result<k8s::Json> CertManager::ensureSecret() {
  const std::string where = "Secret " + options_.ns + "/" + options_.secretName;
  auto secret = api_.get(k8s::resources::kSecrets, options_.ns, options_.secretName);
  if (!secret && secret.error().isNotFound()) {
    auto bundle = makeCertBundle(dnsNames_, clock_.wallNow(), options_.validity);
    if (!bundle) return makeError("cannot make the webhook certificate: " + bundle.error());
    k8s::Json fresh = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata",
                        {{"name", options_.secretName},
                         {"namespace", options_.ns},
                         {"labels", {{"app.kubernetes.io/component", "webhook"}}}}}};
    putData(fresh, *bundle, bundle->caCertPem);
    if (!options_.ownerDeployment.empty()) {
      auto owner = api_.get(k8s::resources::kDeployments, options_.ns, options_.ownerDeployment);
      if (owner) {
        fresh["metadata"]["ownerReferences"] =
            k8s::Json::array({{{"apiVersion", k8s::resources::kDeployments.apiVersion()},
                               {"kind", k8s::resources::kDeployments.kind},
                               {"name", options_.ownerDeployment},
                               {"uid", k8s::uidOf(*owner)}}});
      } else {
        util::logWith(
            *log(), spdlog::level::warn,
            "owner not found: the webhook Secret will outlive an uninstall",
            {{"deployment", options_.ownerDeployment}, {"error", owner.error().describe()}});
      }
    }
    auto created = api_.create(k8s::resources::kSecrets, options_.ns, fresh);
    if (created) {
      util::logWith(*log(), spdlog::level::info, "webhook certificate created",
                    {{"secret", where}});
      return std::move(*created);
    }
    if (!created.error().isConflict() && !created.error().isAlreadyExists()) {
      return makeError("cannot create " + where + ": " + created.error().describe());
    }
    secret = api_.get(k8s::resources::kSecrets, options_.ns, options_.secretName);  // theirs
  }
  if (!secret) return makeError("cannot read " + where + ": " + secret.error().describe());

  const CertBundle bundle = bundleOf(*secret);
  const util::WallTime now = clock_.wallNow();
  const std::string reason = renewalReason(bundle, dnsNames_, now, options_.renewBefore);
  if (reason.empty()) return std::move(*secret);
  auto renewed = makeCertBundle(dnsNames_, now, options_.validity);
  if (!renewed) return makeError("cannot renew the webhook certificate: " + renewed.error());
  k8s::Json updated = *secret;
  putData(updated, *renewed, renewed->caCertPem + unexpiredCerts(dataOf(*secret, kBundleKey), now));
  auto stored = api_.update(k8s::resources::kSecrets, updated);
  if (!stored) {
    // 409: another replica renewed first; the next round reads theirs.
    return makeError("cannot renew " + where + ": " + stored.error().describe());
  }
  util::logWith(*log(), spdlog::level::info, "webhook certificate renewed",
                {{"secret", where}, {"reason", reason}});
  return std::move(*stored);
}

Status CertManager::patchCaBundle(const std::string& bundle) {
  const std::string where = "ValidatingWebhookConfiguration " + options_.configurationName;
  auto config = api_.get(kWebhookConfigurations, "", options_.configurationName);
  if (!config) return makeError("cannot read " + where + ": " + config.error().describe());
  const std::string want = k8s::encodeBase64(bundle);
  k8s::Json ops = k8s::Json::array();
  const auto webhooks = config->find("webhooks");
  if (webhooks == config->end() || !webhooks->is_array() || webhooks->empty()) {
    return makeError(where + " has no webhooks");
  }
  for (std::size_t i = 0; i < webhooks->size(); ++i) {
    const k8s::Json& w = (*webhooks)[i];
    const k8s::Json* have = nullptr;
    if (w.contains("clientConfig") && w["clientConfig"].contains("caBundle"))
      have = &w["clientConfig"]["caBundle"];
    if (have && *have == want) continue;
    const std::string at = "/webhooks/" + std::to_string(i);
    ops.push_back({{"op", "test"}, {"path", at + "/name"}, {"value", w.value("name", "")}});
    ops.push_back({{"op", "add"}, {"path", at + "/clientConfig/caBundle"}, {"value", want}});
  }
  if (ops.empty()) return {};
  auto patched = api_.patch(kWebhookConfigurations, "", options_.configurationName,
                            k8s::PatchType::kJsonPatch, ops);
  if (!patched)
    return makeError("cannot patch the caBundle of " + where + ": " + patched.error().describe());
  util::logWith(*log(), spdlog::level::info, "webhook caBundle patched", {{"config", where}});
  return {};
}

Status CertManager::syncOnce() {
  auto secret = ensureSecret();
  if (!secret) return makeError(secret.error());
  const CertBundle bundle = bundleOf(*secret);
  // The API server trusts the new CA before the new certificate is served.
  std::string caBundle = dataOf(*secret, kBundleKey);
  if (caBundle.empty()) caBundle = bundle.caCertPem;
  if (auto st = patchCaBundle(caBundle); !st) return st;
  if (serving_.certPem() != bundle.certPem) {
    if (auto st = serving_.set(bundle.certPem, bundle.keyPem); !st) return st;
    util::logWith(*log(), spdlog::level::info, "serving the webhook certificate", {});
  }
  setState({true, ""});
  return {};
}

}  // namespace ironlb::controller::webhook
