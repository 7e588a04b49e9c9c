#pragma once
// Dataplane: wires the link watcher, the announcer, packet channels and the responder together on
// one asio io_context. The control plane calls setDesired(IP -> interfaces); the Dataplane keeps
// responders open on eligible links, executes the announcer's actions, rebuilds the ownership
// table the packet path reads, and runs the gratuitous schedule on a timer.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "speaker/announcer/announcer.h"
#include "speaker/announcer/counters.h"
#include "speaker/announcer/ownership_table.h"
#include "speaker/io/link_watcher.h"
#include "speaker/io/packet_io.h"
#include "speaker/io/responder.h"

namespace ironlb::io {

struct DataplaneConfig {
  announcer::AnnouncerConfig announcer;
  std::vector<std::string> excludePatterns = announcer::defaultExcludePatterns();
};

class Dataplane : private DuplicateOwnerListener {
 public:
  using DuplicateHandler = std::function<void(const DuplicateOwnerEvent&)>;
  using ErrorHandler = std::function<void(const std::string&)>;

  // Fails only on a bad exclude pattern.
  // Time is read from `clock` only (the announcer's schedule; timers wait the clock's durations).
  static Result<std::unique_ptr<Dataplane>> create(boost::asio::io_context& io,
                                                   const util::Clock& clock, PacketIo& packets,
                                                   LinkWatcher& links, DataplaneConfig config);
  ~Dataplane() override;

  // Starts watching links (opens responders on eligible ones). Call once.
  Status start();
  void setDesired(const announcer::Desired& desired);
  // A fresh gratuitous burst for these IPs where they are announced (Announcer::reannounce).
  void reannounce(const std::vector<net::IpAddress>& ips);

  // Called on the loop thread, synchronously from the packet path: keep it cheap (count,
  // rate-limit, post the logging).
  void setDuplicateOwnerHandler(DuplicateHandler handler) { onDuplicate_ = std::move(handler); }
  // Failures to execute an action (cannot open a capture, cannot join a group).
  void setErrorHandler(ErrorHandler handler) { onError_ = std::move(handler); }

  const announcer::CounterStore& counters() const { return counters_; }
  std::vector<announcer::Announcement> announcements() const { return announcer_.announcements(); }
  std::vector<announcer::Refusal> refusals() const { return announcer_.refusals(); }
  const announcer::Link* link(int ifindex) const { return announcer_.link(ifindex); }
  bool isOpen(int ifindex) const { return ports_.count(ifindex) != 0; }

 private:
  struct Port : FrameHandler {
    Port(Responder& r) : responder(r) {}
    void onFrame(std::span<const uint8_t> frame) override { responder.handleFrame(ctx, frame); }
    Responder& responder;
    InterfaceContext ctx;
    std::unique_ptr<PacketChannel> channel;
  };

  Dataplane(boost::asio::io_context& io, const util::Clock& clock, PacketIo& packets,
            LinkWatcher& links, announcer::AnnouncerConfig config,
            announcer::InterfaceFilter filter);
  void onLinks(const std::vector<announcer::Link>& links);
  void apply(const std::vector<announcer::Action>& actions);
  void rebuildTable();
  void schedule();
  void error(const std::string& message) {
    if (onError_) onError_(message);
  }
  void onDuplicateOwner(const DuplicateOwnerEvent& event) override {
    if (onDuplicate_) onDuplicate_(event);
  }

  const util::Clock& clock_;
  PacketIo& packets_;
  LinkWatcher& links_;
  announcer::Announcer announcer_;
  announcer::CounterStore counters_;
  announcer::OwnershipTable table_;
  Responder responder_;
  std::map<int, std::unique_ptr<Port>> ports_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  DuplicateHandler onDuplicate_;
  ErrorHandler onError_;
};

}  // namespace ironlb::io
