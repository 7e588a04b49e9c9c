// The only file that talks to libpcap (and to the packet socket beneath it).
#include "speaker/io/pcap_packet_io.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <string>

#include "speaker/wire/ndp.h"

namespace ironlb::io {
namespace {

constexpr std::size_t kTxSlots = 64;
constexpr std::size_t kTxSlotBytes = 128;  // our replies are at most 86 bytes

class PcapChannel : public PacketChannel {
 public:
  PcapChannel(boost::asio::io_context& io, pcap_t* pcap, int fd, int ifindex, FrameHandler& handler,
              const PcapOptions& options)
      : pcap_(pcap),
        fd_(fd),
        ifindex_(ifindex),
        handler_(handler),
        options_(options),
        descriptor_(io, fd) {}

  ~PcapChannel() override {
    *alive_ = false;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
    descriptor_.release();  // pcap_close owns the fd
    pcap_close(pcap_);
    if (mldFd_ >= 0) ::close(mldFd_);  // leaves every group joined through it
  }

  void arm() {
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, alive = alive_](const boost::system::error_code& ec) {
                             if (!*alive || ec) return;
                             onReadable();
                           });
  }

  bool send(std::span<const uint8_t> frame) override {
    if (inBatch_ && frame.size() <= kTxSlotBytes) {
      if (txCount_ == kTxSlots) flush();
      std::memcpy(txBuf_[txCount_].data(), frame.data(), frame.size());
      txLen_[txCount_] = frame.size();
      ++txCount_;
      return true;
    }
    return pcap_inject(pcap_, frame.data(), frame.size()) == static_cast<int>(frame.size());
  }

  Status joinGroup(const net::IpAddress& group) override { return membership(true, group); }
  Status leaveGroup(const net::IpAddress& group) override { return membership(false, group); }

 private:
  // Joins through an IPv6 socket so the kernel programs the NIC's multicast filter AND sends MLD
  // reports (MLD-snooping switches forward the group only to ports that reported it). Falls back
  // to a packet-socket membership of the group's MAC when IPv6 is disabled on the link.
  Status membership(bool join, const net::IpAddress& group) {
    if (mldFd_ < 0) mldFd_ = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (mldFd_ >= 0) {
      ipv6_mreq mreq{};
      group.toBytes(mreq.ipv6mr_multiaddr.s6_addr);
      mreq.ipv6mr_interface = static_cast<unsigned>(ifindex_);
      if (setsockopt(mldFd_, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mreq,
                     sizeof(mreq)) == 0)
        return {};
    }
    const net::MacAddress mac = wire::ipv6MulticastMac(group);
    packet_mreq mreq{};
    mreq.mr_ifindex = ifindex_;
    mreq.mr_type = PACKET_MR_MULTICAST;
    mreq.mr_alen = 6;
    std::memcpy(mreq.mr_address, mac.data(), 6);
    if (setsockopt(fd_, SOL_PACKET, join ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mreq,
                   sizeof(mreq)) != 0)
      return makeError(std::string(join ? "joining" : "leaving") + " multicast group " +
                       group.toString() + " (" + mac.toString() + ") on ifindex " +
                       std::to_string(ifindex_) + ": " + std::strerror(errno));
    return {};
  }

  static void onPacket(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* self = reinterpret_cast<PcapChannel*>(user);
    self->handler_.onFrame({bytes, header->caplen});
  }

  void onReadable() {
    bool more = false;
    inBatch_ = true;
    for (int i = 0; i < options_.maxBatchesPerWakeup; ++i) {
      const int n = pcap_dispatch(pcap_, options_.batch, &PcapChannel::onPacket,
                                  reinterpret_cast<u_char*>(this));
      flush();
      more = n >= options_.batch;
      if (!more) break;
    }
    inBatch_ = false;
    if (more) {
      // The ring still holds frames: come back after other handlers had a turn.
      boost::asio::post(descriptor_.get_executor(), [this, alive = alive_] {
        if (*alive) onReadable();
      });
    } else {
      arm();
    }
  }

  void flush() {
    if (txCount_ == 0) return;
    std::array<mmsghdr, kTxSlots> msgs{};
    std::array<iovec, kTxSlots> iov{};
    for (std::size_t i = 0; i < txCount_; ++i) {
      iov[i] = {txBuf_[i].data(), txLen_[i]};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    // Bounded: each round sends at least one frame or gives up.
    std::size_t done = 0;
    while (done < txCount_) {
      const int n = sendmmsg(fd_, msgs.data() + done, static_cast<unsigned>(txCount_ - done), 0);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    txCount_ = 0;
  }

  pcap_t* pcap_;
  int fd_;
  int ifindex_;
  FrameHandler& handler_;
  PcapOptions options_;
  boost::asio::posix::stream_descriptor descriptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool inBatch_ = false;
  std::array<std::array<uint8_t, kTxSlotBytes>, kTxSlots> txBuf_{};
  std::array<std::size_t, kTxSlots> txLen_{};
  std::size_t txCount_ = 0;
  int mldFd_ = -1;
};

std::string pcapError(const std::string& what, const announcer::Link& link, pcap_t* p) {
  return what + " on interface " + link.name + ": " + (p ? pcap_geterr(p) : "unknown error");
}

}  // namespace

Result<std::unique_ptr<PacketChannel>> PcapPacketIo::open(const announcer::Link& link,
                                                          FrameHandler& handler) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(link.name.c_str(), errbuf);
  if (p == nullptr) return makeError("pcap_create on interface " + link.name + ": " + errbuf);
  auto fail = [&](const std::string& what) {
    std::string message = pcapError(what, link, p);
    pcap_close(p);
    return makeError(std::move(message));
  };
  if (pcap_set_snaplen(p, options_.snaplen) != 0 || pcap_set_promisc(p, 0) != 0 ||
      pcap_set_immediate_mode(p, 1) != 0 || pcap_set_buffer_size(p, options_.bufferBytes) != 0)
    return fail("configuring capture");
  if (int rc = pcap_activate(p); rc < 0) return fail("activating capture");
  if (pcap_datalink(p) != DLT_EN10MB) return fail("capture is not Ethernet");
  if (pcap_setdirection(p, PCAP_D_IN) != 0) return fail("setting inbound direction");
  bpf_program program{};
  if (pcap_compile(p, &program, kCaptureFilter, 1, PCAP_NETMASK_UNKNOWN) != 0)
    return fail("compiling capture filter");
  const int rc = pcap_setfilter(p, &program);
  pcap_freecode(&program);
  if (rc != 0) return fail("installing capture filter");
  if (pcap_setnonblock(p, 1, errbuf) != 0) return fail("setting non-blocking mode");
  const int fd = pcap_get_selectable_fd(p);
  if (fd < 0) return fail("getting a selectable descriptor");
  auto channel = std::make_unique<PcapChannel>(io_, p, fd, link.index, handler, options_);
  channel->arm();
  return std::unique_ptr<PacketChannel>(std::move(channel));
}

}  // namespace ironlb::io
