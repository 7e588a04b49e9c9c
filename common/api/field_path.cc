#include "common/api/field_path.h"

// Only the string escaping uses nlohmann-json; the header stays free of it.
#include <nlohmann/json.hpp>

namespace ironlb::api {
namespace {

bool isIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

}  // namespace

std::string truncateForMessage(std::string text) {
  if (text.size() <= kMaxValueText) return text;
  // Cut on a UTF-8 character boundary so the message stays valid text.
  std::size_t cut = kMaxValueText;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
    --cut;
  text.resize(cut);
  text += "...";
  return text;
}

std::string childPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (isIdentifier(key)) {
    if (!out.empty()) out += '.';
    out.append(key);
  } else {
    out += '[';
    out += describeString(key);
    out += ']';
  }
  return out;
}

std::string indexPath(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::string describeString(std::string_view text) {
  // Cut first: quoting a 1 MB string only to keep 80 characters would waste the work.
  const std::string_view head = text.substr(0, kMaxValueText + 4);
  std::string out = nlohmann::json(std::string(head))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (head.size() < text.size()) {
    out.pop_back();  // the closing quote
    out = truncateForMessage(std::move(out));
    out += '"';
    return out;
  }
  return truncateForMessage(std::move(out));
}

}  // namespace ironlb::api
