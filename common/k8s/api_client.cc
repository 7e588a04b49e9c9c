// ApiClient: REST verbs, list paging and watch-stream decoding.
#include "common/k8s/api_client.h"

#include <algorithm>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/object_meta.h"

namespace ironlb::k8s {
namespace {

ApiError transportError(const std::string& method, const std::string& path,
                        const std::string& message, const CancelToken* cancel) {
  ApiError e;
  e.code = 0;
  e.method = method;
  e.path = path;
  e.message = message;
  e.reason = (cancel && cancel->cancelled()) ? "Cancelled" : "Transport";
  return e;
}

const char* contentTypeFor(PatchType t) {
  switch (t) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJsonPatch:
      return "application/json-patch+json";
  }
  return "application/merge-patch+json";
}

std::string verbFor(const std::string& method) {
  if (method == "GET") return "get";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  return method;
}

}  // namespace

std::chrono::seconds parseRetryAfter(std::string_view value) {
  // Delay-seconds only; an HTTP-date (which the API server never sends) counts as absent.
  long long seconds = 0;
  size_t i = 0;
  while (i < value.size() && value[i] == ' ')
    ++i;
  const size_t digits = i;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i)
    seconds = std::min(seconds * 10 + (value[i] - '0'), 86400LL);  // at most a day
  if (i == digits) return std::chrono::seconds(0);
  return std::chrono::seconds(seconds);
}

const char* toString(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
    case WatchEventType::kMalformed:
      return "MALFORMED";
  }
  return "?";
}

WatchEvent parseWatchEvent(std::string_view line) {
  WatchEvent ev;
  auto j = Json::parse(line, nullptr, false);
  auto excerpt = [&] {
    constexpr size_t kMax = 120;
    return std::string(line.substr(0, kMax)) + (line.size() > kMax ? "..." : "");
  };
  if (j.is_discarded()) {
    ev.error = "not JSON: " + excerpt();
    return ev;
  }
  if (!j.is_object()) {
    ev.error = "not a JSON object: " + excerpt();
    return ev;
  }
  const auto t = j.find("type");
  const auto o = j.find("object");
  if (t == j.end() || !t->is_string() || o == j.end() || !o->is_object()) {
    ev.error = "missing type or object: " + excerpt();
    return ev;
  }
  const std::string& type = t->get_ref<const std::string&>();
  if (type == "ADDED") {
    ev.type = WatchEventType::kAdded;
  } else if (type == "MODIFIED") {
    ev.type = WatchEventType::kModified;
  } else if (type == "DELETED") {
    ev.type = WatchEventType::kDeleted;
  } else if (type == "BOOKMARK") {
    ev.type = WatchEventType::kBookmark;
  } else if (type == "ERROR") {
    ev.type = WatchEventType::kError;
  } else {
    ev.error = "unknown event type \"" + type + "\"";
    return ev;
  }
  ev.object = std::move(*o);
  return ev;
}

ApiClient::ApiClient(Transport& transport, K8sMetrics* metrics, ClientOptions options)
    : transport_(transport), metrics_(metrics), options_(std::move(options)) {
  if (!options_.sleeper) options_.sleeper = realSleeper();
  if (!options_.clock) options_.clock = &util::SystemClock::instance();
  writes_ = std::make_unique<TokenBucket>(options_.writeQps, options_.writeBurst, *options_.clock);
}

void ApiClient::count(const std::string& verb, int code) {
  if (metrics_) metrics_->countRequest(verb, code);
}

