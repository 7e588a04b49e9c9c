#pragma once
// PacketIo over libpcap: one handle per interface, immediate mode, inbound only, not promiscuous,
// a kernel BPF filter (kCaptureFilter) so only ARP requests/replies and ICMPv6 NS/NA wake us, the
// descriptor non-blocking on the asio loop. Replies produced while a batch of received frames is
// handled are queued and flushed with one sendmmsg per batch; other sends go out at once.
// Multicast groups are joined on a per-channel IPv6 socket (MLD reports for snooping switches),
// or with PACKET_ADD_MEMBERSHIP when IPv6 is off; either is left when the channel closes.

#include <boost/asio/io_context.hpp>
#include <cstddef>

#include "speaker/io/packet_io.h"

namespace ironlb::io {

// ARP requests/replies; ICMPv6 NS (135) / NA (136) directly after the fixed IPv6 header. NS/NA
// behind extension headers are not let through (see speaker/wire/ndp.h for why).
inline constexpr const char* kCaptureFilter =
    "(arp and (arp[6:2] = 1 or arp[6:2] = 2)) or "
    "(ip6 and ip6[6] = 58 and (ip6[40] = 135 or ip6[40] = 136))";

struct PcapOptions {
  // NS/NA are small; a longer frame is cut and then dropped as malformed (counted). Small slots
  // let the ring absorb many thousands of frames while the responder waits for a CPU.
  int snaplen = 512;
  int bufferBytes = 8 * 1024 * 1024;  // kernel ring
  int batch = 64;                     // frames handled per pcap_dispatch
  int maxBatchesPerWakeup = 16;       // then yield to other handlers on the loop
};

class PcapPacketIo : public PacketIo {
 public:
  explicit PcapPacketIo(boost::asio::io_context& io, PcapOptions options = {})
      : io_(io), options_(options) {}
  Result<std::unique_ptr<PacketChannel>> open(const announcer::Link& link,
                                              FrameHandler& handler) override;

 private:
  boost::asio::io_context& io_;
  PcapOptions options_;
};

}  // namespace ironlb::io
