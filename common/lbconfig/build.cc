#include "common/lbconfig/build.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "common/api/field_path.h"
#include "common/lbconfig/build_support.h"
#include "common/lbconfig/names.h"
#include "common/lbconfig/pool_address.h"
#include "common/lbconfig/selector_parse.h"
#include "common/lbconfig/unusable_addresses.h"
#include "common/util/strings.h"

// MetalLB-compatibility decisions (MetalLB's behaviour checked with the search tool in
// metallb/metallb internal/config/config.go, internal/config/validator.go and
// api/v1beta1/*_webhook.go; see also pool_address.h and selector_parse.h):
//  - Any error makes the whole configuration invalid, as in MetalLB's config.For: the daemons
//    keep the last good Config. Unlike MetalLB, which stops at the first error, every error is
//    reported in one pass.
//  - CRs outside the install namespace: MetalLB's webhooks reject them and its controllers only
//    list their own namespace; we ignore them with a warning so the operator sees why.
//  - Overlaps across pools are reported on the newer pool (creationTimestamp, then name), naming
//    the older one: the object just applied gets the error. MetalLB reports the first pair its
//    map walk meets, on no object in particular.
//  - Pool without addresses, duplicate pool name, overlapping entries (within or across pools),
//    duplicate serviceAllocation.namespaces, duplicate selectors, duplicate
//    L2Advertisement.ipAddressPools: errors in MetalLB and here.
//  - L2Advertisement naming a pool that does not exist: MetalLB silently skips the name
//    (setL2AdvertisementsToPools keeps only names found in the pool map), so that manifests
//    can be applied in any order. We accept it too, but say so in a warning.
//  - serviceAllocation.priority < 0, namespaces that are not DNS-1123 labels, interface names
//    that Linux would refuse: MetalLB does not check these (the CRD schema does not either);
//    they can never match anything, so we reject them up front instead of failing silently.
//  - MetalLB resolves namespaceSelectors into a namespace list when the config is built; we
//    keep the selectors and evaluate them per Service with the namespace's current labels
//    (Pool::admits), which gives the same answer without rebuilding on every label change.
//  - Addresses no host can use as a Service address (unusable_addresses.h: 0.0.0.0/8, loopback,
//    link-local, multicast, limited broadcast, IPv4-mapped IPv6): MetalLB hands them out (a
//    0.0.0.0/0 pool gives 0.0.0.0). ironlb leaves them out of the pool with a warning naming
//    them, so a /0 pool still works; an entry made only of them is an error, since it can only
//    be a mistake. Overlaps are still judged on the entries as written.
//  - ironlb-only warnings: pool that no L2Advertisement or BGPAdvertisement selects (MetalLB
//    allocates from it and never announces, silently), host bits masked, avoidBuggyIPs leaving
//    no usable address, advertisement selecting no pool or no node.

namespace ironlb::lbconfig {
namespace {

using api::childPath;
using api::describeString;
using api::indexPath;

constexpr std::string_view kPoolKind = "IPAddressPool";
constexpr std::string_view kL2Kind = "L2Advertisement";

// `a` was created before `b`: by creationTimestamp (text order is time order, see ObjectMeta),
// then by name for objects created in the same second. An object without a timestamp has not
// been stored by an API server yet, so it counts as the newest.
bool createdBefore(const api::ObjectMeta& a, const api::ObjectMeta& b) {
  const auto age = [](const api::ObjectMeta& m) {
    const std::string_view at = m.creationTimestamp ? std::string_view(*m.creationTimestamp) : "";
    return std::make_tuple(!m.creationTimestamp.has_value(), at, std::string_view(m.name));
  };
  return age(a) < age(b);
}

// One valid spec.addresses entry as written, unusable addresses included: overlaps are judged
// on what the user wrote.
struct PoolEntry {
  net::IpRange range;
  std::size_t index;  // in spec.addresses
};

// A pool being validated.
struct PoolWork {
  const api::IPAddressPool* source;
  Pool pool;
  std::vector<PoolEntry> entries;  // spec order
  bool hasErrors = false;
};

class Builder {
 public:
  Builder(const Snapshot& snapshot, const BuildOptions& options)
      : snapshot_(snapshot),
        options_(options),
        scope_(options.installNamespace, errors_, warnings_) {}

  BuildResult run();

 private:
  IssueSink sink(std::string_view kind, const api::ObjectMeta& meta) const {
    return scope_.sink(kind, meta);
  }
  // Every pool of the snapshot, valid or not, by name (what advertisements may reference).
  std::vector<const Pool*> poolList() const;