ApiResult<Json> ApiClient::request(const std::string& method, const std::string& path,
                                   const std::string& body, const std::string& contentType,
                                   const CallOptions& call) {
  HttpRequest req;
  req.method = method;
  req.path = path;
  req.body = body;
  req.contentType = contentType;
  req.timeout = call.timeout;
  req.cancel = call.cancel;
  req.maxBodyBytes = call.maxResponseBytes;
  CancelToken never;
  CancelToken& cancel = call.cancel ? *call.cancel : never;
  const bool write = method != "GET";
  Result<HttpResponse> res = makeError("not sent");
  for (int attempt = 0;; ++attempt) {
    // docs/kubernetes-client.md, "Rate limit": one token per write attempt.
    if (write && call.rateLimited && !writes_->unlimited()) {
      const util::Duration wait = writes_->take();
      if (wait > util::Duration::zero() && !options_.sleeper(wait, cancel)) {
        return transportError(method, path, "cancelled while rate-limited", call.cancel);
      }
    }
    res = transport_.send(req);
    if (!res) {
      count(verbFor(method), 0);
      return transportError(method, path, res.error(), call.cancel);
    }
    count(verbFor(method), res->status);
    if (res->status >= 200 && res->status < 300) break;
    ApiError e = apiErrorFromResponse(method, path, res->status, res->body);
    const auto header = res->headers.find("retry-after");
    if (e.retryAfter.count() == 0 && header != res->headers.end()) {
      e.retryAfter = parseRetryAfter(header->second);
    }
    // docs/kubernetes-client.md, "Retry-After": the server says the request was not served
    // and when to come back; a 503 counts only when it says so.
    const bool pushedBack =
        res->status == 429 || (res->status == 503 && (header != res->headers.end() ||
                                                      e.retryAfter > std::chrono::seconds(0)));
    if (!pushedBack || !call.honourRetryAfter || attempt >= options_.retryAfterAttempts) {
      return e;
    }
    util::Duration wait = e.retryAfter > std::chrono::seconds(0)
                              ? util::Duration(e.retryAfter)
                              : util::Duration(std::chrono::seconds(1));
    wait = std::min(wait, options_.maxRetryAfter);
    if (!options_.sleeper(wait, cancel)) return e;
  }
  if (res->body.empty()) return Json::object();
  auto j = Json::parse(res->body, nullptr, false);
  if (j.is_discarded()) {
    ApiError e;
    e.code = res->status;
    e.reason = "BadResponse";
    e.method = method;
    e.path = path;
    e.message = "response body is not JSON";
    return e;
  }
  return j;
}

ApiResult<Json> ApiClient::get(const ResourceType& type, std::string_view ns, std::string_view name,
                               const CallOptions& call) {
  return request("GET", objectPath(type, ns, name), "", "", call);
}

ApiResult<ObjectList> ApiClient::list(const ResourceType& type, std::string_view ns,
                                      const ListOptions& options) {
  const std::string path =
      collectionPath(type, ns) +
      buildQuery({{"labelSelector", options.labelSelector},
                  {"fieldSelector", options.fieldSelector},
                  {"limit", options.limit > 0 ? std::to_string(options.limit) : ""},
                  {"continue", options.continueToken},
                  {"resourceVersion", options.resourceVersion}});
  auto res = request("GET", path, "", "", options.call);
  if (!res) return res.error();
  Json& body = *res;
  ObjectList out;
  const auto items = body.find("items");
  if (!body.is_object() || (items != body.end() && !items->is_array() && !items->is_null())) {
    ApiError e;
    e.code = 200;
    e.reason = "BadResponse";
    e.method = "GET";
    e.path = path;
    e.message = "list response has no items array";
    return e;
  }
  if (items != body.end() && items->is_array()) {
    out.items.reserve(items->size());
    for (auto& item : *items)
      out.items.push_back(std::move(item));
  }
  if (auto m = body.find("metadata"); m != body.end() && m->is_object()) {
    if (auto rv = m->find("resourceVersion"); rv != m->end() && rv->is_string()) {
      out.resourceVersion = *rv;
    }
    if (auto c = m->find("continue"); c != m->end() && c->is_string()) out.continueToken = *c;
  }
  return out;
}

