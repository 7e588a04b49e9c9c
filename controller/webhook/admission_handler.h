#pragma once
// One admission request, end to end but without the network (docs/webhook.md): the POST body ->
// AdmissionReview decode -> the object decoded as the controller decodes it -> the verdict
// (admission_check.h) against the stored objects -> the AdmissionReview answer. A body that is
// not an AdmissionReview gets 400 with the reason; an object that does not decode is refused
// with the decoder's message (field and value); stored objects that cannot be read (API server
// unreachable) give 500, and the API server applies the failure policy.

#include <functional>
#include <string>

#include "common/util/bounded_http_server.h"
#include "common/util/result.h"
#include "controller/daemon/config_source.h"

namespace ironlb::controller::webhook {

inline constexpr std::string_view kValidatePath = "/validate-metallb-io";

// The objects stored now, read when a request arrives (a quorum read: an object created a
// moment ago is seen).
using StoredObjects = std::function<Result<DecodedObjects>()>;

util::HttpReply handleAdmission(const util::RequestHead& request, const StoredObjects& stored,
                                const std::string& installNamespace);

}  // namespace ironlb::controller::webhook
