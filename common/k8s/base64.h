#pragma once
// Standard base64 (RFC 4648, with padding) decoding for kubeconfig *-data fields. Whitespace is
// ignored (people paste wrapped blocks); anything else outside the alphabet is an error.

#include <optional>
#include <string>
#include <string_view>

namespace ironlb::k8s {

std::optional<std::string> decodeBase64(std::string_view text);
std::string encodeBase64(std::string_view bytes);

}  // namespace ironlb::k8s
