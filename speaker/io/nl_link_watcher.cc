// The only file that talks to libnl.
#include "speaker/io/nl_link_watcher.h"

#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <map>
#include <string>

namespace ironlb::io {

struct NlLinkWatcher::Impl {
  explicit Impl(boost::asio::io_context& io) : descriptor(io) {}
  ~Impl() {
    *alive = false;
    if (descriptor.is_open()) {
      boost::system::error_code ignored;
      descriptor.cancel(ignored);
      descriptor.release();  // the cache manager owns the socket
    }
    if (mngr != nullptr) nl_cache_mngr_free(mngr);
  }

  static void onChange(nl_cache*, nl_object*, int, void* arg) {
    static_cast<Impl*>(arg)->dirty = true;
  }

  void arm() {
    descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, a = alive](const boost::system::error_code& ec) {
                            if (!*a || ec) return;
                            const int rc = nl_cache_mngr_data_ready(mngr);
                            if (rc < 0) {
                              // Lost notifications: resynchronise from a full dump.
                              nl_cache_refill(sock(), links);
                              nl_cache_refill(sock(), addrs);
                              dirty = true;
                            }
                            if (dirty) publish();
                            arm();
                          });
  }

  nl_sock* sock() { return refillSock; }

  void publish() {
    dirty = false;
    std::map<int, announcer::Link> byIndex;
    for (nl_object* o = nl_cache_get_first(links); o != nullptr; o = nl_cache_get_next(o)) {
      auto* l = reinterpret_cast<rtnl_link*>(o);
      // The cache also holds per-family views of a link (AF_INET6 RTM_NEWLINK carries IPv6
      // state). The kernel deletes a link with one AF_UNSPEC RTM_DELLINK, so those views
      // outlive the link with stale flags: only the AF_UNSPEC object describes the link.
      if (rtnl_link_get_family(l) != AF_UNSPEC) continue;
      announcer::Link link;
      link.index = rtnl_link_get_ifindex(l);
      if (const char* name = rtnl_link_get_name(l)) link.name = name;
      const unsigned flags = rtnl_link_get_flags(l);
      link.up = (flags & IFF_UP) != 0;
      link.carrier = (flags & IFF_LOWER_UP) != 0;
      link.noarp = (flags & IFF_NOARP) != 0;
      link.loopback = (flags & IFF_LOOPBACK) != 0;
      link.ethernet = rtnl_link_get_arptype(l) == ARPHRD_ETHER;
      link.master = rtnl_link_get_master(l);
      if (nl_addr* a = rtnl_link_get_addr(l); a != nullptr && nl_addr_get_len(a) == 6)
        link.mac =
            net::MacAddress::fromBytes(static_cast<const uint8_t*>(nl_addr_get_binary_addr(a)));
      byIndex[link.index] = std::move(link);
    }
    for (nl_object* o = nl_cache_get_first(addrs); o != nullptr; o = nl_cache_get_next(o)) {
      auto* a = reinterpret_cast<rtnl_addr*>(o);
      if (rtnl_addr_get_family(a) != AF_INET6 || rtnl_addr_get_scope(a) != RT_SCOPE_LINK) continue;
      if ((rtnl_addr_get_flags(a) & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0) continue;
      nl_addr* local = rtnl_addr_get_local(a);
      if (local == nullptr || nl_addr_get_len(local) != 16) continue;
      auto it = byIndex.find(rtnl_addr_get_ifindex(a));
      if (it == byIndex.end() || it->second.linkLocal) continue;
      it->second.linkLocal =
          net::IpAddress::fromV6Bytes(static_cast<const uint8_t*>(nl_addr_get_binary_addr(local)));
    }
    std::vector<announcer::Link> snapshot;
    snapshot.reserve(byIndex.size());
    for (auto& [index, link] : byIndex)
      snapshot.push_back(std::move(link));
    callback(snapshot);
  }

  boost::asio::posix::stream_descriptor descriptor;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  nl_cache_mngr* mngr = nullptr;
  nl_sock* refillSock = nullptr;
  nl_cache* links = nullptr;
  nl_cache* addrs = nullptr;
  bool dirty = false;
  Callback callback;
};

NlLinkWatcher::NlLinkWatcher(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}

NlLinkWatcher::~NlLinkWatcher() {
  if (impl_ && impl_->refillSock != nullptr) {
    nl_close(impl_->refillSock);
    nl_socket_free(impl_->refillSock);
  }
}

Status NlLinkWatcher::start(Callback onChange) {
  Impl& s = *impl_;
  s.callback = std::move(onChange);
  int rc = nl_cache_mngr_alloc(nullptr, NETLINK_ROUTE, NL_AUTO_PROVIDE, &s.mngr);
  if (rc < 0) return makeError(std::string("netlink cache manager: ") + nl_geterror(rc));
  rc = nl_cache_mngr_add(s.mngr, "route/link", &Impl::onChange, &s, &s.links);
  if (rc < 0) return makeError(std::string("netlink link cache: ") + nl_geterror(rc));
  rc = nl_cache_mngr_add(s.mngr, "route/addr", &Impl::onChange, &s, &s.addrs);
  if (rc < 0) return makeError(std::string("netlink address cache: ") + nl_geterror(rc));
  s.refillSock = nl_socket_alloc();
  if (s.refillSock == nullptr || nl_connect(s.refillSock, NETLINK_ROUTE) < 0)
    return makeError("netlink: cannot open a NETLINK_ROUTE socket for resynchronisation");
  const int fd = nl_cache_mngr_get_fd(s.mngr);
  if (fd < 0) return makeError("netlink cache manager has no socket");
  s.descriptor.assign(fd);
  s.publish();
  s.arm();
  return {};
}

}  // namespace ironlb::io
