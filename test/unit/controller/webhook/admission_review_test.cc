// docs/webhook.md: AdmissionReview v1 in and out; garbage is an error, never a crash.
#include "controller/webhook/admission_review.h"

#include <gtest/gtest.h>

namespace ironlb::controller::webhook {
namespace {

using nlohmann::json;

json review(json request) {
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", request}};
}

json createRequest() {
  return {{"uid", "u-1"},
          {"kind", {{"group", "metallb.io"}, {"version", "v1beta1"}, {"kind", "IPAddressPool"}}},
          {"operation", "CREATE"},
          {"namespace", "metallb-system"},
          {"name", "a"},
          {"dryRun", true},
          {"object", {{"metadata", {{"name", "a"}}}}}};
}

TEST(WebhookAdmissionReviewCodec, DecodesARequest) {
  auto r = decodeAdmissionReview(review(createRequest()).dump());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->uid, "u-1");
  EXPECT_EQ(r->group, "metallb.io");
  EXPECT_EQ(r->kind, "IPAddressPool");
  EXPECT_EQ(r->operation, Operation::kCreate);
  EXPECT_EQ(r->ns, "metallb-system");
  EXPECT_EQ(r->name, "a");
  EXPECT_TRUE(r->dryRun);
  ASSERT_TRUE(r->object);
  EXPECT_EQ((*r->object)["metadata"]["name"], "a");
  EXPECT_FALSE(r->oldObject);
}

TEST(WebhookAdmissionReviewCodec, DeleteNeedsNoObject) {
  json req = createRequest();
  req["operation"] = "DELETE";
  req.erase("object");
  req["oldObject"] = {{"metadata", {{"name", "a"}}}};
  auto r = decodeAdmissionReview(review(req).dump());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->operation, Operation::kDelete);
  EXPECT_TRUE(r->oldObject);
}

void expectError(const std::string& body, const std::string& part) {
  auto r = decodeAdmissionReview(body);
  ASSERT_FALSE(r) << body;
  EXPECT_NE(r.error().find(part), std::string::npos) << r.error();
}

TEST(WebhookAdmissionReviewCodec, MalformedInputIsAClearError) {
  expectError("", "not valid JSON");
  expectError("{\"apiVersion\":", "not valid JSON");
  expectError("[1,2]", "expected a JSON object");
  expectError(json{{"apiVersion", "admission.k8s.io/v1beta1"}, {"kind", "AdmissionReview"}}.dump(),
              "must be admission.k8s.io/v1 AdmissionReview");
  expectError(json{{"apiVersion", 5}}.dump(), "apiVersion");
  expectError(json{{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}}.dump(),
              "request");
  json req = createRequest();
  req.erase("uid");
  expectError(review(req).dump(), "request.uid is required");
  req = createRequest();
  req["operation"] = "PATCH";
  expectError(review(req).dump(), "unknown operation \"PATCH\"");
  req = createRequest();
  req["object"] = "a string";
  expectError(review(req).dump(), "request.object");
  req = createRequest();
  req.erase("object");
  expectError(review(req).dump(), "request.object is required for CREATE");
  req = createRequest();
  req["name"] = json::array();
  expectError(review(req).dump(), "request.name");
  expectError(std::string("\xff\xfe", 2), "not valid JSON");
}

TEST(WebhookAdmissionReviewCodec, EncodesAllowedRefusedAndWarnings) {
  const json allowed = json::parse(encodeAdmissionReview({.uid = "u-1"}));
  EXPECT_EQ(allowed["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(allowed["kind"], "AdmissionReview");
  EXPECT_EQ(allowed["response"], (json{{"uid", "u-1"}, {"allowed", true}}));

  const json refused = json::parse(encodeAdmissionReview(
      {.uid = "u-2", .allowed = false, .code = 403, .message = "no", .warnings = {"w"}}));
  EXPECT_EQ(refused["response"]["allowed"], false);
  EXPECT_EQ(refused["response"]["status"]["code"], 403);
  EXPECT_EQ(refused["response"]["status"]["message"], "no");
  EXPECT_EQ(refused["response"]["status"]["reason"], "Forbidden");
  EXPECT_EQ(refused["response"]["warnings"], json::array({"w"}));

  // Invalid UTF-8 from a user's value is replaced, not thrown.
  const std::string odd = encodeAdmissionReview(
      {.uid = "u-3", .allowed = false, .message = std::string("bad \xff byte")});
  EXPECT_TRUE(json::accept(odd));
}

}  // namespace
}  // namespace ironlb::controller::webhook
