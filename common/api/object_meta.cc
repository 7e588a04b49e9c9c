#include "common/api/object_meta.h"

namespace ironlb::api {

std::string objectName(std::string_view kind, std::string_view ns, std::string_view name) {
  std::string out(kind);
  if (name.empty()) return out;
  out += ' ';
  if (!ns.empty()) {
    out.append(ns);
    out += '/';
  }
  out.append(name);
  return out;
}

}  // namespace ironlb::api