ApiResult<ObjectList> ApiClient::listAll(const ResourceType& type, std::string_view ns,
                                         ListOptions options) {
  ObjectList all;
  // Bounded: a server that hands out continue tokens forever must not loop us forever.
  constexpr int kMaxPages = 100000;
  for (int page = 0; page < kMaxPages; ++page) {
    auto res = list(type, ns, options);
    if (!res) return res.error();
    for (auto& item : res->items) {
      if (options.transform) options.transform(item);
      all.items.push_back(std::move(item));
    }
    all.resourceVersion = res->resourceVersion;
    if (res->continueToken.empty()) return all;
    options.continueToken = res->continueToken;
    options.resourceVersion.clear();  // the continue token pins the snapshot
  }
  ApiError e;
  e.reason = "BadResponse";
  e.method = "GET";
  e.path = collectionPath(type, ns);
  e.message = "list did not finish after " + std::to_string(kMaxPages) + " pages";
  return e;
}

ApiResult<Json> ApiClient::create(const ResourceType& type, std::string_view ns, const Json& object,
                                  const CallOptions& call) {
  return request("POST", collectionPath(type, ns), object.dump(), "application/json", call);
}

ApiResult<Json> ApiClient::update(const ResourceType& type, const Json& object,
                                  const CallOptions& call) {
  return request("PUT", objectPath(type, namespaceOf(object), nameOf(object)), object.dump(),
                 "application/json", call);
}

ApiResult<Json> ApiClient::updateStatus(const ResourceType& type, const Json& object,
                                        const CallOptions& call) {
  return request("PUT", objectPath(type, namespaceOf(object), nameOf(object), "status"),
                 object.dump(), "application/json", call);
}

ApiResult<Json> ApiClient::patch(const ResourceType& type, std::string_view ns,
                                 std::string_view name, PatchType patchType, const Json& patch,
                                 std::string_view subresource, const CallOptions& call) {
  return request("PATCH", objectPath(type, ns, name, subresource), patch.dump(),
                 contentTypeFor(patchType), call);
}

ApiResult<void> ApiClient::remove(const ResourceType& type, std::string_view ns,
                                  std::string_view name, const DeleteOptions& options) {
  Json body = Json::object();
  if (!options.preconditionUid.empty() || !options.preconditionResourceVersion.empty()) {
    Json pre = Json::object();
    if (!options.preconditionUid.empty()) pre["uid"] = options.preconditionUid;
    if (!options.preconditionResourceVersion.empty()) {
      pre["resourceVersion"] = options.preconditionResourceVersion;
    }
    body["preconditions"] = pre;
  }
  if (!options.propagationPolicy.empty()) body["propagationPolicy"] = options.propagationPolicy;
  std::string text;
  if (!body.empty()) {
    body["kind"] = "DeleteOptions";
    body["apiVersion"] = "v1";
    text = body.dump();
  }
  auto res = request("DELETE", objectPath(type, ns, name), text,
                     text.empty() ? "" : "application/json", options.call);
  if (!res) return res.error();
  return {};
}

ApiResult<void> ApiClient::watch(const ResourceType& type, std::string_view ns,
                                 const WatchOptions& options, const WatchHandler& onEvent) {
  const std::string path =
      collectionPath(type, ns) +
      buildQuery({{"watch", "true"},
                  {"resourceVersion", options.resourceVersion},
                  {"timeoutSeconds",
                   options.timeoutSeconds > 0 ? std::to_string(options.timeoutSeconds) : ""},
                  {"allowWatchBookmarks", options.allowBookmarks ? "true" : ""},
                  {"labelSelector", options.labelSelector},
                  {"fieldSelector", options.fieldSelector}});
  HttpRequest req;
  req.method = "GET";
  req.path = path;
  req.timeout = std::chrono::seconds(options.timeoutSeconds > 0 ? options.timeoutSeconds : 0) +
                options.readMargin;
  if (options.idleTimeout > util::Duration::zero()) {
    req.timeout = std::min(req.timeout, options.idleTimeout);
  }
  req.cancel = options.cancel;
  auto res =
      transport_.stream(req, [&](std::string_view line) { return onEvent(parseWatchEvent(line)); });
  if (!res) {
    count("watch", 0);
    return transportError("GET", path, res.error(), options.cancel);
  }
  count("watch", res->status);
  if (res->status < 200 || res->status >= 300) {
    return apiErrorFromResponse("GET", path, res->status, res->body);
  }
  return {};
}

}  // namespace ironlb::k8s
