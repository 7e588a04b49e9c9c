#include "speaker/bgp/frr_config.h"

#include <algorithm>
#include <map>
#include <set>

namespace ironlb::bgp {
namespace {

using lbconfig::BgpPeer;

constexpr uint32_t kDefaultMinimumTtl = 254;  // FRR's, for multi-hop sessions
constexpr uint32_t kLastEntry = 65534;        // of a peer's route map; 65535 denies the rest

// The attributes one prefix carries to one peer.
struct Attributes {
  std::optional<uint32_t> localPref;
  std::vector<lbconfig::BgpCommunity> communities;

  friend auto operator<=>(const Attributes&, const Attributes&) = default;
};

// Where one prefix goes and with what: (peer, attributes) by peer name. Prefixes with equal
// profiles share one tag, so the number of tags follows the configuration, not the Services.
using Profile = std::vector<std::pair<std::string, Attributes>>;

// FNV-1a, 32 bits: short, stable names for long Kubernetes names.
uint32_t fnv1a(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string hex32(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4)
    out[static_cast<std::size_t>(i)] = kDigits[v & 0xf];
  return out;
}

class Renderer {
 public:
  Renderer(const lbconfig::BgpConfig& config, const NodePlan& plan, const FrrContext& context)
      : config_(config), plan_(plan), context_(context) {}

  FrrRendering run();

 private:
  void line(const std::string& text) {
    out_.text += text;
    out_.text += '\n';
  }
  // Groups the plan's prefixes by profile and gives each profile its tag.
  void assignTags();
  void tagMaps();
  void routeMap(const PeerPlan& peer);
  // The node's peers by VRF, each VRF's first peer (by name) deciding myASN and routerID.
  std::map<std::string, std::vector<const BgpPeer*>> peersByVrf();
  void routerBgp(const std::string& vrf, const std::vector<const BgpPeer*>& peers);
  void neighbor(const BgpPeer& peer);
  void addressFamily(net::Family family, const std::vector<const BgpPeer*>& peers);
  void bfdProfiles();

