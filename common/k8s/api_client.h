#pragma once
// ApiClient: the Kubernetes REST API at the JSON level (nlohmann::json), over a Transport.
// Blocking calls, safe to use from several threads at once. Run them on a background thread
// (Informer, EventRecorder, LeaderElector and BackgroundWorker do), never on a daemon's logic
// thread: a slow API server must not stall packet handling.
//
//   ApiClient api(*transport);
//   auto svc = api.get(resources::kServices, "default", "web");
//   if (!svc && svc.error().isNotFound()) ...
//   auto page = api.list(resources::kServices, "", {.labelSelector = "app=web", .limit = 500});
//   api.updateStatus(resources::kServices, *svc);   // PUT .../status with its resourceVersion
//
// Every failure is an ApiResult error carrying the HTTP code and the Kubernetes Status
// reason/message; see api_error.h.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/k8s/api_error.h"
#include "common/k8s/resource.h"
#include "common/k8s/token_bucket.h"
#include "common/k8s/transport.h"

namespace ironlb::k8s {

class K8sMetrics;

using Json = nlohmann::json;

// Per-call knobs; the defaults suit most calls.
struct CallOptions {
  util::Duration timeout{0};      // read timeout; 0 = the transport default
  CancelToken* cancel = nullptr;  // abort from another thread
  // Wait out a 429 (or a 503 with Retry-After) and repeat, as ClientOptions says. Callers that
  // manage push-back themselves (the controller's status write pool) pass false and get the
  // 429 with its retryAfter at once.
  bool honourRetryAfter = true;
  // Take a token from the client's write rate limit. The leader elector's Lease calls pass
  // false: a renewal must not queue behind other writes past its deadline.
  bool rateLimited = true;
  size_t maxResponseBytes = 0;  // cap on the response body; 0 = the transport's default
};

// Client-wide behaviour (docs/kubernetes-client.md, "Rate limit" and "Retry-After").
struct ClientOptions {
  // Token bucket on writes (POST, PUT, PATCH, DELETE) across every caller of this client:
  // writeBurst at once, then writeQps per second. writeQps <= 0 = no limit (the default here;
  // the daemons set --kube-api-qps/--kube-api-burst).
  double writeQps = 0;
  double writeBurst = 0;
  // A 429, or a 503 carrying Retry-After, is repeated after the server's Retry-After (header or
  // Status details.retryAfterSeconds; 1 s when absent), capped at maxRetryAfter, at most
  // retryAfterAttempts times; then the error is returned with its retryAfter.
  int retryAfterAttempts = 3;
  util::Duration maxRetryAfter = std::chrono::seconds(10);
  Sleeper sleeper{};                   // default: real sleeping
  const util::Clock* clock = nullptr;  // default: the system clock
};

struct ListOptions {
  std::string labelSelector{};
  std::string fieldSelector{};
  int64_t limit = 0;              // page size; 0 = no paging
  std::string continueToken{};    // from the previous page
  std::string resourceVersion{};  // "" = most recent (a quorum read)
  CallOptions call{};
  // listAll: applied to every item as its page arrives (e.g. to drop metadata.managedFields),
  // so a large collection never sits in memory whole and unreduced.
  std::function<void(Json&)> transform{};
};

struct ObjectList {
  std::vector<Json> items{};
  std::string resourceVersion{};  // of the list: where a watch should start
  std::string continueToken{};    // non-empty when more pages remain
};

struct WatchOptions {
  std::string resourceVersion{};  // start after this version ("" = "now", with synthetic ADDs)
  int timeoutSeconds = 300;       // server closes the stream after this; we then re-watch
  bool allowBookmarks = true;
  std::string labelSelector{};
  std::string fieldSelector{};
  // Client read timeout = timeoutSeconds + this margin, so a silent connection still ends.
  util::Duration readMargin = std::chrono::seconds(30);
  // The longest silence tolerated between records (events or bookmarks): the stream then fails
  // with a transport error and the caller re-watches. With timeoutSeconds below it, only a dead
  // stream is that silent (docs/kubernetes-client.md, "Re-watch bound"). Zero = timeoutSeconds
  // + readMargin.
  util::Duration idleTimeout = std::chrono::seconds(90);
  CancelToken* cancel = nullptr;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError, kMalformed };
const char* toString(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kMalformed;
  Json object{};        // the object; for kError a Status; null for kMalformed
  std::string error{};  // kMalformed: what was wrong with the line
};
// The Retry-After header's delay-seconds (0 when absent or an HTTP-date; at most a day).
std::chrono::seconds parseRetryAfter(std::string_view value);

// Parses one line of a watch stream. Never throws.
WatchEvent parseWatchEvent(std::string_view line);

// Return false to end the watch early.
using WatchHandler = std::function<bool(WatchEvent&& event)>;

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in types only)
  kJsonPatch,       // application/json-patch+json (RFC 6902)
};

struct DeleteOptions {
  std::string preconditionUid{};              // delete only this incarnation
  std::string preconditionResourceVersion{};  // delete only this version
  std::string propagationPolicy{};            // Foreground, Background, Orphan
  CallOptions call{};
};

class ApiClient {
 public:
  // `metrics` (optional) counts requests by verb and code.
  explicit ApiClient(Transport& transport, K8sMetrics* metrics = nullptr,
                     ClientOptions options = {});

  ApiResult<Json> get(const ResourceType& type, std::string_view ns, std::string_view name,
                      const CallOptions& call = {});
  // One page.
  ApiResult<ObjectList> list(const ResourceType& type, std::string_view ns,
                             const ListOptions& options = {});
  // Every page (following continue tokens); the result's resourceVersion is the snapshot's.
  ApiResult<ObjectList> listAll(const ResourceType& type, std::string_view ns,
                                ListOptions options = {});
  // POST; the namespace comes from `ns` (metadata.namespace, if set, must agree).
  ApiResult<Json> create(const ResourceType& type, std::string_view ns, const Json& object,
                         const CallOptions& call = {});
  // PUT of the whole object; name/namespace from its metadata. Include
  // metadata.resourceVersion for optimistic concurrency (409 Conflict when stale).
  ApiResult<Json> update(const ResourceType& type, const Json& object,
                         const CallOptions& call = {});
  // PUT on the status subresource (only .status is applied).
  ApiResult<Json> updateStatus(const ResourceType& type, const Json& object,
                               const CallOptions& call = {});
  ApiResult<Json> patch(const ResourceType& type, std::string_view ns, std::string_view name,
                        PatchType patchType, const Json& patch, std::string_view subresource = "",
                        const CallOptions& call = {});
  ApiResult<void> remove(const ResourceType& type, std::string_view ns, std::string_view name,
                         const DeleteOptions& options = {});

  // Streams events to `onEvent` on the calling thread until the server ends the stream
  // (ok), onEvent returns false (ok), the request fails (error: e.g. 410 Gone when
  // resourceVersion is too old, or a transport error), or options.cancel fires (error,
  // isCancelled()). ERROR events inside the stream are delivered as kError, not turned into
  // a returned error: the caller decides (an informer relists on code 410).
  ApiResult<void> watch(const ResourceType& type, std::string_view ns, const WatchOptions& options,
                        const WatchHandler& onEvent);

  Transport& transport() { return transport_; }

  // The raw call behind the helpers: JSON in/out, Status errors decoded.
  ApiResult<Json> request(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& contentType,
                          const CallOptions& call);

 private:
  void count(const std::string& verb, int code);

  Transport& transport_;
  K8sMetrics* metrics_;
  ClientOptions options_;
  std::unique_ptr<TokenBucket> writes_;
};

}  // namespace ironlb::k8s
