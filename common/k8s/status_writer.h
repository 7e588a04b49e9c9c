#pragma once
// Optimistic-concurrency writes: read, change, write back with the resourceVersion that was
// read; if someone else wrote in between (409 Conflict), read again and re-apply the change.
//
//   auto r = updateStatusWithRetry(api, resources::kServices, "default", "web",
//                                  [&](Json& svc) {
//                                    svc["status"]["loadBalancer"]["ingress"] = ingress;
//                                    return true;  // false: already as wanted, skip the PUT
//                                  });
//
// The mutator must be deterministic given the object (it is re-run on a fresh copy after a
// conflict) and must leave metadata.resourceVersion alone. Blocking: run it on a
// BackgroundWorker, not on the logic thread.

#include <functional>
#include <string_view>

#include "common/k8s/api_client.h"

namespace ironlb::k8s {

// Returns true when the object was changed and must be written.
using Mutator = std::function<bool(Json& object)>;

struct RetryWriteOptions {
  int maxAttempts = 5;  // PUTs attempted before giving up with the last Conflict error
  CallOptions call{};
};

// Status subresource (PUT .../status). The result is the object as written (or as read, if the
// mutator made no change).
ApiResult<Json> updateStatusWithRetry(ApiClient& client, const ResourceType& type,
                                      std::string_view ns, std::string_view name,
                                      const Mutator& mutate, const RetryWriteOptions& options = {});
// Same, starting from a copy the caller already has (e.g. from an informer's store), which saves
// the first GET; a Conflict then triggers a fresh GET.
ApiResult<Json> updateStatusWithRetry(ApiClient& client, const ResourceType& type, Json cached,
                                      const Mutator& mutate, const RetryWriteOptions& options = {});
// The main resource (PUT of the whole object), for metadata/spec changes.
ApiResult<Json> updateWithRetry(ApiClient& client, const ResourceType& type, std::string_view ns,
                                std::string_view name, const Mutator& mutate,
                                const RetryWriteOptions& options = {});

}  // namespace ironlb::k8s
