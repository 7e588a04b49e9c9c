#pragma once
// LinkWatcher over libnl-route: a cache manager for route/link and route/addr on a NETLINK_ROUTE
// socket registered with the asio loop. Every batch of changes yields one new snapshot. If the
// kernel drops notifications (socket overrun), the caches are refilled from a fresh dump.

#include <boost/asio/io_context.hpp>
#include <memory>

#include "speaker/io/link_watcher.h"

namespace ironlb::io {

class NlLinkWatcher : public LinkWatcher {
 public:
  explicit NlLinkWatcher(boost::asio::io_context& io);
  ~NlLinkWatcher() override;
  Status start(Callback onChange) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ironlb::io
