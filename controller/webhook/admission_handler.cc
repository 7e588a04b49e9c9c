#include "controller/webhook/admission_handler.h"

#include "common/api/metallb_types_json.h"
#include "common/util/logging.h"
#include "controller/webhook/admission_check.h"
#include "controller/webhook/admission_review.h"

namespace ironlb::controller::webhook {
namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("webhook");
  return logger;
}

util::HttpReply textReply(int status, std::string body) {
  util::HttpReply r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

util::HttpReply jsonReply(const AdmissionResponse& response) {
  util::HttpReply r;
  r.contentType = "application/json";
  r.body = encodeAdmissionReview(response);
  return r;
}

// The decoded object as the configuration sees it: its namespace defaulted to the request's,
// or nothing when it is being deleted (the pool-protection finalizer holds it): such objects are
// out of the configuration, as the controller has them, so the controller's own finalizer
// removal is never refused. `name` receives the object's name.
template <class T>
Result<std::optional<T>> liveObject(Result<T> decoded, const AdmissionRequest& request,
                                    std::string& name) {
  if (!decoded) return makeError(decoded.error());
  name = decoded->meta.name;
  if (decoded->meta.deleting()) return std::optional<T>();
  if (decoded->meta.ns.empty()) decoded->meta.ns = request.ns;
  return std::optional<T>(std::move(*decoded));
}

// The request's object as a ConfigChange; an error names what did not decode.
Result<ConfigChange> changeOf(const AdmissionRequest& request) {
  ConfigChange change{request.kind, request.ns, request.name};
  if (request.operation == Operation::kDelete) return change;
  const nlohmann::json& object = *request.object;
  if (request.kind == kPoolKind) {
    auto pool = liveObject(api::decodeIPAddressPool(object), request, change.name);
    if (!pool) return makeError(pool.error());
    change.pool = std::move(*pool);
  } else {
    auto advertisement = liveObject(api::decodeL2Advertisement(object), request, change.name);
    if (!advertisement) return makeError(advertisement.error());
    change.advertisement = std::move(*advertisement);
  }
  return change;
}

}  // namespace

util::HttpReply handleAdmission(const util::RequestHead& head, const StoredObjects& stored,
                                const std::string& installNamespace) {
  if (head.path != kValidatePath) return textReply(404, "not found");
  if (head.method != "POST") return textReply(405, "POST an AdmissionReview");
  auto request = decodeAdmissionReview(head.body);
  if (!request) return textReply(400, request.error());

  AdmissionResponse response{.uid = request->uid};
  const bool known = request->group == "metallb.io" &&
                     (request->kind == kPoolKind || request->kind == kL2AdvertisementKind);
  if (!known || request->operation == Operation::kConnect) return jsonReply(response);
  auto change = changeOf(*request);
  if (!change) {
    response.allowed = false;
    response.code = 400;
    response.message = change.error();
    return jsonReply(response);
  }
  auto objects = stored();
  if (!objects) {
    util::logWith(*log(), spdlog::level::warn, "cannot read the stored configuration",
                  {{"error", objects.error()}});
    return textReply(500, "cannot read the stored configuration: " + objects.error());
  }
  const Verdict verdict = judge(objects->snapshot, *change, installNamespace);
  response.allowed = verdict.allowed;
  response.code = 403;
  response.message = verdict.message;
  response.warnings = verdict.warnings;
  util::logWith(*log(), spdlog::level::info, verdict.allowed ? "admitted" : "refused",
                {{"kind", request->kind},
                 {"namespace", change->ns},
                 {"name", change->name},
                 {"dry_run", request->dryRun},
                 {"message", verdict.message}});
  return jsonReply(response);
}

}  // namespace ironlb::controller::webhook
