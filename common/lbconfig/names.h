#pragma once
// Name rules of the Kubernetes API (and of Linux, for interface names), checked before a name
// is trusted. Each check returns nullopt when the text is valid, else the reason in the API's
// own words so users recognise it; callers add the object, field and value.

#include <optional>
#include <string>
#include <string_view>

namespace ironlb::lbconfig {

// RFC 1123 label: at most 63 characters, lowercase alphanumerics and '-', alphanumeric at both
// ends (Namespace names).
std::optional<std::string> checkDns1123Label(std::string_view text);
// RFC 1123 subdomain: at most 253 characters, dot-separated labels of lowercase alphanumerics and
// '-' (object names such as IPAddressPool names).
std::optional<std::string> checkDns1123Subdomain(std::string_view text);
// Label key: optional DNS-1123 subdomain prefix (<= 253) and '/', then a name of at most 63
// characters: alphanumerics, '-', '_', '.', alphanumeric at both ends.
std::optional<std::string> checkQualifiedName(std::string_view text);
// Label value: empty, or up to 63 characters of the label-name character set.
std::optional<std::string> checkLabelValue(std::string_view text);
// Linux network interface name (the kernel's dev_valid_name): 1-15 bytes, not "." or "..", no
// '/', ':' or whitespace. Control characters are refused too: they are never real names and
// would garble logs.
std::optional<std::string> checkInterfaceName(std::string_view text);

}  // namespace ironlb::lbconfig
