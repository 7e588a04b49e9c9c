// Reporter: transitions -> logs, metrics, Events, ServiceL2Status wishes.
#include "speaker/daemon/reporter.h"

#include <algorithm>

namespace ironlb::speaker {

using control::Reason;

namespace {

// Layer 2 not announcing an IP whose pool only BGP advertisements select is how the operator
// set it up, not a problem to log as a warning, count or put on the Service (docs/bgp.md).
bool leftToBgp(const control::IpDecision& d, const control::Planner& planner,
               const net::IpAddress& ip) {
  if (d.winner || d.reason != Reason::kNoAdvertisement) return false;
  const lbconfig::Pool* pool = planner.config().poolContaining(ip);
  if (pool == nullptr) return false;
  const auto& ads = planner.config().bgp().advertisements;
  return std::any_of(ads.begin(), ads.end(), [&](const lbconfig::BgpAdvertisement& a) {
    return std::binary_search(a.pools.begin(), a.pools.end(), pool->name);
  });
}

}  // namespace

Reporter::Reporter(std::string node, SpeakerMetrics& metrics, EventSink events, LogSink log)
    : node_(std::move(node)), metrics_(metrics), events_(std::move(events)), log_(std::move(log)) {}

void Reporter::onChanges(const std::vector<control::Change>& changes,
                         const control::Planner& planner) {
  for (const auto& c : changes) {
    const std::string ip = c.ip.toString();
    const auto& before = c.before;
    const auto& after = c.after;
    if (before && before->winner) metrics_.ipOwner().remove({ip, *before->winner});
    if (after && after->winner) metrics_.ipOwner().withLabels({ip, *after->winner}).set(1);

    const bool bgpOnly = after && leftToBgp(*after, planner, c.ip);
    const std::string oldReason = unannounced_.count(ip) != 0 ? unannounced_[ip] : "";
    const std::string newReason =
        after && !after->winner && !bgpOnly ? std::string(control::reasonName(after->reason)) : "";
    if (!oldReason.empty() && oldReason != newReason)
      metrics_.ipUnannounced().remove({ip, oldReason});
    if (!newReason.empty()) {
      metrics_.ipUnannounced().withLabels({ip, newReason}).set(1);
      unannounced_[ip] = newReason;
    } else {
      unannounced_.erase(ip);
    }

    if (!after) {
      log_(false, "LB IP " + ip + " is no longer used by any Service");
      continue;
    }
    if (after->winner) {
      if (!before || before->winner != after->winner) {
        log_(false, "LB IP " + ip + " owner " + *after->winner +
                        (before && before->winner ? " (was " + *before->winner + ")" : ""));
      }
      continue;
    }
    const bool reasonChanged = !before || before->winner || before->reason != after->reason ||
                               before->services != after->services;
    if (!reasonChanged) continue;
    if (bgpOnly) {
      log_(false, "LB IP " + ip + " is left to BGP mode: only BGPAdvertisements select its pool");
      continue;
    }
    log_(control::isConfigurationReason(after->reason),
         "LB IP " + ip + " not announced: " + std::string(control::reasonText(after->reason)));
    if (!control::isConfigurationReason(after->reason)) continue;
    // One speaker reports: the live node ranking first for the IP (every speaker computes the
    // same one from the same view).
    const auto reporter = control::electAmong(planner.live(), after->key);
    if (!reporter || reporter->first != node_) continue;
    for (const auto& v : after->services) {
      if (!control::isConfigurationReason(v.reason)) continue;
      events_({v.service, k8s::EventType::kWarning, "notAnnounced",
               "IP " + ip + " is not announced: " + std::string(control::reasonText(v.reason))});
    }
  }
}

control::AnnouncedServices Reporter::onDataplane(
    const control::Planner& planner, const announcer::Desired& applied,
    const std::vector<announcer::Announcement>& announcements,
    const std::vector<announcer::Refusal>& refusals,
    const std::function<std::string(int)>& ifname) {
  // IP -> interface names where it is really announced.
  std::map<net::IpAddress, std::set<std::string>> live;
  for (const auto& a : announcements)
    live[a.ip].insert(ifname(a.ifindex));

  // announceFailed: an interface we were asked to announce on is missing or ineligible.
  std::set<std::tuple<std::string, std::string, std::string>> failed;
  for (const auto& r : refusals) {
    if (applied.count(r.ip) == 0) continue;
    failed.insert(
        {r.ip.toString(), r.interface, std::string(announcer::ineligibilityName(r.reason))});
  }
  for (const auto& f : failed_) {
    if (failed.count(f) == 0)
      metrics_.announceFailed().remove({std::get<0>(f), std::get<1>(f), std::get<2>(f)});
  }
  for (const auto& f : failed) {
    metrics_.announceFailed().withLabels({std::get<0>(f), std::get<1>(f), std::get<2>(f)}).set(1);
    if (failed_.count(f) != 0) continue;
    const auto& [ip, interface, why] = f;
    const std::string what = interface.empty()
                                 ? "this node has no eligible interface"
                                 : "interface " + interface + " is " + why + " on this node";
    const std::string message =
        "node " + node_ + " owns IP " + ip + " but cannot announce it: " + what +
        (live.count(net::IpAddress::parse(ip).value()) ? " (announced on the other interfaces)"
                                                       : " (nobody announces it)");
    log_(true, message);
    for (const auto* s : planner.servicesOf(net::IpAddress::parse(ip).value()))
      events_({s->key, k8s::EventType::kWarning, "announceFailed", message});
  }
  failed_ = std::move(failed);

  // Services announced from here, with the interfaces of all their announced IPs.
  control::AnnouncedServices out;
  std::map<std::pair<std::string, std::string>, bool> metric;
  for (const auto& [ip, names] : live) {
    if (applied.count(ip) == 0) continue;
    for (const auto* s : planner.servicesOf(ip)) {
      const auto slash = s->key.find('/');
      const control::ServiceRef ref{s->key.substr(0, slash), s->key.substr(slash + 1)};
      auto& ifs = out[ref];
      ifs.insert(ifs.end(), names.begin(), names.end());
      metric[{s->key, ip.toString()}] = true;
    }
  }
  for (auto& [ref, ifs] : out) {
    std::sort(ifs.begin(), ifs.end());
    ifs.erase(std::unique(ifs.begin(), ifs.end()), ifs.end());
  }
  for (const auto& [k, v] : announcedMetric_) {
    if (metric.count(k) == 0) metrics_.announced().remove({k.first, "layer2", node_, k.second});
  }
  for (const auto& [k, v] : metric) {
    if (announcedMetric_.count(k) == 0)
      metrics_.announced().withLabels({k.first, "layer2", node_, k.second}).set(1);
  }
  announcedMetric_ = std::move(metric);

  std::set<std::string> assigned;
  for (const auto& [ref, ifs] : out)
    assigned.insert(ref.first + "/" + ref.second);
  for (const auto& key : assigned) {
    if (assigned_.count(key) != 0) continue;
    events_({key, k8s::EventType::kNormal, "nodeAssigned",
             "announcing from node \"" + node_ + "\" with protocol \"layer2\""});
  }
  assigned_ = std::move(assigned);
  return out;
}

}  // namespace ironlb::speaker
