#pragma once
// Announcer: reconciles desired (IP -> interfaces) and the current links into actions for the io
// layer. Pure: no I/O, no clock reads; every call takes `now` and returns what to do.
//
// Responders are open on every eligible link (so requests arriving on the wrong NIC are seen and
// counted). An (IP, link) pair is announced when the IP is desired on that link (named, or on
// every eligible link when the name list is empty) and the link is eligible. For each pair:
// answer requests, join the IPv6 solicited-node group (reference-counted per link: IPs can share
// a group), and send gratuitous ARP / unsolicited NA immediately, then `burstCount - 1` more
// every `burstInterval`, then every `refreshInterval` (0 disables refresh). A link that becomes
// eligible again, regains carrier or changes MAC gets a fresh burst. Release stops answering in
// the same call.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"
#include "common/util/clock.h"
#include "speaker/announcer/eligibility.h"
#include "speaker/announcer/link.h"

namespace ironlb::announcer {

using Duration = util::Duration;

struct AnnouncerConfig {
  int burstCount = 4;  // sends on acquire, the first immediately
  Duration burstInterval = std::chrono::seconds(1);
  Duration refreshInterval = std::chrono::seconds(60);
};

// IP -> interface names it should be announced on; an empty set means every eligible interface.
using Desired = std::map<net::IpAddress, std::set<std::string>>;

struct Action {
  enum class Kind {
    kOpenInterface,   // start capturing on `link` (an eligible link)
    kCloseInterface,  // stop capturing on `ifindex`
    kJoinGroup,       // join IPv6 multicast `group` (a solicited-node group) on `ifindex`
    kLeaveGroup,
    kStartAnswering,  // (ip, ifindex) enters the ownership table
    kStopAnswering,   // (ip, ifindex) leaves it
    kSendGratuitous,  // gratuitous ARP (both forms) or unsolicited NA for ip on ifindex
  };
  Kind kind;
  int ifindex = 0;
  net::IpAddress ip;
  net::IpAddress group;
  const Link* link = nullptr;  // kOpenInterface: valid until the next call into the Announcer

  friend bool operator==(const Action& a, const Action& b) {
    return a.kind == b.kind && a.ifindex == b.ifindex && a.ip == b.ip && a.group == b.group;
  }
};

struct Announcement {
  net::IpAddress ip;
  int ifindex = 0;
};

// Why a desired (IP, interface name) is not announced: the control plane reports these
// (MetalLB's announceFailed).
struct Refusal {
  net::IpAddress ip;
  std::string interface;  // empty: "every eligible interface" and there is none
  Ineligibility reason = Ineligibility::kMissing;
  friend bool operator==(const Refusal&, const Refusal&) = default;
};

class Announcer {
 public:
  Announcer(AnnouncerConfig config, InterfaceFilter filter);

  std::vector<Action> setLinks(const std::vector<Link>& links, util::MonoTime now);
  std::vector<Action> setDesired(const Desired& desired, util::MonoTime now);
  // Gratuitous sends that are due.
  std::vector<Action> tick(util::MonoTime now);
  // Restarts the gratuitous burst of each IP on every link it is announced on, first send now.
  // For when clients may hold another MAC for an IP we keep: a duplicate owner was seen, or the
  // cluster view healed after a partition in which another node announced it. IPs not
  // announced are ignored.
  std::vector<Action> reannounce(const std::vector<net::IpAddress>& ips, util::MonoTime now);
  // When tick() next has something to do; nullopt when nothing is scheduled.
  std::optional<util::MonoTime> nextDeadline() const;

  std::vector<Announcement> announcements() const;
  std::vector<Refusal> refusals() const;
  const Link* link(int ifindex) const;
  bool isOpen(int ifindex) const { return open_.count(ifindex) != 0; }

 private:
  struct Schedule {
    util::MonoTime next;
    int burstLeft = 0;  // sends left in the current burst, including the one at `next`
  };
  using Key = std::pair<net::IpAddress, int>;  // (ip, ifindex)

  std::vector<Action> reconcile(util::MonoTime now, const std::set<int>& reburst);
  void appendDue(util::MonoTime now, std::vector<Action>& out);
  std::map<Key, bool> wantedPairs() const;

  AnnouncerConfig config_;
  InterfaceFilter filter_;
  std::map<int, Link> links_;  // every link, eligible or not
  Desired desired_;
  std::set<int> open_;
  std::map<Key, Schedule> announced_;
  std::map<std::pair<int, net::IpAddress>, int> groups_;  // (ifindex, group) -> users
};

}  // namespace ironlb::announcer
