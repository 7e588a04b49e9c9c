// REST paths and query encoding.
#include "common/k8s/resource.h"

namespace ironlb::k8s {

std::string urlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string buildQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += urlEncode(k);
    out += "=";
    out += urlEncode(v);
  }
  return out;
}

std::string collectionPath(const ResourceType& type, std::string_view ns) {
  std::string out =
      type.group.empty() ? "/api/" + type.version : "/apis/" + type.group + "/" + type.version;
  if (type.namespaced && !ns.empty()) {
    out += "/namespaces/";
    out += urlEncode(ns);
  }
  out += "/";
  out += type.plural;
  return out;
}

std::string objectPath(const ResourceType& type, std::string_view ns, std::string_view name,
                       std::string_view subresource) {
  std::string out = collectionPath(type, ns);
  out += "/";
  out += urlEncode(name);
  if (!subresource.empty()) {
    out += "/";
    out += subresource;
  }
  return out;
}

}  // namespace ironlb::k8s
