// dataplane_loadgen: ARP / NDP request generator for the data plane benchmark. Runs in the client
// namespace on a raw packet socket; measures reply latency (kernel receive timestamp minus the
// time just before send) and the reply rate at a fixed offered rate. Bounded in count and time.
//
//   dataplane_loadgen latency IFACE arp|ndp TARGET[,TARGET...] SRC_IP COUNT RATE
//   dataplane_loadgen rate    IFACE arp|ndp TARGET SRC_IP COUNT RATE
// latency: COUNT requests per target, the targets taking turns request by request, so every
// target is sampled under the same machine conditions (a paired comparison on a noisy host).
// Prints key=value figures, one line per target.

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/util/strings.h"
#include "speaker/wire/arp.h"
#include "speaker/wire/frame.h"
#include "speaker/wire/ndp.h"

using namespace ironlb;

namespace {

int64_t nowNs(clockid_t clock = CLOCK_REALTIME) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

struct Request {
  net::IpAddress target;
  std::array<uint8_t, 128> frame{};
  std::size_t size = 0;
};

struct Gen {
  int fd = -1;
  int ifindex = 0;
  net::MacAddress mac;
  bool ndp = false;
  net::IpAddress src;
  std::vector<Request> requests;  // one per target

  bool open(const char* iface) {
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ndp ? ETH_P_IPV6 : ETH_P_ARP));
    if (fd < 0) return false;
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) return false;
    ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return false;
    mac = net::MacAddress::fromBytes(reinterpret_cast<uint8_t*>(ifr.ifr_hwaddr.sa_data));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ndp ? ETH_P_IPV6 : ETH_P_ARP);
    sll.sll_ifindex = ifindex;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) < 0) return false;
    int one = 1, buf = 16 << 20;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
    // Our own requests come back as PACKET_OUTGOING: ignore them.
    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
    for (Request& r : requests) {
      if (ndp) {
        const auto group = wire::solicitedNodeMulticast(r.target);
        r.size = wire::buildNeighborSolicitation(r.frame, wire::ipv6MulticastMac(group), mac, src,
                                                 group, r.target);
      } else {
        r.size = wire::buildArpFrame(r.frame, net::MacAddress::broadcast(), mac,
                                     {wire::ArpOp::kRequest, mac, src, {}, r.target});
      }
      if (r.size == 0) return false;
    }
    return !requests.empty();
  }

  // Which target a frame answers, or -1 when it is no reply to us.
  int replyFor(std::span<const uint8_t> frame) const {
    const auto f = wire::parseFrame(frame);
    if (!f.ok()) return -1;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const net::IpAddress& target = requests[i].target;
      const bool match = ndp ? f->kind == wire::Frame::Kind::kNdp &&
                                   f->ndp.type == wire::NdpType::kNeighborAdvertisement &&
                                   f->ndp.target == target && f->ndp.dst == src
                             : f->kind == wire::Frame::Kind::kArp &&
                                   f->arp.op == wire::ArpOp::kReply && f->arp.senderIp == target &&
                                   f->arp.targetIp == src;
      if (match) return static_cast<int>(i);
    }
    return -1;
  }

  bool send(std::size_t which) {
    const Request& r = requests[which];
    return ::send(fd, r.frame.data(), r.size, 0) == static_cast<ssize_t>(r.size);
  }

  // Sends `n` copies of the first target's request with one sendmmsg; returns how many went out.
  long sendBurst(long n) {
    std::array<mmsghdr, 64> msgs{};
    iovec iov{requests[0].frame.data(), requests[0].size};
    n = std::min<long>(n, static_cast<long>(msgs.size()));
    for (long i = 0; i < n; ++i) {
      msgs[static_cast<std::size_t>(i)].msg_hdr.msg_iov = &iov;
      msgs[static_cast<std::size_t>(i)].msg_hdr.msg_iovlen = 1;
    }
    const int sent = sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
    return sent < 0 ? 0 : sent;
  }

  // Drains received frames; returns replies seen (to `want` only, unless it is -1) and the
  // last counted one's kernel timestamp in *ts.
  int drain(int64_t* ts, int want = -1) {
    int replies = 0;
    for (int i = 0; i < 4096; ++i) {
      std::array<uint8_t, 2048> buf;
      char control[256];
      iovec iov{buf.data(), buf.size()};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      const ssize_t n = recvmsg(fd, &msg, 0);
      if (n <= 0) break;
      const int which = replyFor({buf.data(), static_cast<std::size_t>(n)});
      if (which < 0 || (want >= 0 && which != want)) continue;
      ++replies;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
          timespec t;
          std::memcpy(&t, CMSG_DATA(c), sizeof(t));
          if (ts) *ts = int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
        }
    }
    return replies;
  }
};

