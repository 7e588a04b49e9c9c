// Fuzzes the admission webhook's request path (docs/webhook.md) without the network: a POST body
// -> AdmissionReview decode -> object decode -> verdict against a fixed stored configuration ->
// answer. It must never crash or throw; it also checks:
//  - the reply is 200 with an AdmissionReview carrying the request's uid, or 400 with a reason;
//  - a refusal always has a message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/webhook/admission_handler.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

ironlb::Result<ironlb::controller::DecodedObjects> stored() {
  ironlb::controller::DecodedObjects d;
  ironlb::api::IPAddressPool p;
  p.meta.name = "first";
  p.meta.ns = "metallb-system";
  p.meta.creationTimestamp = "2026-01-01T00:00:00Z";
  p.spec.addresses = {"192.0.2.0/28", "2001:db8::/120"};
  d.snapshot.pools.push_back(p);
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ironlb;
  util::RequestHead head;
  head.method = "POST";
  head.path = std::string(controller::webhook::kValidatePath);
  head.body.assign(reinterpret_cast<const char*>(data), size);
  const util::HttpReply reply =
      controller::webhook::handleAdmission(head, stored, "metallb-system");
  check(reply.status == 200 || reply.status == 400);
  if (reply.status == 400) {
    check(reply.body.size() > 1);
    return 0;
  }
  const nlohmann::json answer = nlohmann::json::parse(reply.body, nullptr, false);
  check(!answer.is_discarded());
  const nlohmann::json& response = answer["response"];
  check(response["uid"].is_string() && !response["uid"].get<std::string>().empty());
  if (!response["allowed"].get<bool>()) {
    check(!response["status"]["message"].get<std::string>().empty());
  }
  return 0;
}
