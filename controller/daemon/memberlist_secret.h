#pragma once
// The speakers' membership key Secret (docs/membership.md, "The key"). The controller creates
// it when it is absent, as MetalLB's controller does, so the chart renders no random data and
// `helm template` (GitOps tools) prints the same manifests every time. It is never updated: an
// existing Secret, whoever made it (an earlier controller, another replica, Helm before this
// change, the operator), is kept as it is. Every replica does this at start, not only the
// leader: speakers need the key even while no leader is elected (an old pod still holding the
// Lease during an upgrade), and a replica losing the race gets AlreadyExists, which is success.

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/k8s/api_client.h"
#include "common/k8s/cancel_token.h"
#include "common/util/result.h"

namespace ironlb::controller {

inline constexpr std::size_t kMemberlistKeyRandomBytes = 64;
inline constexpr const char* kMemberlistKeyField = "secretkey";

// kMemberlistKeyRandomBytes from the kernel's CSPRNG (getrandom), base64-encoded: 88
// printable characters, read by the speaker as its key (printable, so its trimming of a
// trailing newline can never shorten it). An error only when the kernel has no entropy to give.
Result<std::string> newMemberlistKey();

// The Secret to create: `key` under kMemberlistKeyField, labelled as ironlb's, owned by
// `owner` (an ownerReference object; null = none) so uninstalling the controller removes it.
k8s::Json memberlistSecretObject(const std::string& ns, const std::string& name,
                                 const std::string& key, const k8s::Json& owner);

enum class SecretOutcome { kCreated, kExisted };

struct MemberlistSecretOptions {
  std::string ns;
  std::string name;
  std::string ownerDeployment;  // "" = no owner
};

// One attempt: get the Secret; absent -> create it with a new key; AlreadyExists (another
// replica was first) -> kExisted. Never writes to an existing Secret. An existing Secret
// without a usable `secretkey` is reported through `warn` (the speakers will wait for it).
k8s::ApiResult<SecretOutcome> ensureMemberlistSecret(
    k8s::ApiClient& api, const MemberlistSecretOptions& options,
    const std::function<void(const std::string&)>& warn, k8s::CancelToken* cancel = nullptr);

// Runs ensureMemberlistSecret on its own thread until it succeeds, retrying failures (API
// server down, 403 before RBAC is applied) with backoff; logs the outcome.
class MemberlistSecretKeeper {
 public:
  MemberlistSecretKeeper(k8s::ApiClient& api, MemberlistSecretOptions options);
  ~MemberlistSecretKeeper();
  MemberlistSecretKeeper(const MemberlistSecretKeeper&) = delete;
  MemberlistSecretKeeper& operator=(const MemberlistSecretKeeper&) = delete;

  void start();
  void stop();

 private:
  void run();

  k8s::ApiClient& api_;
  const MemberlistSecretOptions options_;
  k8s::CancelToken cancel_;
  std::thread thread_;
};

}  // namespace ironlb::controller
