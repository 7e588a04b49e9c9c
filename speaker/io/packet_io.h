#pragma once
// Packet I/O seam: one PacketChannel per interface, created by a PacketIo. The libpcap
// implementation is pcap_packet_io.h; tests use fakes. Received frames go to a FrameHandler.

#include <cstdint>
#include <memory>
#include <span>

#include "common/net/ip_address.h"
#include "common/util/result.h"
#include "speaker/announcer/link.h"

namespace ironlb::io {

class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  // Packet path: called for every ARP / NS / NA frame received on the channel's interface.
  virtual void onFrame(std::span<const uint8_t> frame) = 0;
};

class PacketChannel {
 public:
  virtual ~PacketChannel() = default;
  // Packet path: queue or send one frame; false when the interface refused it. Never allocates.
  virtual bool send(std::span<const uint8_t> frame) = 0;
  // Receive frames sent to an IPv6 multicast group (solicited-node groups of owned IPs).
  virtual Status joinGroup(const net::IpAddress& group) = 0;
  virtual Status leaveGroup(const net::IpAddress& group) = 0;
};

class PacketIo {
 public:
  virtual ~PacketIo() = default;
  // Starts receiving on `link`; frames go to `handler`, which must outlive the channel.
  virtual Result<std::unique_ptr<PacketChannel>> open(const announcer::Link& link,
                                                      FrameHandler& handler) = 0;
};

}  // namespace ironlb::io
