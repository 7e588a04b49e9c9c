#pragma once
// LinkTee: one link watcher, two readers. The data plane owns the watcher's callback; the
// daemon also needs every snapshot (carrier for withdrawal, eligible interfaces for the
// kernel-ARP check, refusals after a link appears). The data plane sees each snapshot first,
// so the observer reads an up-to-date announcer.

#include <utility>
#include <vector>

#include "speaker/io/link_watcher.h"

namespace ironlb::speaker {

class LinkTee final : public io::LinkWatcher {
 public:
  LinkTee(io::LinkWatcher& inner, Callback observer)
      : inner_(inner), observer_(std::move(observer)) {}

  Status start(Callback onChange) override {
    return inner_.start(
        [this, onChange = std::move(onChange)](const std::vector<announcer::Link>& links) {
          onChange(links);
          observer_(links);
        });
  }

 private:
  io::LinkWatcher& inner_;
  Callback observer_;
};

}  // namespace ironlb::speaker
