// Election by rendezvous hashing: each (node, ip) pair gets a score and the lowest wins, so a
// membership change moves only the IPs whose winner left or whose new best arrived.

#include "speaker/election/election.h"

#include <openssl/sha.h>

#include <algorithm>
#include <utility>

namespace ironlb::election {

Score score(std::string_view node, std::string_view ipText) {
  std::string input;
  input.reserve(node.size() + 1 + ipText.size());
  input.append(node).append("#").append(ipText);
  Score out{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data());
  return out;
}

namespace {

std::vector<std::pair<Score, const std::string*>> scored(std::span<const std::string> candidates,
                                                         const net::IpAddress& ip) {
  const std::string ipText = ip.toString();
  std::vector<std::pair<Score, const std::string*>> out;
  out.reserve(candidates.size());
  for (const auto& node : candidates)
    out.emplace_back(score(node, ipText), &node);
  return out;
}

bool better(const std::pair<Score, const std::string*>& a,
            const std::pair<Score, const std::string*>& b) {
  if (a.first != b.first) return a.first < b.first;  // std::array compares bytewise
  return *a.second < *b.second;
}

}  // namespace

std::optional<std::string> winner(std::span<const std::string> candidates,
                                  const net::IpAddress& ip) {
  if (candidates.empty()) return std::nullopt;
  const auto all = scored(candidates, ip);
  return *std::min_element(all.begin(), all.end(), better)->second;
}

std::vector<std::string> rank(std::span<const std::string> candidates, const net::IpAddress& ip) {
  auto all = scored(candidates, ip);
  std::sort(all.begin(), all.end(), better);
  std::vector<std::string> out;
  out.reserve(all.size());
  for (const auto& entry : all)
    out.push_back(*entry.second);
  return out;
}

}  // namespace ironlb::election