  void buildPools();
  void buildPool(const api::IPAddressPool& source, IssueSink& sink);
  std::optional<ServiceAllocation> buildServiceAllocation(const api::ServiceAllocation& in,
                                                          IssueSink& sink);
  void checkOverlaps();
  void buildAdvertisements();
  void buildAdvertisement(const api::L2Advertisement& source, IssueSink& sink);
  std::vector<std::string> interfaces(const api::L2AdvertisementSpec& spec, IssueSink& sink);
  void warnIfNoNodeMatches(const L2Advertisement& advertisement, IssueSink& sink);
  void warnUnadvertisedPools();

  const Snapshot& snapshot_;
  const BuildOptions& options_;
  std::vector<Issue> errors_;
  std::vector<Issue> warnings_;
  const BuildScope scope_;       // after errors_ and warnings_, which it refers to
  std::vector<PoolWork> pools_;  // sorted by name, unique names
  std::vector<L2Advertisement> advertisements_;
  std::set<std::string, std::less<>> poolNames_;
  std::set<std::string, std::less<>> advertisedPools_;
};

std::vector<const Pool*> Builder::poolList() const {
  std::vector<const Pool*> out;
  out.reserve(pools_.size());
  for (const PoolWork& p : pools_)
    out.push_back(&p.pool);
  return out;
}

void Builder::buildPools() {
  const std::vector<const api::IPAddressPool*> sources =
      scope_.inInstallNamespace(snapshot_.pools, kPoolKind);
  for (const api::IPAddressPool* source : sources) {
    IssueSink s = sink(kPoolKind, source->meta);
    buildPool(*source, s);
    pools_.back().hasErrors = s.errorCount() != 0;
    poolNames_.insert(source->meta.name);
  }
  checkOverlaps();
}

void Builder::buildPool(const api::IPAddressPool& source, IssueSink& s) {
  BuildScope::checkName(source.meta, s);
  PoolWork work{&source, Pool{}, {}};
  Pool& pool = work.pool;
  pool.name = source.meta.name;
  pool.labels = source.meta.labels;
  pool.autoAssign = source.spec.autoAssign;
  pool.avoidBuggyIps = source.spec.avoidBuggyIps;

  const std::vector<std::string>& addresses = source.spec.addresses;
  if (addresses.empty()) {
    s.error("spec.addresses",
            "at least one address range is required (a CIDR such as "
            "192.0.2.0/28 or a range such as 192.0.2.10-192.0.2.20)");
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const std::string path = indexPath("spec.addresses", i);
    auto parsed = parsePoolAddress(addresses[i]);
    if (!parsed) {
      s.error(path, parsed.error());
      continue;
    }
    if (parsed->hostBitsMasked) {
      s.warning(path, describeString(addresses[i]) + " has host bits set; using " +
                          parsed->prefix.toString() + " (" + parsed->range.toString() + ")");
    }
    const UsableParts parts = usableParts(parsed->range);
    if (parts.usable.empty()) {
      s.error(path, describeString(addresses[i]) +
                        " holds only addresses that no host can use as a Service address: " +
                        util::joinList(parts.excluded));
      continue;
    }
    if (!parts.excluded.empty()) {
      s.warning(path, describeString(addresses[i]) +
                          " includes addresses that no host can use as a Service address; they "
                          "are never assigned: " +
                          util::joinList(parts.excluded));
    }
    work.entries.push_back(PoolEntry{parsed->range, i});
    for (const net::IpRange& usable : parts.usable)
      pool.ranges.push_back(PoolRange{usable, addresses[i]});
  }

  if (pool.avoidBuggyIps && !pool.ranges.empty()) {
    const bool usable = std::any_of(pool.ranges.begin(), pool.ranges.end(), [](const auto& r) {
      if (r.range.family() == net::Family::kV6) return true;
      // Any three consecutive IPv4 addresses include one ending in neither .0 nor .255.
      const uint32_t first = r.range.first().v4Value();
      const uint32_t last = r.range.last().v4Value();
      for (uint64_t v = first; v <= last && v < uint64_t{first} + 3; ++v) {
        if (!net::IpAddress::v4(static_cast<uint32_t>(v)).isBuggyV4()) return true;
      }
      return false;
    });
    if (!usable) {
      s.warning("spec.avoidBuggyIPs",
                "avoidBuggyIPs is true and every address of this pool ends in .0 or .255: "
                "nothing can be allocated from it");
    }
  }

  if (source.spec.serviceAllocation) {
    pool.serviceAllocation = buildServiceAllocation(*source.spec.serviceAllocation, s);
  }
  pools_.push_back(std::move(work));
}

std::optional<ServiceAllocation> Builder::buildServiceAllocation(const api::ServiceAllocation& in,
                                                                 IssueSink& s) {
  const std::string base = "spec.serviceAllocation";
  ServiceAllocation out;
  if (in.priority < 0) {
    s.error(childPath(base, "priority"),
            "must be 0 or more (lower is preferred, 0 means no priority), got " +
                std::to_string(in.priority));
  }
  out.priority = in.priority;

  const std::string nsPath = childPath(base, "namespaces");
  DuplicateCheck seen(nsPath, "namespace");
  for (std::size_t i = 0; i < in.namespaces.size(); ++i) {
    const std::string& ns = in.namespaces[i];
    if (auto why = checkDns1123Label(ns)) {
      s.error(indexPath(nsPath, i), "invalid namespace name " + describeString(ns) + ": " + *why);
      continue;
    }
    if (seen.first(ns, i, s)) out.namespaces.push_back(ns);
  }
  out.namespaceSelectors =
      parseSelectors(in.namespaceSelectors, childPath(base, "namespaceSelectors"), s);
  out.serviceSelectors =
      parseSelectors(in.serviceSelectors, childPath(base, "serviceSelectors"), s);
  return out;
}

void Builder::checkOverlaps() {
  std::vector<net::IpRange> ranges;
  std::vector<std::pair<std::size_t, std::size_t>> owner;  // (pool, entry k in that pool)
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    for (std::size_t k = 0; k < pools_[p].entries.size(); ++k) {
      ranges.push_back(pools_[p].entries[k].range);
      owner.emplace_back(p, k);
    }
  }
  for (const Overlap& o : findOverlaps(ranges)) {
    // Inside one pool the entry later in address order is reported; across pools the newer
    // pool, which is usually the one just applied: the older one keeps what it had.
    std::size_t hereRange = o.range;
    std::size_t thereRange = o.earlier;
    if (owner[hereRange].first != owner[thereRange].first &&
        createdBefore(pools_[owner[hereRange].first].source->meta,
                      pools_[owner[thereRange].first].source->meta)) {
      std::swap(hereRange, thereRange);
    }
    const auto [p, k] = owner[hereRange];
    const auto [q, m] = owner[thereRange];
    const PoolWork& here = pools_[p];
    const PoolWork& there = pools_[q];
    const std::size_t entry = here.entries[k].index;
    const std::size_t otherEntry = there.entries[m].index;
    const std::string& text = here.source->spec.addresses[entry];
    const std::string& otherText = there.source->spec.addresses[otherEntry];
    const std::string otherPath = indexPath("spec.addresses", otherEntry);
    std::string where = p == q
                            ? otherPath + " of the same pool"
                            : otherPath + " of " + api::objectName(kPoolKind, there.source->meta);
    const bool same = ranges[hereRange] == ranges[thereRange];
    std::string message = describeString(text) + (same ? " duplicates " : " overlaps ") +
                          describeString(otherText) + " at " + where;
    if (!same) {
      message += " (" + ranges[hereRange].toString() + " and " + ranges[thereRange].toString() +
                 " share addresses)";
    }
    if (p != q) {
      message += "; reported on " + api::objectName(kPoolKind, here.source->meta) +
                 ", the newer of the two";
    }
    sink(kPoolKind, here.source->meta)
        .error(indexPath("spec.addresses", entry), std::move(message));
    pools_[p].hasErrors = true;
  }
}

void Builder::buildAdvertisements() {
  const std::vector<const api::L2Advertisement*> sources =
      scope_.inInstallNamespace(snapshot_.l2Advertisements, kL2Kind);
  for (const api::L2Advertisement* source : sources) {
    IssueSink s = sink(kL2Kind, source->meta);
    buildAdvertisement(*source, s);
  }
}

void Builder::buildAdvertisement(const api::L2Advertisement& source, IssueSink& s) {
  BuildScope::checkName(source.meta, s);
  const api::L2AdvertisementSpec& spec = source.spec;
  L2Advertisement out;
  out.name = source.meta.name;

  const PoolSelection selection = selectPools(
      spec.ipAddressPools, "spec.ipAddressPools", spec.ipAddressPoolSelectors,
      "spec.ipAddressPoolSelectors", poolList(), scope_, options_.missingPoolIsError, s);
  out.nodeSelectors = parseSelectors(spec.nodeSelectors, "spec.nodeSelectors", s);
  out.serviceSelectors = parseSelectors(spec.serviceSelectors, "spec.serviceSelectors", s);
  out.interfaces = interfaces(spec, s);
  out.pools.assign(selection.pools.begin(), selection.pools.end());
  if (!selection.everyPool && out.pools.empty() && s.errorCount() == 0) {
    s.warning("spec",
              "selects no IPAddressPool: nothing is announced through this "
              "advertisement");
  }
  warnIfNoNodeMatches(out, s);

  if (s.errorCount() == 0) {
    advertisedPools_.insert(out.pools.begin(), out.pools.end());
  } else {
    // An invalid advertisement may have been meant to select any pool: no "not announced"
    // warnings on top of its errors.
    advertisedPools_.insert(poolNames_.begin(), poolNames_.end());
  }
  advertisements_.push_back(std::move(out));
}

// spec.interfaces: valid Linux interface names, sorted, each once.
std::vector<std::string> Builder::interfaces(const api::L2AdvertisementSpec& spec, IssueSink& s) {
  std::set<std::string, std::less<>> out;
  DuplicateCheck seen("spec.interfaces", "interface");
  for (std::size_t i = 0; i < spec.interfaces.size(); ++i) {
    const std::string& name = spec.interfaces[i];
    if (auto why = checkInterfaceName(name)) {
      s.error(indexPath("spec.interfaces", i),
              "invalid interface " + describeString(name) + ": " + *why);
      continue;
    }
    if (seen.first(name, i, s)) out.insert(name);
  }
  return {out.begin(), out.end()};
}

void Builder::warnIfNoNodeMatches(const L2Advertisement& advertisement, IssueSink& s) {
  if (advertisement.nodeSelectors.empty() || snapshot_.nodes.empty()) return;
  const bool anyNode = std::any_of(
      snapshot_.nodes.begin(), snapshot_.nodes.end(),
      [&](const api::Node& n) { return advertisement.selectsNodeLabels(n.meta.labels); });
  if (!anyNode) {
    s.warning("spec.nodeSelectors",
              "matches no Node: no node announces the IPs of this advertisement");
  }
}

void Builder::warnUnadvertisedPools() {
  for (const PoolWork& p : pools_) {
    // An invalid pool serves nothing yet; its errors say what to fix first.
    if (p.hasErrors || advertisedPools_.count(p.pool.name) != 0) continue;
    // Worded to be true whether or not anything is assigned yet (a new pool usually has
    // nothing; its advertisement may simply not be applied yet).
    sink(kPoolKind, p.source->meta)
        .warning("",
                 "no L2Advertisement or BGPAdvertisement selects this pool: no node announces "
                 "the addresses Services get from it (list it in an advertisement's "
                 "ipAddressPools, match it with ipAddressPoolSelectors, or create an "
                 "L2Advertisement or BGPAdvertisement that names no pools)");
  }
}

BuildResult Builder::run() {
  buildPools();
  buildAdvertisements();
  BgpBuildResult bgp = buildBgp(snapshot_.bgp, poolList(), scope_, options_.missingPoolIsError);
  advertisedPools_.insert(bgp.advertisedPools.begin(), bgp.advertisedPools.end());
  warnUnadvertisedPools();

  BuildResult result;
  sortIssues(errors_);
  sortIssues(warnings_);
  result.errors = std::move(errors_);
  result.warnings = std::move(warnings_);
  if (!result.errors.empty()) return result;

  Config::PoolMap poolMap;
  for (PoolWork& p : pools_) {
    std::string name = p.pool.name;
    poolMap.emplace(std::move(name), std::move(p.pool));
  }
  Config::NamespaceMap namespaces;
  for (const api::Namespace& ns : snapshot_.namespaces) {
    namespaces.emplace(ns.meta.name, ns.meta.labels);
  }
  Config::NodeMap nodes;
  for (const api::Node& n : snapshot_.nodes) {
    NodeInfo info;
    info.name = n.meta.name;
    info.labels = n.meta.labels;
    info.networkUnavailable = n.networkUnavailable();
    info.excludedFromLoadBalancers =
        info.labels.find(kExcludeFromLoadBalancersLabel) != info.labels.end();
    nodes.emplace(n.meta.name, std::move(info));
  }
  result.config.emplace(std::move(poolMap), std::move(advertisements_), std::move(namespaces),
                        std::move(nodes),
                        ConfigOptions{options_.installNamespace, options_.ignoreExcludeLbLabel},
                        std::move(bgp.config));
  return result;
}

}  // namespace

BuildResult build(const Snapshot& snapshot, const BuildOptions& options) {
  return Builder(snapshot, options).run();
}

}  // namespace ironlb::lbconfig
