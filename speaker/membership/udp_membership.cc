// Asio driver for the membership core (see udp_membership.h).

#include "speaker/membership/udp_membership.h"

#include <boost/asio/post.hpp>

#include <chrono>
#include <utility>

namespace ironlb::membership {
namespace {

namespace ip = boost::asio::ip;

ip::udp::endpoint toAsio(const Endpoint& e) {
  if (e.address.isV4()) return {ip::address_v4(e.address.v4Value()), e.port};
  return {ip::address_v6(e.address.v6Bytes()), e.port};
}

Endpoint fromAsio(const ip::udp::endpoint& e) {
  const ip::address a = e.address();
  if (a.is_v4()) return {net::IpAddress::v4(a.to_v4().to_uint()), e.port()};
  const ip::address_v6 v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return {net::IpAddress::v4(ip::make_address_v4(ip::v4_mapped, v6).to_uint()), e.port()};
  }
  const auto bytes = v6.to_bytes();
  return {net::IpAddress::fromV6Bytes(bytes.data()), e.port()};
}

// Datagrams handled per wake-up before yielding to other work on the io_context.
constexpr int kReceiveBatch = 64;

}  // namespace

Result<std::unique_ptr<UdpMembership>> UdpMembership::create(
    boost::asio::io_context& io, const util::Clock& clock, const Config& config,
    std::span<const MemberSpec> members, std::span<const std::vector<uint8_t>> keys,
    Callbacks callbacks) {
  auto core = Membership::create(config, members, keys);
  if (!core.ok()) return makeError(core.error());
  std::unique_ptr<UdpMembership> out(
      new UdpMembership(io, clock, std::move(*core), std::move(callbacks)));
  const ip::udp::endpoint local = toAsio(config.selfEndpoint);
  boost::system::error_code ec;
  out->socket_.open(local.protocol(), ec);
  if (!ec) out->socket_.bind(local, ec);
  if (!ec) out->socket_.non_blocking(true, ec);
  if (ec) {
    return makeError("membership: cannot bind UDP " + toString(config.selfEndpoint) + ": " +
                     ec.message());
  }
  return out;
}

UdpMembership::UdpMembership(boost::asio::io_context& io, const util::Clock& clock,
                             std::unique_ptr<Membership> core, Callbacks callbacks)
    : io_(io),
      clock_(clock),
      core_(std::move(core)),
      callbacks_(std::move(callbacks)),
      socket_(io),
      timer_(io) {}

UdpMembership::~UdpMembership() {
  alive_.reset();
  boost::system::error_code ec;
  timer_.cancel();
  socket_.close(ec);
}

void UdpMembership::start() {
  core_->start(now());
  flush();
  armReceive();
}

Status UdpMembership::setMembers(std::span<const MemberSpec> members) {
  Status s = core_->setMembers(members, now());
  flush();
  return s;
}

Status UdpMembership::setKeys(std::span<const std::vector<uint8_t>> keys) {
  return core_->setKeys(keys);
}

void UdpMembership::setWithdrawn(bool withdrawn) {
  core_->setWithdrawn(withdrawn, now());
  flush();
}

void UdpMembership::setLinkUp(bool up) {
  core_->setLinkUp(up, now());
  flush();
}

void UdpMembership::setLocalMacs(std::span<const LinkMac> macs) {
  core_->setLocalMacs(macs, now());
  flush();
}

void UdpMembership::leave(std::function<void()> done) {
  leaveDone_ = std::move(done);
  core_->leave(now());
  flush();
}

std::vector<MemberInfo> UdpMembership::members() const {
  return core_->members(now());
}

void UdpMembership::armReceive() {
  std::weak_ptr<int> alive = alive_;
  socket_.async_wait(ip::udp::socket::wait_read,
                     [this, alive](const boost::system::error_code& ec) {
                       if (alive.expired() || ec) return;
                       onReadable();
                     });
}

void UdpMembership::onReadable() {
  ip::udp::endpoint from;
  for (int i = 0; i < kReceiveBatch; ++i) {
    boost::system::error_code ec;
    const std::size_t n = socket_.receive_from(boost::asio::buffer(rxBuffer_), from, 0, ec);
    if (ec == boost::asio::error::would_block) break;
    if (ec) continue;  // e.g. ICMP port unreachable surfaced as ECONNREFUSED: not our input
    core_->onPacket({rxBuffer_.data(), n}, fromAsio(from), now());
    flush();
  }
  armReceive();
}

void UdpMembership::flush() {
  const Outbox& out = core_->outbox();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const OutPacket p = out[i];
    boost::system::error_code ec;
    socket_.send_to(boost::asio::buffer(p.bytes.data(), p.bytes.size()), toAsio(p.to), 0, ec);
    if (ec) ++sendErrors_;
  }
  bool liveChanged = false;
  bool leaveDone = false;
  util::MonoTime liveAt{};
  for (const Event& e : core_->events()) {
    if (callbacks_.onEvent) callbacks_.onEvent(e);
    if (e.kind == EventKind::kLiveSetChanged) {
      liveChanged = true;
      liveAt = e.at;
    }
    if (e.kind == EventKind::kLeaveDone) leaveDone = true;
  }
  core_->clearOutputs();
  if (liveChanged && callbacks_.onLiveSetChanged) {
    callbacks_.onLiveSetChanged(core_->liveMembers(), liveAt);
  }
  if (leaveDone && leaveDone_) boost::asio::post(io_, std::exchange(leaveDone_, nullptr));
  arm(core_->nextWakeup());
}

void UdpMembership::arm(util::MonoTime at) {
  if (at == armedAt_) return;
  armedAt_ = at;
  if (at == util::MonoTime::max()) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(at - now());
  std::weak_ptr<int> alive = alive_;
  timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (alive.expired() || ec) return;
    armedAt_ = util::MonoTime::max();
    core_->onTimer(now());
    flush();
  });
}

}  // namespace ironlb::membership
