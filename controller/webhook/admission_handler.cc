#include "controller/webhook/admission_handler.h"

#include "common/lbconfig/config_object_json.h"
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

// The request's object decoded by its kind's decoder, as the configuration sees it: its
// namespace defaulted to the request's, or nothing when it is being deleted (the
// pool-protection finalizer holds it): such objects are out of the configuration, as the
// controller has them, so the controller's own finalizer removal is never refused. `name`
// receives the object's name.
Result<std::optional<ConfigObject>> decodeObject(const AdmissionRequest& request,
                                                 std::string& name) {
  auto decoded = lbconfig::decodeConfigObject(request.kind, *request.object);
  if (!decoded) return makeError(decoded.error());
  api::ObjectMeta& meta = lbconfig::metaOf(*decoded);
  name = meta.name;
  if (meta.deleting()) return std::optional<ConfigObject>();
  if (meta.ns.empty()) meta.ns = request.ns;
  return std::optional<ConfigObject>(std::move(*decoded));
}

// The request's object as a ConfigChange; an error names what did not decode.
Result<ConfigChange> changeOf(const AdmissionRequest& request) {
  ConfigChange change{request.kind, request.ns, request.name};
  if (request.operation == Operation::kDelete) return change;
  auto object = decodeObject(request, change.name);
  if (!object) return makeError(object.error());
  change.object = std::move(*object);
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
  const bool known = request->group == "metallb.io" && configSourceOf(request->kind);
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
