#pragma once
// AdmissionReview (admission.k8s.io/v1) as the API server sends it to a validating webhook and
// expects it back (docs/webhook.md). Decoding never throws: a body that is not JSON, not an
// AdmissionReview v1, or lacks request.uid is an error naming what is wrong; the server answers
// it with 400 (the API server then applies the failure policy).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace ironlb::controller::webhook {

enum class Operation { kCreate, kUpdate, kDelete, kConnect };

struct AdmissionRequest {
  std::string uid;
  std::string group;  // request.kind
  std::string kind;
  Operation operation = Operation::kCreate;
  std::string ns;
  std::string name;
  std::optional<nlohmann::json> object;     // absent on DELETE
  std::optional<nlohmann::json> oldObject;  // UPDATE and DELETE
  bool dryRun = false;
};

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  int code = 200;                       // status.code when refused (the API server shows it)
  std::string message{};                // status.message when refused
  std::vector<std::string> warnings{};  // kubectl prints them as "Warning: ..."
};

// The body of a POST from the API server.
Result<AdmissionRequest> decodeAdmissionReview(std::string_view body);
// The AdmissionReview v1 answer for `response`.
std::string encodeAdmissionReview(const AdmissionResponse& response);

}  // namespace ironlb::controller::webhook
