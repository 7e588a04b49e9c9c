// Read-modify-write with conflict retries.
#include "common/k8s/status_writer.h"

#include <algorithm>
#include <optional>

#include "common/k8s/object_meta.h"

namespace ironlb::k8s {
namespace {

ApiResult<Json> writeLoop(ApiClient& client, const ResourceType& type, std::string ns,
                          std::string name, std::optional<Json> start, const Mutator& mutate,
                          const RetryWriteOptions& options, bool status) {
  std::optional<ApiError> lastConflict;
  for (int attempt = 0; attempt < std::max(1, options.maxAttempts); ++attempt) {
    Json object;
    if (start) {
      object = std::move(*start);
      start.reset();
    } else {
      auto fresh = client.get(type, ns, name, options.call);
      if (!fresh) return fresh.error();
      object = std::move(*fresh);
    }
    const std::string readVersion = resourceVersionOf(object);
    if (!mutate(object)) return object;
    // The write must carry the version that was read, whatever the mutator did. Objects from
    // list responses carry no kind/apiVersion; fill them in from the type.
    if (object.is_object() && object["metadata"].is_object()) {
      object["metadata"]["resourceVersion"] = readVersion;
      if (!object.contains("kind")) object["kind"] = type.kind;
      if (!object.contains("apiVersion")) object["apiVersion"] = type.apiVersion();
    }
    auto written = status ? client.updateStatus(type, object, options.call)
                          : client.update(type, object, options.call);
    if (written) return written;
    if (!written.error().isConflict()) return written.error();
    lastConflict = written.error();
  }
  ApiError e = *lastConflict;
  e.message += " (gave up after " + std::to_string(options.maxAttempts) +
               " conflicting writes; another writer keeps changing the object)";
  return e;
}

}  // namespace

ApiResult<Json> updateStatusWithRetry(ApiClient& client, const ResourceType& type,
                                      std::string_view ns, std::string_view name,
                                      const Mutator& mutate, const RetryWriteOptions& options) {
  return writeLoop(client, type, std::string(ns), std::string(name), std::nullopt, mutate, options,
                   true);
}

ApiResult<Json> updateStatusWithRetry(ApiClient& client, const ResourceType& type, Json cached,
                                      const Mutator& mutate, const RetryWriteOptions& options) {
  std::string ns = namespaceOf(cached);
  std::string name = nameOf(cached);
  return writeLoop(client, type, std::move(ns), std::move(name), std::move(cached), mutate, options,
                   true);
}

ApiResult<Json> updateWithRetry(ApiClient& client, const ResourceType& type, std::string_view ns,
                                std::string_view name, const Mutator& mutate,
                                const RetryWriteOptions& options) {
  return writeLoop(client, type, std::string(ns), std::string(name), std::nullopt, mutate, options,
                   false);
}

}  // namespace ironlb::k8s
