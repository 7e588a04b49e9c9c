#include "common/lbconfig/bgp_build.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "common/api/field_path.h"
#include "common/lbconfig/names.h"
#include "common/lbconfig/selector_parse.h"

// MetalLB-compatibility decisions (MetalLB's rules checked with the search tool in
// metallb/metallb api/v1beta2/bgppeer_types.go, api/v1beta1/*_types.go): field names, ranges
// and defaults as in MetalLB's CRDs. Where ironlb differs, docs/bgp.md says so:
//  - an inline spec.password is refused (passwords come only from Secrets, so they never sit in
//    an object anyone with read access to the CRs can see);
//  - durations must be whole seconds (FRR's timers are whole seconds; MetalLB rounds);
//  - an advertisement or peer reference to a missing object is a warning, as for L2 pools.

namespace ironlb::lbconfig {
namespace {

using api::childPath;
using api::describeString;
using api::indexPath;

constexpr std::string_view kPeerKind = "BGPPeer";
constexpr std::string_view kAdvertisementKind = "BGPAdvertisement";
constexpr std::string_view kBfdKind = "BFDProfile";
constexpr std::string_view kCommunityKind = "Community";

// FRR's default hold time, used to check a keepalive given without a hold time.
constexpr uint32_t kDefaultHoldTimeS = 90;

std::string number(int64_t value) {
  return std::to_string(value);
}

class BgpBuilder {
 public:
  BgpBuilder(const BgpSnapshot& snapshot, const std::vector<const Pool*>& pools,
             const BuildScope& scope, bool missingIsError)
      : snapshot_(snapshot), pools_(pools), scope_(scope), missingIsError_(missingIsError) {}

  BgpBuildResult run();

 private:
  void buildCommunities();
  void buildBfdProfiles();
  void buildBfdProfile(const api::BFDProfile& source, IssueSink& sink);
  void buildPeers();
  void buildPeer(const api::BGPPeer& source, IssueSink& sink);
  void buildPeerAsns(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& sink);
  void buildPeerAddresses(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& sink);
  void buildPeerTimers(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& sink);
  void buildPeerAuth(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& sink);
  void checkDuplicatePeers();
  void buildAdvertisements();
  void buildAdvertisement(const api::BGPAdvertisement& source, IssueSink& sink);
  void checkAggregation(const BgpAdvertisement& advertisement, IssueSink& sink);
  std::vector<BgpCommunity> communities(const api::BGPAdvertisementSpec& spec, IssueSink& sink);
  std::vector<std::string> peerNames(const api::BGPAdvertisementSpec& spec, IssueSink& sink);

  // A whole number of seconds in [min, max] from a Go duration at `path`.
  std::optional<uint32_t> seconds(const std::optional<std::string>& text, const std::string& path,
                                  uint32_t min, uint32_t max, IssueSink& sink);
  // An optional integer in [min, max] at `path`.
  std::optional<uint32_t> bounded(const std::optional<int64_t>& value, const std::string& path,
                                  int64_t min, int64_t max, IssueSink& sink);

