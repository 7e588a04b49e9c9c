#include "controller/daemon/memberlist_secret.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/k8s/base64.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"
#include "common/util/backoff.h"
#include "common/util/logging.h"

namespace ironlb::controller {
namespace {

// The speaker refuses shorter keys (docs/membership.md, "The key").
constexpr std::size_t kSpeakerMinKeyBytes = 16;

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("memberlist-secret");
  return logger;
}

// The owner Deployment as an ownerReference, or null (with a warning) when it cannot be read.
k8s::Json ownerReference(k8s::ApiClient& api, const MemberlistSecretOptions& o,
                         const std::function<void(const std::string&)>& warn,
                         k8s::CancelToken* cancel) {
  if (o.ownerDeployment.empty()) return nullptr;
  auto got = api.get(k8s::resources::kDeployments, o.ns, o.ownerDeployment, {.cancel = cancel});
  if (!got) {
    warn("owner Deployment " + o.ns + "/" + o.ownerDeployment +
         " not readable; the Secret will outlive an uninstall: " + got.error().describe());
    return nullptr;
  }
  return k8s::Json{{"apiVersion", k8s::resources::kDeployments.apiVersion()},
                   {"kind", k8s::resources::kDeployments.kind},
                   {"name", o.ownerDeployment},
                   {"uid", k8s::uidOf(*got)}};
}

// Why the existing Secret's key is unusable, or "" when it is fine.
std::string keyProblem(const k8s::Json& secret) {
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object() || !data->contains(kMemberlistKeyField) ||
      !(*data)[kMemberlistKeyField].is_string()) {
    return std::string("has no data.") + kMemberlistKeyField;
  }
  auto key = k8s::decodeBase64((*data)[kMemberlistKeyField].get<std::string>());
  if (!key) return std::string("data.") + kMemberlistKeyField + " is not base64";
  while (!key->empty() && (key->back() == '\n' || key->back() == '\r' || key->back() == ' '))
    key->pop_back();
  if (key->size() < kSpeakerMinKeyBytes) {
    return std::string("data.") + kMemberlistKeyField + " holds " + std::to_string(key->size()) +
           " bytes; speakers need at least " + std::to_string(kSpeakerMinKeyBytes);
  }
  return "";
}

}  // namespace

Result<std::string> newMemberlistKey() {
  std::array<unsigned char, kMemberlistKeyRandomBytes> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return makeError(std::string("cannot read random bytes for the membership key: ") +
                       std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
  std::string key = k8s::encodeBase64(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  explicit_bzero(bytes.data(), bytes.size());
  return key;
}

k8s::Json memberlistSecretObject(const std::string& ns, const std::string& name,
                                 const std::string& key, const k8s::Json& owner) {
  k8s::Json meta{{"name", name},
                 {"namespace", ns},
                 {"labels",
                  {{"app.kubernetes.io/name", "ironlb"},
                   {"app.kubernetes.io/component", "speaker"},
                   {"app.kubernetes.io/managed-by", "ironlb-controller"}}}};
  if (!owner.is_null()) meta["ownerReferences"] = k8s::Json::array({owner});
  return k8s::Json{{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"metadata", std::move(meta)},
                   {"type", "Opaque"},
                   {"data", {{kMemberlistKeyField, k8s::encodeBase64(key)}}}};
}

k8s::ApiResult<SecretOutcome> ensureMemberlistSecret(
    k8s::ApiClient& api, const MemberlistSecretOptions& options,
    const std::function<void(const std::string&)>& warn, k8s::CancelToken* cancel) {
  const std::string what = "Secret " + options.ns + "/" + options.name;
  auto existing = api.get(k8s::resources::kSecrets, options.ns, options.name, {.cancel = cancel});
  if (existing) {
    if (auto problem = keyProblem(*existing); !problem.empty())
      warn(what + " " + problem + "; it is kept as it is (ironlb never overwrites it)");
    return SecretOutcome::kExisted;
  }
  if (!existing.error().isNotFound()) return existing.error();
  auto key = newMemberlistKey();
  if (!key) return k8s::ApiError{.code = 0, .reason = "NoEntropy", .message = key.error()};
  const auto owner = ownerReference(api, options, warn, cancel);
  auto created =
      api.create(k8s::resources::kSecrets, options.ns,
                 memberlistSecretObject(options.ns, options.name, *key, owner), {.cancel = cancel});
  explicit_bzero(key->data(), key->size());
  if (created) return SecretOutcome::kCreated;
  if (created.error().isAlreadyExists()) return SecretOutcome::kExisted;
  return created.error();
}

MemberlistSecretKeeper::MemberlistSecretKeeper(k8s::ApiClient& api, MemberlistSecretOptions options)
    : api_(api), options_(std::move(options)) {}

MemberlistSecretKeeper::~MemberlistSecretKeeper() {
  stop();
}

void MemberlistSecretKeeper::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void MemberlistSecretKeeper::stop() {
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

void MemberlistSecretKeeper::run() {
  const std::string secret = options_.ns + "/" + options_.name;
  auto warn = [&](const std::string& m) {
    util::logWith(*log(), spdlog::level::warn, m, {{"secret", secret}});
  };
  util::Backoff backoff({.initial = std::chrono::seconds(1), .max = std::chrono::seconds(30)},
                        util::makeRandomSource());
  while (!cancel_.cancelled()) {
    auto outcome = ensureMemberlistSecret(api_, options_, warn, &cancel_);
    if (outcome) {
      util::logWith(*log(), spdlog::level::info,
                    *outcome == SecretOutcome::kCreated
                        ? "created the memberlist Secret with a new random key"
                        : "memberlist Secret exists; kept as it is",
                    {{"secret", secret}});
      return;
    }
    if (outcome.error().isCancelled()) return;
    const auto wait = backoff.next();
    util::logWith(*log(), spdlog::level::warn, "cannot make sure the memberlist Secret exists",
                  {{"secret", secret},
                   {"error", outcome.error().describe()},
                   {"retry_in_ms",
                    static_cast<int64_t>(
                        std::chrono::duration_cast<std::chrono::milliseconds>(wait).count())}});
    if (!cancel_.sleepFor(wait)) return;
  }
}

}  // namespace ironlb::controller
