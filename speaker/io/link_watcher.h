#pragma once
// Link watcher seam: a stream of link snapshots (links with their state and IPv6 link-local
// address). The libnl implementation is nl_link_watcher.h; tests use fakes.

#include <functional>
#include <vector>

#include "common/util/result.h"
#include "speaker/announcer/link.h"

namespace ironlb::io {

class LinkWatcher {
 public:
  using Callback = std::function<void(const std::vector<announcer::Link>&)>;
  virtual ~LinkWatcher() = default;
  // Delivers the current snapshot before returning, then a new snapshot after every change.
  virtual Status start(Callback onChange) = 0;
};

}  // namespace ironlb::io
