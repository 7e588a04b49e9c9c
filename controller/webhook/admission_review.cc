#include "controller/webhook/admission_review.h"

#include "common/api/json_reader.h"

namespace ironlb::controller::webhook {
namespace {

// Warnings are shown by kubectl one per line; the API server caps them too (120 characters
// each is its advice; longer ones are kept whole but the list is bounded).
constexpr std::size_t kMaxWarnings = 20;

std::optional<Operation> parseOperation(std::string_view text) {
  if (text == "CREATE") return Operation::kCreate;
  if (text == "UPDATE") return Operation::kUpdate;
  if (text == "DELETE") return Operation::kDelete;
  if (text == "CONNECT") return Operation::kConnect;
  return std::nullopt;
}

}  // namespace

Result<AdmissionRequest> decodeAdmissionReview(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return makeError("AdmissionReview: the body is not valid JSON");
  if (!doc.is_object()) {
    return makeError("AdmissionReview: expected a JSON object, got " + api::describeValue(doc));
  }
  api::JsonReader r(doc);
  const api::Field root = r.root();
  std::string apiVersion;
  std::string kind;
  r.read(root["apiVersion"], apiVersion);
  r.read(root["kind"], kind);
  if (r.ok() && (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")) {
    return makeError(
        "AdmissionReview: apiVersion/kind must be admission.k8s.io/v1 "
        "AdmissionReview, got " +
        api::describeValue(apiVersion) + " " + api::describeValue(kind));
  }
  const api::Field request = root["request"];
  AdmissionRequest out;
  std::string operation;
  if (r.requiredObject(request)) {
    r.read(request["uid"], out.uid);
    r.read(request["kind"]["group"], out.group);
    r.read(request["kind"]["kind"], out.kind);
    r.read(request["operation"], operation);
    r.read(request["namespace"], out.ns);
    r.read(request["name"], out.name);
    r.read(request["dryRun"], out.dryRun);
    for (auto [field, slot] : {std::pair{request["object"], &out.object},
                               std::pair{request["oldObject"], &out.oldObject}}) {
      if (field.absent()) continue;
      if (r.object(field)) *slot = *field.value();
    }
  }
  if (!r.ok()) return r.error("AdmissionReview");
  if (out.uid.empty()) return makeError("AdmissionReview: request.uid is required");
  const auto op = parseOperation(operation);
  if (!op) {
    return makeError("AdmissionReview: request.operation: unknown operation " +
                     api::describeValue(operation));
  }
  out.operation = *op;
  if ((out.operation == Operation::kCreate || out.operation == Operation::kUpdate) && !out.object) {
    return makeError("AdmissionReview: request.object is required for " + operation);
  }
  return out;
}

std::string encodeAdmissionReview(const AdmissionResponse& response) {
  nlohmann::json r = {{"uid", response.uid}, {"allowed", response.allowed}};
  if (!response.allowed) {
    r["status"] = {{"code", response.code}, {"message", response.message}};
    if (response.code == 403) r["status"]["reason"] = "Forbidden";
  }
  if (!response.warnings.empty()) {
    nlohmann::json w = nlohmann::json::array();
    for (std::size_t i = 0; i < response.warnings.size() && i < kMaxWarnings; ++i)
      w.push_back(response.warnings[i]);
    r["warnings"] = std::move(w);
  }
  const nlohmann::json doc = {
      {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", r}};
  // Replace invalid UTF-8 (from a user's object name) instead of throwing.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ironlb::controller::webhook
