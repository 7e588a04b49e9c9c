#pragma once
// StringMap: labels, annotations and selectors as API objects carry them. Ordered (so printing
// and comparing are deterministic) and searchable by string_view.

#include <functional>
#include <map>
#include <string>

namespace ironlb::api {

using StringMap = std::map<std::string, std::string, std::less<>>;

}  // namespace ironlb::api
