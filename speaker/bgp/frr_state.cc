#include "speaker/bgp/frr_state.h"

#include <nlohmann/json.hpp>

#include "common/api/json_reader.h"

namespace ironlb::bgp {
namespace {

using api::Field;
using api::JsonReader;

Result<nlohmann::json> parseJson(const std::string& text, std::string_view what) {
  nlohmann::json out = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) return makeError(std::string(what) + ": FRR's answer is not JSON");
  return out;
}

void readMessageStats(JsonReader& reader, const Field& stats, BgpSessionState& out) {
  if (!reader.object(stats)) return;
  reader.read(stats["opensSent"], out.opensSent);
  reader.read(stats["opensRecv"], out.opensReceived);
  reader.read(stats["notificationsSent"], out.notificationsSent);
  reader.read(stats["notificationsRecv"], out.notificationsReceived);
  reader.read(stats["updatesSent"], out.updatesSent);
  reader.read(stats["updatesRecv"], out.updatesReceived);
  reader.read(stats["keepalivesSent"], out.keepalivesSent);
  reader.read(stats["keepalivesRecv"], out.keepalivesReceived);
  reader.read(stats["routeRefreshSent"], out.routeRefreshSent);
  reader.read(stats["routeRefreshRecv"], out.routeRefreshReceived);
  reader.read(stats["totalSent"], out.totalSent);
  reader.read(stats["totalRecv"], out.totalReceived);
}

}  // namespace

Result<std::vector<BgpSessionState>> parseBgpNeighbors(const std::string& json) {
  auto parsed = parseJson(json, "show bgp neighbors json");
  if (!parsed.ok()) return makeError(parsed.error());
  JsonReader reader(*parsed);
  std::vector<BgpSessionState> out;
  if (!reader.object(reader.root())) return reader.error("show bgp neighbors json");
  for (const auto& [neighbor, value] : parsed->items()) {
    const Field n(&value, neighbor);
    if (!reader.requiredObject(n)) continue;
    BgpSessionState s;
    s.neighbor = neighbor;
    reader.read(n["bgpState"], s.state);
    s.established = s.state == "Established";
    reader.read(n["remoteAs"], s.remoteAs);
    readMessageStats(reader, n["messageStats"], s);
    reader.read(n["lastResetDueTo"], s.lastResetReason);
    const Field families = n["addressFamilyInfo"];
    if (reader.object(families)) {
      for (const auto& [family, info] : families.value()->items()) {
        const Field f(&info, families.path() + "." + family);
        if (!reader.object(f)) continue;
        int64_t sent = 0;
        reader.read(f["sentPrefixCounter"], sent);
        s.prefixesSent += sent;
      }
    }
    const Field bfd = n["peerBfdInfo"];
    if (reader.object(bfd)) reader.read(bfd["status"], s.bfdStatus);
    out.push_back(std::move(s));
  }
  if (!reader.ok()) return reader.error("show bgp neighbors json");
  return out;
}

Result<std::vector<BfdSessionState>> parseBfdPeers(const std::string& json) {
  auto parsed = parseJson(json, "show bfd peers json");
  if (!parsed.ok()) return makeError(parsed.error());
  JsonReader reader(*parsed);
  std::vector<BfdSessionState> out;
  const Field root = reader.root();
  if (!root.value()->is_array()) {
    reader.expected(root, "an array");
    return reader.error("show bfd peers json");
  }
  reader.forEach(root, [&](const Field& p) {
    if (!reader.requiredObject(p)) return;
    BfdSessionState s;
    reader.read(p["peer"], s.peer);
    reader.read(p["local"], s.local);
    reader.read(p["interface"], s.interfaceName);
    reader.read(p["multihop"], s.multihop);
    reader.read(p["status"], s.status);
    reader.read(p["diagnostic"], s.diagnostic);
    s.up = s.status == "up";
    out.push_back(std::move(s));
  });
  if (!reader.ok()) return reader.error("show bfd peers json");
  return out;
}

}  // namespace ironlb::bgp
