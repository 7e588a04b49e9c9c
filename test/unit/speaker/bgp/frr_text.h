#pragma once
// Reading renderFrrConfig's text in tests: which line is there, which tag route map a prefix's
// `network` line names, which tag that map sets, and a peer's route-map entry for a tag.

#include <string>

namespace ironlb::bgp {

inline bool has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// What follows `key` up to the end of its line ("" when `key` is not in the text).
inline std::string restOfLine(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return "";
  const auto start = at + key.size();
  return text.substr(start, text.find('\n', start) - start);
}

// The route map a `network P route-map R` line names for prefix P ("" when P is not announced).
inline std::string tagMapOf(const std::string& text, const std::string& prefix) {
  return restOfLine(text, "  network " + prefix + " route-map ");
}

// The tag route map `name` sets ("" when there is no such map).
inline std::string tagSetBy(const std::string& text, const std::string& name) {
  return restOfLine(text, "route-map " + name + " permit 1\n set tag ");
}

// The body of the peer route-map entry that matches `tag` ("" when none does).
inline std::string entryMatching(const std::string& text, const std::string& peerMap,
                                 const std::string& tag) {
  std::size_t at = 0;
  while ((at = text.find("route-map " + peerMap + " permit ", at)) != std::string::npos) {
    const auto end = text.find("\nexit\n", at);
    const std::string entry = text.substr(at, end - at);
    if (entry.find("\n match tag " + tag + "\n") != std::string::npos ||
        entry.ends_with("\n match tag " + tag)) {
      return entry;
    }
    at = end;
  }
  return "";
}

}  // namespace ironlb::bgp
