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

// The request's object as a ConfigChange; an error names what did not decode.
Result<ConfigChange> changeOf(const AdmissionRequest& request) {
  ConfigChange change{request.kind, request.ns, request.name};
  if (request.operation == Operation::kDelete) return change;
  const nlohmann::json& object = *request.object;
  if (request.kind == kPoolKind) {
    auto pool = api::decodeIPAddressPool(object);
    if (!pool) return makeError(pool.error());
    change.name = pool->meta.name;
    // Being deleted (the pool-protection finalizer holds it): out of the configuration, as the
    // controller has it, so the controller's own finalizer removal is never refused.
    if (pool->meta.deleting()) return change;
    change.pool = std::move(*pool);
    if (change.pool->meta.ns.empty()) change.pool->meta.ns = request.ns;
  } else {
    auto advertisement = api::decodeL2Advertisement(object);
    if (!advertisement) return makeError(advertisement.error());
    change.name = advertisement->meta.name;
    if (advertisement->meta.deleting()) return change;
    change.advertisement = std::move(*advertisement);
    if (change.advertisement->meta.ns.empty()) change.advertisement->meta.ns = request.ns;
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