void spinUntil(int64_t t) {
  while (nowNs(CLOCK_MONOTONIC) < t) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s latency|rate IFACE arp|ndp TARGET[,TARGET...] SRC COUNT RATE\n",
                 argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  Gen g;
  g.ndp = std::string(argv[3]) == "ndp";
  for (const std::string_view target : util::splitList(argv[4]))
    g.requests.push_back({net::IpAddress::parse(target).value()});
  g.src = net::IpAddress::parse(argv[5]).value();
  const long count = std::min(std::stol(argv[6]), 10'000'000L);
  const long rate = std::max(1L, std::min(std::stol(argv[7]), 2'000'000L));
  if ((mode == "rate" && g.requests.size() != 1) || g.requests.size() > 8) {
    std::fprintf(stderr, "rate takes one target, latency at most 8\n");
    return 2;
  }
  if (!g.open(argv[2])) {
    std::perror("open");
    return 1;
  }
  g.drain(nullptr);
  const int64_t interval = 1000000000 / rate;

  if (mode == "latency") {
    const std::size_t n = g.requests.size();
    std::vector<std::vector<double>> us(n);
    std::vector<long> lost(n, 0);
    int64_t next = nowNs(CLOCK_MONOTONIC);
    for (long i = 0; i < count * static_cast<long>(n); ++i) {
      const std::size_t which = static_cast<std::size_t>(i) % n;
      spinUntil(next);
      next += interval;
      const int64_t sent = nowNs();
      g.send(which);
      int64_t ts = 0;
      // Ping-pong: wait for this request's reply (20 ms at most) so a late reply is never
      // attributed to the next request; pacing resumes from the schedule.
      const int64_t deadline = nowNs(CLOCK_MONOTONIC) + 20000000;
      while (nowNs(CLOCK_MONOTONIC) < deadline && g.drain(&ts, static_cast<int>(which)) == 0) {
      }
      if (ts == 0) {
        ++lost[which];
        continue;
      }
      us[which].push_back(static_cast<double>(ts - sent) / 1000.0);
    }
    for (std::size_t t = 0; t < n; ++t) {
      auto& v = us[t];
      std::sort(v.begin(), v.end());
      auto pct = [&](double p) {
        return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
      };
      std::printf(
          "mode=latency target=%s sent=%ld replies=%zu lost=%ld median_us=%.1f p99_us=%.1f "
          "p999_us=%.1f max_us=%.1f min_us=%.1f over_1ms=%ld\n",
          g.requests[t].target.toString().c_str(), count, v.size(), lost[t], pct(0.5), pct(0.99),
          pct(0.999), v.empty() ? 0.0 : v.back(), v.empty() ? 0.0 : v.front(),
          static_cast<long>(v.end() - std::upper_bound(v.begin(), v.end(), 1000.0)));
    }
    return 0;
  }

  // rate: offer `rate` requests/s for `count` requests, sending in small bursts.
  long replies = 0;
  const int64_t start = nowNs(CLOCK_MONOTONIC);
  constexpr long kBurst = 16;
  long sent = 0;
  for (; sent < count;) {
    spinUntil(start + sent * interval);
    sent += g.sendBurst(std::min(kBurst, count - sent));
    replies += g.drain(nullptr);
  }
  const int64_t sendEnd = nowNs(CLOCK_MONOTONIC);
  const int64_t grace = sendEnd + 300000000;
  while (nowNs(CLOCK_MONOTONIC) < grace && replies < sent)
    replies += g.drain(nullptr);
  const double secs = static_cast<double>(sendEnd - start) / 1e9;
  std::printf(
      "mode=rate offered=%ld sent=%ld replies=%ld lost=%ld offered_rate=%.0f "
      "achieved_send_rate=%.0f\n",
      rate, sent, replies, sent - replies, static_cast<double>(rate),
      static_cast<double>(sent) / secs);
  return 0;
}
