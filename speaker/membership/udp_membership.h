#pragma once
// UdpMembership: the membership core wired to one UDP socket and one timer on the daemon's
// io_context. The only file of the module that touches sockets or reads the (injected) clock.
//
// Every received datagram and every timer expiry goes to the core; the packets it wants sent
// are sent at once with non-blocking send_to (a full socket buffer drops the packet and counts
// it: the protocol tolerates loss), and its events are passed to the callbacks. Packets always
// go to the endpoint listed for a member, never to the source of a received packet.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "common/util/result.h"
#include "speaker/membership/membership.h"

namespace ironlb::membership {

class UdpMembership {
 public:
  struct Callbacks {
    // liveMembers() changed (sorted names; the election's candidate base).
    std::function<void(const std::vector<std::string>& live, util::MonoTime at)> onLiveSetChanged;
    // Every event, including kLiveSetChanged (logging, metrics, readiness on kSynced).
    std::function<void(const Event& event)> onEvent;
  };

  // Binds a UDP socket to config.selfEndpoint. Fails (with the address in the message) when
  // the socket cannot be bound or the config/members/keys are invalid.
  static Result<std::unique_ptr<UdpMembership>> create(boost::asio::io_context& io,
                                                       const util::Clock& clock,
                                                       const Config& config,
                                                       std::span<const MemberSpec> members,
                                                       std::span<const std::vector<uint8_t>> keys,
                                                       Callbacks callbacks);
  // Closes the socket without a goodbye (peers detect it as a failure); call leave() first for
  // a graceful stop.
  ~UdpMembership();
  UdpMembership(const UdpMembership&) = delete;
  UdpMembership& operator=(const UdpMembership&) = delete;

  void start();
  Status setMembers(std::span<const MemberSpec> members);
  Status setKeys(std::span<const std::vector<uint8_t>> keys);
  void setWithdrawn(bool withdrawn);
  void setLinkUp(bool up);                           // Membership::setLinkUp
  void setLocalMacs(std::span<const LinkMac> macs);  // Membership::setLocalMacs
  const std::string* memberOfMac(const LinkMac& mac) const { return core_->memberOfMac(mac); }
  // Graceful stop (SIGTERM): peers are told at once; `done` runs (posted) after the last
  // redundant goodbye, typically within 20 ms; then destroy this object.
  void leave(std::function<void()> done);

  const std::vector<std::string>& liveMembers() const { return core_->liveMembers(); }
  bool synced() const { return core_->synced(); }
  std::vector<MemberInfo> members() const;
  const Counters& counters() const { return core_->counters(); }
  uint64_t sendErrors() const { return sendErrors_; }
  const Membership& core() const { return *core_; }

 private:
  UdpMembership(boost::asio::io_context& io, const util::Clock& clock,
                std::unique_ptr<Membership> core, Callbacks callbacks);
  util::MonoTime now() const { return clock_.now(); }
  void armReceive();
  void onReadable();
  void flush();
  void arm(util::MonoTime at);

  boost::asio::io_context& io_;
  const util::Clock& clock_;
  std::unique_ptr<Membership> core_;
  Callbacks callbacks_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  util::MonoTime armedAt_ = util::MonoTime::max();
  std::array<uint8_t, kMaxWireBytes + 1> rxBuffer_{};
  uint64_t sendErrors_ = 0;
  std::function<void()> leaveDone_;
  // Handlers hold a weak reference: a completion already queued when we are destroyed must
  // not touch us.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace ironlb::membership