  const lbconfig::BgpConfig& config_;
  const NodePlan& plan_;
  const FrrContext& context_;
  FrrRendering out_;
  std::map<net::Prefix, uint32_t> tagOf_;  // prefix -> the tag of its profile
  std::map<uint32_t, Profile> profiles_;   // tag -> profile
};

std::string tagMapName(uint32_t tag) {
  return "ironlb-tag-" + hex32(tag);
}

std::string canonical(const Profile& profile) {
  std::string out;
  for (const auto& [peer, attributes] : profile) {
    out += peer + "|" + (attributes.localPref ? std::to_string(*attributes.localPref) : "-");
    for (const lbconfig::BgpCommunity& c : attributes.communities)
      out += "|" + lbconfig::formatCommunity(c);
    out += ";";
  }
  return out;
}

void Renderer::assignTags() {
  std::map<net::Prefix, Profile> byPrefix;
  for (const PeerPlan& peer : plan_.peers) {  // by peer name: profiles come out sorted
    for (const Route& r : peer.routes)
      byPrefix[r.prefix].emplace_back(peer.peer, Attributes{r.localPref, r.communities});
  }
  // A tag is a hash of its profile, so it stays the same whatever else is announced (a new
  // profile does not renumber the others, whose route maps then stay untouched); a collision
  // moves to the next free value, in the profiles' sorted order, which is deterministic.
  std::map<Profile, uint32_t> tags;
  for (const auto& [prefix, profile] : byPrefix)
    tags.emplace(profile, 0);
  for (auto& [profile, tag] : tags) {
    uint32_t t = fnv1a(canonical(profile));
    while (t == 0 || profiles_.count(t) != 0)
      ++t;
    tag = t;
    profiles_.emplace(t, profile);
  }
  for (const auto& [prefix, profile] : byPrefix)
    tagOf_.emplace(prefix, tags.at(profile));
}

// At origination every prefix gets its profile's tag (a local attribute, never sent), which
// the peers' outbound route maps match: no per-prefix entry in any list (docs/bgp.md, Speed).
void Renderer::tagMaps() {
  for (const auto& [tag, profile] : profiles_) {
    line("route-map " + tagMapName(tag) + " permit 1");
    line(" set tag " + std::to_string(tag));
    line("exit");
    line("!");
  }
}

void Renderer::routeMap(const PeerPlan& peer) {
  const std::string name = frrName(peer.peer);
  // An entry's number comes from its tag too, so a profile that changes (an advertisement
  // edited) usually gets a new entry beside the old one, which goes only after every prefix
  // carries the new tag; when the numbers collide, the diff keeps a copy of the old entry
  // meanwhile (frr_diff.h). Either way no route matches no entry on the way, which would
  // withdraw it.
  std::map<uint32_t, std::pair<uint32_t, const Attributes*>> entries;  // number -> tag, attrs
  for (const auto& [tag, profile] : profiles_) {
    const auto it = std::find_if(profile.begin(), profile.end(),
                                 [&](const auto& p) { return p.first == peer.peer; });
    if (it == profile.end()) continue;
    if (entries.size() == kLastEntry) {
      out_.problems.push_back("BGPPeer \"" + peer.peer + "\" has more than " +
                              std::to_string(kLastEntry) +
                              " distinct sets of attributes; the rest are not announced to it");
      break;
    }
    uint32_t number = 1 + tag % kLastEntry;
    while (entries.count(number) != 0)
      number = number % kLastEntry + 1;
    entries.emplace(number, std::pair{tag, &it->second});
  }
  for (const auto& [number, entry] : entries) {
    const auto& [tag, attributes] = entry;
    line("route-map " + name + "-out permit " + std::to_string(number));
    line(" match tag " + std::to_string(tag));
    if (attributes->localPref) {
      line(" set local-preference " + std::to_string(*attributes->localPref));
    }
    std::string standard;
    std::string large;
    for (const lbconfig::BgpCommunity& c : attributes->communities) {
      (lbconfig::isLarge(c) ? large : standard) += " " + lbconfig::formatCommunity(c);
    }
    // A locally originated route carries no communities of its own: these are all it gets.
    if (!standard.empty()) line(" set community" + standard);
    if (!large.empty()) line(" set large-community" + large);
    line("exit");
  }
  // Everything not planned for this peer stays in: `network` statements are shared.
  line("route-map " + name + "-out deny " + std::to_string(kLastEntry + 1));
  line("exit");
  line("!");
}

std::map<std::string, std::vector<const BgpPeer*>> Renderer::peersByVrf() {
  std::map<std::string, std::vector<const BgpPeer*>> out;
  for (const std::string& name : plan_.sessions) {
    const auto it = config_.peers.find(name);
    if (it == config_.peers.end()) continue;
    const BgpPeer& peer = it->second;
    std::vector<const BgpPeer*>& vrf = out[peer.vrf];
    if (!vrf.empty() && vrf.front()->myAsn != peer.myAsn) {
      out_.problems.push_back("BGPPeer \"" + name + "\" is left out on this node: its myASN " +
                              std::to_string(peer.myAsn) + " differs from " +
                              std::to_string(vrf.front()->myAsn) + " of BGPPeer \"" +
                              vrf.front()->name + "\" in the same VRF");
      continue;
    }
    vrf.push_back(&peer);
  }
  return out;
}

void Renderer::routerBgp(const std::string& vrf, const std::vector<const BgpPeer*>& peers) {
  line("router bgp " + std::to_string(peers.front()->myAsn) + (vrf.empty() ? "" : " vrf " + vrf));
  const BgpPeer* withId = nullptr;
  for (const BgpPeer* p : peers) {
    if (!p->routerId) continue;
    if (withId == nullptr) {
      withId = p;
    } else if (*p->routerId != *withId->routerId) {
      out_.problems.push_back("BGPPeer \"" + p->name + "\" asks for routerID " +
                              p->routerId->toString() + " but BGPPeer \"" + withId->name +
                              "\" of the same VRF set " + withId->routerId->toString() +
                              ", which is used");
    }
  }
  if (withId != nullptr) line(" bgp router-id " + withId->routerId->toString());
  line(" no bgp ebgp-requires-policy");
  line(" no bgp default ipv4-unicast");
  line(" no bgp network import-check");
  // A peer's first routes go out at once, not after FRR's default 1 s of update-group
  // coalescing: after a restart, a router with graceful restart flushes the stale routes at our
  // End-of-RIB, which otherwise arrives a second before the routes
  // (bgp_frr_restart_reconfigured_graceful_restart_keeps_routes_e2e: 1.1 s without).
  line(" coalesce-time 0");
  for (const BgpPeer* p : peers)
    neighbor(*p);
  addressFamily(net::Family::kV4, peers);
  addressFamily(net::Family::kV6, peers);
  line("exit");
  line("!");
}

void Renderer::neighbor(const BgpPeer& peer) {
  const std::string n = " neighbor " + peer.neighbor();
  std::string remote = peer.peerAsn ? std::to_string(*peer.peerAsn)
                       : peer.dynamicAsn == lbconfig::DynamicAsn::kInternal ? "internal"
                                                                            : "external";
  line(n + (peer.address ? "" : " interface") + " remote-as " + remote);
  if (peer.port != 179) line(n + " port " + std::to_string(peer.port));
  if (peer.holdTimeS || peer.keepaliveTimeS) {
    const uint32_t hold = peer.holdTimeS.value_or(90);
    const uint32_t keepalive = peer.keepaliveTimeS.value_or(hold / 3);
    line(n + " timers " + std::to_string(keepalive) + " " + std::to_string(hold));
  }
  if (peer.connectTimeS) line(n + " timers connect " + std::to_string(*peer.connectTimeS));
  if (const auto pw = context_.passwords.find(peer.name); pw != context_.passwords.end()) {
    line(n + " password " + pw->second);
  }
  if (peer.sourceAddress) line(n + " update-source " + peer.sourceAddress->toString());
  if (peer.ebgpMultiHop) line(n + " ebgp-multihop 255");  // FRR's own spelling of the default
  if (!peer.bfdProfile.empty()) {
    line(n + " bfd");  // FRR shows it beside the profile; rendering it keeps the two in step
    line(n + " bfd profile " + peer.bfdProfile);
  }
  // FRR announces the graceful-restart capability by default (helper mode): a router that helps
  // then keeps a dead node's routes as stale for FRR's restart time (120 s) instead of the
  // hold time. Only a BGPPeer that asks for graceful restart gets it (docs/bgp.md, Speed).
  line(n + (peer.gracefulRestart ? " graceful-restart" : " graceful-restart-disable"));
}

void Renderer::addressFamily(net::Family family, const std::vector<const BgpPeer*>& peers) {
  const bool v4 = family == net::Family::kV4;
  std::set<net::Prefix> networks;
  std::vector<const BgpPeer*> active;
  for (const BgpPeer* p : peers) {
    if (!p->carries(family)) continue;
    active.push_back(p);
    for (const PeerPlan& plan : plan_.peers) {
      if (plan.peer != p->name) continue;
      for (const Route& r : plan.routes) {
        if (r.prefix.family() == family) networks.insert(r.prefix);
      }
    }
  }
  if (active.empty()) return;
  line(std::string(" address-family ") + (v4 ? "ipv4" : "ipv6") + " unicast");
  for (const net::Prefix& p : networks)
    line("  network " + p.toString() + " route-map " + tagMapName(tagOf_.at(p)));
  for (const BgpPeer* p : active) {
    line("  neighbor " + p->neighbor() + " activate");
    line("  neighbor " + p->neighbor() + " route-map " + frrName(p->name) + "-out out");
  }
  line(" exit-address-family");
}

void Renderer::bfdProfiles() {
  std::set<std::string> used;
  for (const std::string& name : plan_.sessions) {
    const auto it = config_.peers.find(name);
    if (it != config_.peers.end() && !it->second.bfdProfile.empty()) {
      used.insert(it->second.bfdProfile);
    }
  }
  if (used.empty()) return;
  line("bfd");
  for (const std::string& name : used) {
    const auto it = config_.bfdProfiles.find(name);
    if (it == config_.bfdProfiles.end()) continue;
    const lbconfig::BfdProfile& p = it->second;
    // Only values that differ from FRR's defaults, the way FRR itself shows a profile, so the
    // running configuration reads back as rendered.
    const lbconfig::BfdProfile defaults;
    line(" profile " + p.name);
    if (p.detectMultiplier != defaults.detectMultiplier) {
      line("  detect-multiplier " + std::to_string(p.detectMultiplier));
    }
    if (p.receiveIntervalMs != defaults.receiveIntervalMs) {
      line("  receive-interval " + std::to_string(p.receiveIntervalMs));
    }
    if (p.transmitIntervalMs != defaults.transmitIntervalMs) {
      line("  transmit-interval " + std::to_string(p.transmitIntervalMs));
    }
    if (p.passiveMode) line("  passive-mode");
    if (p.minimumTtl && *p.minimumTtl != kDefaultMinimumTtl) {
      line("  minimum-ttl " + std::to_string(*p.minimumTtl));
    }
    if (p.echoMode) line("  echo-mode");
    if (p.echoIntervalMs != defaults.echoIntervalMs) {
      line("  echo transmit-interval " + std::to_string(p.echoIntervalMs));
      line("  echo receive-interval " + std::to_string(p.echoIntervalMs));
    }
    line(" exit");
  }
  line("exit");
  line("!");
}

FrrRendering Renderer::run() {
  line("frr defaults traditional");
  line("hostname " + context_.hostname);
  line("log stdout informational");
  line("!");
  assignTags();
  tagMaps();
  for (const PeerPlan& peer : plan_.peers)
    routeMap(peer);
  for (const auto& [vrf, peers] : peersByVrf())
    routerBgp(vrf, peers);
  bfdProfiles();
  return std::move(out_);
}

}  // namespace

FrrRendering renderFrrConfig(const lbconfig::BgpConfig& config, const NodePlan& plan,
                             const FrrContext& context) {
  return Renderer(config, plan, context).run();
}

std::optional<std::string> checkPassword(const std::string& password) {
  if (password.empty()) return "the password is empty";
  if (password.size() > 80) return "the password is longer than 80 characters (TCP MD5 limit)";
  for (unsigned char c : password) {
    if (c <= ' ' || c >= 0x7f) {
      return "the password may only hold printable ASCII characters without spaces";
    }
  }
  return std::nullopt;
}

std::string frrName(const std::string& peer) {
  constexpr std::size_t kMaxKept = 40;
  if (peer.size() <= kMaxKept) return "ironlb-" + peer;
  return "ironlb-" + peer.substr(0, kMaxKept - 9) + "-" + hex32(fnv1a(peer));
}

}  // namespace ironlb::bgp