  const BgpSnapshot& snapshot_;
  const std::vector<const Pool*>& pools_;
  const BuildScope& scope_;
  bool missingIsError_;
  BgpBuildResult result_;
  std::map<std::string, BgpCommunity, std::less<>> aliases_;
  NameSet knownBfdProfiles_;  // valid or not: a reference to an invalid one is not "missing"
  NameSet knownPeers_;
  std::map<std::string, const api::BGPPeer*, std::less<>> peerSources_;
};

std::optional<uint32_t> BgpBuilder::seconds(const std::optional<std::string>& text,
                                            const std::string& path, uint32_t min, uint32_t max,
                                            IssueSink& sink) {
  if (!text) return std::nullopt;
  auto ms = parseGoDurationMs(*text);
  if (!ms.ok()) {
    sink.error(path, describeString(*text) + " is " + ms.error());
    return std::nullopt;
  }
  if (*ms % 1000 != 0) {
    sink.error(path, describeString(*text) + " is not a whole number of seconds (BGP timers are)");
    return std::nullopt;
  }
  const int64_t s = *ms / 1000;
  if (s < min || s > max) {
    sink.error(
        path, describeString(*text) + " is out of range " + number(min) + "s-" + number(max) + "s");
    return std::nullopt;
  }
  return static_cast<uint32_t>(s);
}

std::optional<uint32_t> BgpBuilder::bounded(const std::optional<int64_t>& value,
                                            const std::string& path, int64_t min, int64_t max,
                                            IssueSink& sink) {
  if (!value) return std::nullopt;
  if (*value < min || *value > max) {
    sink.error(path, number(*value) + " is out of range " + number(min) + "-" + number(max));
    return std::nullopt;
  }
  return static_cast<uint32_t>(*value);
}

// --- Community ---------------------------------------------------------------------------------

void BgpBuilder::buildCommunities() {
  std::map<std::string, std::string, std::less<>> definedIn;  // alias -> Community name
  for (const api::Community* source :
       scope_.inInstallNamespace(snapshot_.communities, kCommunityKind)) {
    IssueSink s = scope_.sink(kCommunityKind, source->meta);
    BuildScope::checkName(source->meta, s);
    for (std::size_t i = 0; i < source->communities.size(); ++i) {
      const api::CommunityAlias& alias = source->communities[i];
      const std::string path = indexPath("spec.communities", i);
      if (alias.name.empty()) {
        s.error(childPath(path, "name"), "an alias needs a name");
        continue;
      }
      if (parseCommunity(alias.name).ok()) {
        s.error(childPath(path, "name"),
                describeString(alias.name) + " is itself a community value, not a name");
        continue;
      }
      auto value = parseCommunity(alias.value);
      if (!value.ok()) {
        s.error(childPath(path, "value"), describeString(alias.value) + ": " + value.error());
        continue;
      }
      const auto [it, inserted] = definedIn.emplace(alias.name, source->meta.name);
      if (!inserted) {
        s.error(childPath(path, "name"), "alias " + describeString(alias.name) +
                                             " is already defined in Community " +
                                             describeString(it->second));
        continue;
      }
      aliases_.emplace(alias.name, *value);
    }
  }
}

// --- BFDProfile --------------------------------------------------------------------------------

void BgpBuilder::buildBfdProfiles() {
  for (const api::BFDProfile* source : scope_.inInstallNamespace(snapshot_.bfdProfiles, kBfdKind)) {
    IssueSink s = scope_.sink(kBfdKind, source->meta);
    knownBfdProfiles_.insert(source->meta.name);
    buildBfdProfile(*source, s);
  }
}

void BgpBuilder::buildBfdProfile(const api::BFDProfile& source, IssueSink& s) {
  BuildScope::checkName(source.meta, s);
  const api::BFDProfileSpec& spec = source.spec;
  BfdProfile out;
  out.name = source.meta.name;
  out.receiveIntervalMs = bounded(spec.receiveInterval, "spec.receiveInterval", 10, 60000, s)
                              .value_or(out.receiveIntervalMs);
  out.transmitIntervalMs = bounded(spec.transmitInterval, "spec.transmitInterval", 10, 60000, s)
                               .value_or(out.transmitIntervalMs);
  out.detectMultiplier =
      bounded(spec.detectMultiplier, "spec.detectMultiplier", 2, 255, s).value_or(3);
  out.echoIntervalMs =
      bounded(spec.echoInterval, "spec.echoInterval", 10, 60000, s).value_or(out.echoIntervalMs);
  out.echoMode = spec.echoMode.value_or(false);
  out.passiveMode = spec.passiveMode.value_or(false);
  out.minimumTtl = bounded(spec.minimumTtl, "spec.minimumTtl", 1, 254, s);
  if (s.errorCount() == 0) result_.config.bfdProfiles.emplace(out.name, std::move(out));
}

// --- BGPPeer -----------------------------------------------------------------------------------

void BgpBuilder::buildPeers() {
  for (const api::BGPPeer* source : scope_.inInstallNamespace(snapshot_.peers, kPeerKind)) {
    IssueSink s = scope_.sink(kPeerKind, source->meta);
    knownPeers_.insert(source->meta.name);
    peerSources_.emplace(source->meta.name, source);
    buildPeer(*source, s);
  }
  checkDuplicatePeers();
}

void BgpBuilder::buildPeer(const api::BGPPeer& source, IssueSink& s) {
  BuildScope::checkName(source.meta, s);
  const api::BGPPeerSpec& spec = source.spec;
  BgpPeer out;
  out.name = source.meta.name;
  buildPeerAsns(spec, out, s);
  buildPeerAddresses(spec, out, s);
  buildPeerTimers(spec, out, s);
  buildPeerAuth(spec, out, s);
  out.nodeSelectors = parseSelectors(spec.nodeSelectors, "spec.nodeSelectors", s);
  out.gracefulRestart = spec.enableGracefulRestart;
  out.ebgpMultiHop = spec.ebgpMultiHop;
  out.disableMp = spec.disableMp;
  out.dualStackAddressFamily = spec.dualStackAddressFamily;
  if (out.disableMp && out.dualStackAddressFamily) {
    s.error("spec.dualStackAddressFamily",
            "cannot be set together with spec.disableMP (disableMP keeps each family on its own "
            "session)");
  }
  if (!spec.vrf.empty()) {
    if (auto why = checkInterfaceName(spec.vrf)) {
      s.error("spec.vrf", "invalid VRF name " + describeString(spec.vrf) + ": " + *why);
    }
    out.vrf = spec.vrf;
  }
  if (out.peerAsn && *out.peerAsn == out.myAsn && out.ebgpMultiHop) {
    s.error("spec.ebgpMultiHop", "set for an iBGP peer (peerASN equals myASN " + number(out.myAsn) +
                                     "); multi-hop applies to eBGP only");
  }
  if (!spec.bfdProfile.empty()) {
    out.bfdProfile = spec.bfdProfile;
    if (knownBfdProfiles_.count(spec.bfdProfile) == 0) {
      s.error("spec.bfdProfile", "BFDProfile " + describeString(spec.bfdProfile) +
                                     " does not exist in namespace " +
                                     describeString(scope_.installNamespace()));
    } else if (const auto it = result_.config.bfdProfiles.find(spec.bfdProfile);
               it != result_.config.bfdProfiles.end() && it->second.echoMode && out.ebgpMultiHop) {
      s.error("spec.bfdProfile", "BFDProfile " + describeString(spec.bfdProfile) +
                                     " enables echoMode, which multi-hop sessions cannot use");
    }
  }
  if (s.errorCount() == 0) result_.config.peers.emplace(out.name, std::move(out));
}

void BgpBuilder::buildPeerAsns(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& s) {
  if (!validAsn(spec.myAsn)) {
    s.error("spec.myASN", number(spec.myAsn) + " is not an AS number (1-4294967295)");
  } else {
    out.myAsn = static_cast<uint32_t>(spec.myAsn);
  }
  const bool hasAsn = spec.peerAsn.has_value() && *spec.peerAsn != 0;
  if (hasAsn == !spec.dynamicAsn.empty()) {
    s.error("spec.peerASN", hasAsn ? "cannot be set together with spec.dynamicASN"
                                   : "set either spec.peerASN or spec.dynamicASN");
    return;
  }
  if (hasAsn) {
    if (!validAsn(*spec.peerAsn)) {
      s.error("spec.peerASN", number(*spec.peerAsn) + " is not an AS number (1-4294967295)");
    } else {
      out.peerAsn = static_cast<uint32_t>(*spec.peerAsn);
    }
  } else if (spec.dynamicAsn == "internal") {
    out.dynamicAsn = DynamicAsn::kInternal;
  } else if (spec.dynamicAsn == "external") {
    out.dynamicAsn = DynamicAsn::kExternal;
  } else {
    s.error("spec.dynamicASN",
            describeString(spec.dynamicAsn) + " is neither \"internal\" nor \"external\"");
  }
}

void BgpBuilder::buildPeerAddresses(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& s) {
  if (spec.peerAddress.empty() == spec.interfaceName.empty()) {
    s.error("spec.peerAddress", spec.peerAddress.empty()
                                    ? "set either spec.peerAddress or spec.interface"
                                    : "cannot be set together with spec.interface");
  } else if (!spec.peerAddress.empty()) {
    if (auto ip = net::IpAddress::parse(spec.peerAddress); ip.ok()) {
      out.address = *ip;
    } else {
      s.error("spec.peerAddress", describeString(spec.peerAddress) + ": " + ip.error());
    }
  } else if (auto why = checkInterfaceName(spec.interfaceName)) {
    s.error("spec.interface",
            "invalid interface " + describeString(spec.interfaceName) + ": " + *why);
  } else {
    out.interfaceName = spec.interfaceName;
  }
  if (!spec.sourceAddress.empty()) {
    if (auto ip = net::IpAddress::parse(spec.sourceAddress); !ip.ok()) {
      s.error("spec.sourceAddress", describeString(spec.sourceAddress) + ": " + ip.error());
    } else if (out.address && ip->family() != out.address->family()) {
      s.error("spec.sourceAddress", describeString(spec.sourceAddress) +
                                        " is not of the peer address's family (" +
                                        std::string(net::familyName(out.address->family())) + ")");
    } else {
      out.sourceAddress = *ip;
    }
  }
  if (!spec.routerId.empty()) {
    auto ip = net::IpAddress::parse(spec.routerId);
    if (!ip.ok() || ip->family() != net::Family::kV4) {
      s.error("spec.routerID", describeString(spec.routerId) +
                                   " is not a router ID (an IPv4 address, e.g. \"192.0.2.1\")");
    } else {
      out.routerId = *ip;
    }
  }
  out.port =
      static_cast<uint16_t>(bounded(spec.peerPort, "spec.peerPort", 1, 16384, s).value_or(179));
}

void BgpBuilder::buildPeerTimers(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& s) {
  out.holdTimeS = seconds(spec.holdTime, "spec.holdTime", 0, 65535, s);
  if (out.holdTimeS && *out.holdTimeS != 0 && *out.holdTimeS < 3) {
    s.error("spec.holdTime", describeString(*spec.holdTime) +
                                 " is too short: a hold time is 0 (no keepalives) or at least 3s "
                                 "(RFC 4271)");
  }
  out.keepaliveTimeS = seconds(spec.keepaliveTime, "spec.keepaliveTime", 0, 65535, s);
  const uint32_t hold = out.holdTimeS.value_or(kDefaultHoldTimeS);
  if (out.keepaliveTimeS && hold != 0 && *out.keepaliveTimeS >= hold) {
    s.error("spec.keepaliveTime", describeString(*spec.keepaliveTime) +
                                      " must be shorter than the hold time (" + number(hold) + "s" +
                                      (out.holdTimeS ? "" : ", the default") + ")");
  }
  out.connectTimeS = seconds(spec.connectTime, "spec.connectTime", 1, 65535, s);
}

void BgpBuilder::buildPeerAuth(const api::BGPPeerSpec& spec, BgpPeer& out, IssueSink& s) {
  if (!spec.password.empty()) {
    // The value is never repeated: it is a secret.
    s.error("spec.password",
            "inline passwords are not accepted (anyone who can read BGPPeers could read it); "
            "store it in a Secret of type kubernetes.io/basic-auth with key \"password\" in "
            "namespace " +
                describeString(scope_.installNamespace()) +
                " and name that Secret in spec.passwordSecret (docs/bgp.md)");
  }
  const api::SecretReference& ref = spec.passwordSecret;
  if (ref.name.empty()) {
    if (!ref.namespaceName.empty()) s.error("spec.passwordSecret.name", "a name is required");
    return;
  }
  if (auto why = checkDns1123Subdomain(ref.name)) {
    s.error("spec.passwordSecret.name", "invalid name " + describeString(ref.name) + ": " + *why);
  }
  if (!ref.namespaceName.empty() && ref.namespaceName != scope_.installNamespace()) {
    s.error("spec.passwordSecret.namespace",
            describeString(ref.namespaceName) + ": the Secret must be in namespace " +
                describeString(scope_.installNamespace()) + ", where ironlb is installed");
  }
  out.passwordSecret = ref.name;
}

// Two peers that would open the same session from one node: same address (or interface), port
// and VRF, and node selectors that do not keep them apart (compared as written: both empty, or
// equal). MetalLB refuses the same.
void BgpBuilder::checkDuplicatePeers() {
  std::map<std::tuple<std::string, uint16_t, std::string, std::string>, std::string> seen;
  for (const auto& [name, peer] : result_.config.peers) {
    std::string selectors;
    for (const LabelSelector& sel : peer.nodeSelectors)
      selectors += sel.toString() + ";";
    const std::string where = peer.address ? peer.address->toString() : "if:" + peer.interfaceName;
    const auto [it, inserted] =
        seen.emplace(std::make_tuple(where, peer.port, peer.vrf, selectors), name);
    if (inserted) continue;
    scope_.sink(kPeerKind, peerSources_.at(name)->meta)
        .error("spec.peerAddress", "BGPPeer " + describeString(it->second) +
                                       " already peers with " + describeString(where) +
                                       " on port " + number(peer.port) + " from the same nodes");
  }
}

// --- BGPAdvertisement --------------------------------------------------------------------------

void BgpBuilder::buildAdvertisements() {
  for (const api::BGPAdvertisement* source :
       scope_.inInstallNamespace(snapshot_.advertisements, kAdvertisementKind)) {
    IssueSink s = scope_.sink(kAdvertisementKind, source->meta);
    buildAdvertisement(*source, s);
  }
}

void BgpBuilder::buildAdvertisement(const api::BGPAdvertisement& source, IssueSink& s) {
  BuildScope::checkName(source.meta, s);
  const api::BGPAdvertisementSpec& spec = source.spec;
  BgpAdvertisement out;
  out.name = source.meta.name;
  PoolSelection selection =
      selectPools(spec.ipAddressPools, "spec.ipAddressPools", spec.ipAddressPoolSelectors,
                  "spec.ipAddressPoolSelectors", pools_, scope_, missingIsError_, s);
  out.pools.assign(selection.pools.begin(), selection.pools.end());
  out.aggregationLength = static_cast<int>(
      bounded(spec.aggregationLength, "spec.aggregationLength", 1, 32, s).value_or(32));
  out.aggregationLengthV6 = static_cast<int>(
      bounded(spec.aggregationLengthV6, "spec.aggregationLengthV6", 1, 128, s).value_or(128));
  out.localPref = bounded(spec.localPref, "spec.localPref", 0, 4294967295, s);
  out.communities = communities(spec, s);
  out.nodeSelectors = parseSelectors(spec.nodeSelectors, "spec.nodeSelectors", s);
  out.peers = peerNames(spec, s);
  checkAggregation(out, s);
  if (!selection.everyPool && out.pools.empty() && s.errorCount() == 0) {
    s.warning("spec", "selects no IPAddressPool: nothing is announced through this advertisement");
  }
  if (s.errorCount() == 0) {
    result_.advertisedPools.insert(out.pools.begin(), out.pools.end());
    result_.config.advertisements.push_back(std::move(out));
  } else {
    // An invalid advertisement may have been meant to select any pool: no "not announced"
    // warnings on top of its errors.
    for (const Pool* p : pools_)
      result_.advertisedPools.insert(p->name);
  }
}

// Aggregating an IP to a prefix shorter than the pool's own blocks would announce addresses
// outside the pool, which may belong to someone else.
void BgpBuilder::checkAggregation(const BgpAdvertisement& advertisement, IssueSink& s) {
  for (const Pool* pool : pools_) {
    if (!std::binary_search(advertisement.pools.begin(), advertisement.pools.end(), pool->name)) {
      continue;
    }
    for (const PoolRange& range : pool->ranges) {
      const net::Family family = range.range.family();
      const int length = advertisement.aggregationLengthFor(family);
      for (const net::Prefix& block : range.range.toPrefixes()) {
        if (length >= block.length()) continue;
        s.error(family == net::Family::kV4 ? "spec.aggregationLength" : "spec.aggregationLengthV6",
                number(length) + " is shorter than the block " + block.toString() + " of pool " +
                    describeString(pool->name) +
                    ": the aggregate would announce addresses outside the pool");
        return;
      }
    }
  }
}

std::vector<BgpCommunity> BgpBuilder::communities(const api::BGPAdvertisementSpec& spec,
                                                  IssueSink& s) {
  std::set<BgpCommunity> out;
  DuplicateCheck seen("spec.communities", "community");
  for (std::size_t i = 0; i < spec.communities.size(); ++i) {
    const std::string& text = spec.communities[i];
    if (!seen.first(text, i, s)) continue;
    if (const auto alias = aliases_.find(text); alias != aliases_.end()) {
      out.insert(alias->second);
      continue;
    }
    auto value = parseCommunity(text);
    if (!value.ok()) {
      s.error(indexPath("spec.communities", i), describeString(text) + ": " + value.error());
      continue;
    }
    out.insert(*value);
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> BgpBuilder::peerNames(const api::BGPAdvertisementSpec& spec,
                                               IssueSink& s) {
  NameSet out;
  DuplicateCheck seen("spec.peers", "peer");
  for (std::size_t i = 0; i < spec.peers.size(); ++i) {
    const std::string& name = spec.peers[i];
    if (!seen.first(name, i, s)) continue;
    out.insert(name);
    if (knownPeers_.count(name) != 0) continue;
    const std::string missing = "BGPPeer " + describeString(name) +
                                " does not exist in namespace " +
                                describeString(scope_.installNamespace());
    if (missingIsError_) {
      s.error(indexPath("spec.peers", i), missing + "; create the peer first, or fix the name");
    } else {
      s.warning(indexPath("spec.peers", i),
                missing + "; nothing is announced to it until it is created");
    }
  }
  return {out.begin(), out.end()};
}

BgpBuildResult BgpBuilder::run() {
  buildCommunities();
  buildBfdProfiles();
  buildPeers();
  buildAdvertisements();
  return std::move(result_);
}

}  // namespace

BgpBuildResult buildBgp(const BgpSnapshot& snapshot, const std::vector<const Pool*>& pools,
                        const BuildScope& scope, bool missingIsError) {
  return BgpBuilder(snapshot, pools, scope, missingIsError).run();
}

}  // namespace ironlb::lbconfig
