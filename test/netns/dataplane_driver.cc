// dataplane_driver: runs the real data plane (libpcap + libnl) in the current network namespace,
// driven by line commands on stdin, for the namespace tests and benchmarks. Not production code.
//
//   own <ip> [ifname...]   desire <ip> on these interfaces (none: every eligible interface)
//   release <ip>           stop announcing <ip>
//   counters               per (interface, ip) and per-interface drop counters, then "end"
//   status                 announcements and refusals, then "end"
//   quit
// Asynchronous lines: "ready", "duplicate ...", "error ...".
//
// Options: --burst-count N --burst-interval-ms N --refresh-ms N --exclude REGEX (repeatable,
// replaces the default list) --no-excludes --batch N --default-slice (no short scheduling slice)

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "common/util/scheduling.h"
#include "speaker/io/dataplane.h"
#include "speaker/io/nl_link_watcher.h"
#include "speaker/io/pcap_packet_io.h"

using namespace ironlb;

namespace {

std::string ifname(const io::Dataplane& dp, int ifindex) {
  const auto* l = dp.link(ifindex);
  return l ? l->name : std::to_string(ifindex);
}

void printCounters(const io::Dataplane& dp) {
  for (const auto& [key, c] : dp.counters().byInterfaceIp)
    std::printf("ip %s %s requests=%llu responses=%llu gratuitous=%llu duplicates=%llu dad=%llu\n",
                ifname(dp, key.first).c_str(), key.second.toString().c_str(),
                static_cast<unsigned long long>(c.requestsReceived),
                static_cast<unsigned long long>(c.responsesSent),
                static_cast<unsigned long long>(c.gratuitousSent),
                static_cast<unsigned long long>(c.duplicateOwnerSeen),
                static_cast<unsigned long long>(c.dadProbesAnswered));
  for (const auto& [index, c] : dp.counters().byInterface) {
    std::printf("iface %s frames=%llu", ifname(dp, index).c_str(),
                static_cast<unsigned long long>(c.framesReceived));
    for (std::size_t r = 0; r < wire::kDropReasonCount; ++r)
      if (c.drops.counts[r] != 0)
        std::printf(" %s=%llu",
                    std::string(wire::dropReasonName(static_cast<wire::DropReason>(r))).c_str(),
                    static_cast<unsigned long long>(c.drops.counts[r]));
    std::printf("\n");
  }
  std::printf("end\n");
}

void printStatus(const io::Dataplane& dp) {
  for (const auto& a : dp.announcements())
    std::printf("announce %s %s\n", a.ip.toString().c_str(), ifname(dp, a.ifindex).c_str());
  for (const auto& r : dp.refusals())
    std::printf("refuse %s %s %s\n", r.ip.toString().c_str(),
                r.interface.empty() ? "*" : r.interface.c_str(),
                std::string(announcer::ineligibilityName(r.reason)).c_str());
  std::printf("end\n");
}

}  // namespace

int main(int argc, char** argv) {
  io::DataplaneConfig config;
  io::PcapOptions pcapOptions;
  bool customExcludes = false;
  bool shortSlice = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--burst-count") {
      config.announcer.burstCount = std::stoi(next());
    } else if (arg == "--burst-interval-ms") {
      config.announcer.burstInterval = std::chrono::milliseconds(std::stoi(next()));
    } else if (arg == "--refresh-ms") {
      config.announcer.refreshInterval = std::chrono::milliseconds(std::stoi(next()));
    } else if (arg == "--exclude") {
      if (!customExcludes) config.excludePatterns.clear();
      customExcludes = true;
      config.excludePatterns.push_back(next());
    } else if (arg == "--no-excludes") {
      config.excludePatterns.clear();
      customExcludes = true;
    } else if (arg == "--default-slice") {
      shortSlice = false;
    } else if (arg == "--batch") {
      pcapOptions.batch = std::stoi(next());
    } else {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      return 2;
    }
  }

  boost::asio::io_context io;
  io::PcapPacketIo packets(io, pcapOptions);
  io::NlLinkWatcher watcher(io);
  auto created = io::Dataplane::create(io, util::SystemClock::instance(), packets, watcher, config);
  if (!created.ok()) {
    std::fprintf(stderr, "error %s\n", created.error().c_str());
    return 1;
  }
  auto& dp = *created.value();
  dp.setErrorHandler([](const std::string& m) {
    std::printf("error %s\n", m.c_str());
    std::fflush(stdout);
  });
  dp.setDuplicateOwnerHandler([&dp](const io::DuplicateOwnerEvent& e) {
    const char* source = e.source == io::DuplicateOwnerEvent::Source::kArp        ? "arp"
                         : e.source == io::DuplicateOwnerEvent::Source::kDadProbe ? "dad"
                                                                                  : "na";
    std::printf("duplicate %s %s ours=%s theirs=%s source=%s\n", ifname(dp, e.ifindex).c_str(),
                e.ip.toString().c_str(), e.ourMac.toString().c_str(), e.otherMac.toString().c_str(),
                source);
    std::fflush(stdout);
  });
  if (auto s = dp.start(); !s.ok()) {
    std::fprintf(stderr, "error %s\n", s.error().c_str());
    return 1;
  }

  // As ironlb-speaker's loop thread does (speaker/daemon/run.cc); --default-slice leaves the
  // kernel's default, for comparisons.
  if (shortSlice) {
    if (auto slice = util::requestShortSlice(util::kShortestSlice); !slice.ok())
      std::fprintf(stderr, "no short scheduling slice: %s\n", slice.error().c_str());
  }

  announcer::Desired desired;
  boost::asio::posix::stream_descriptor input(io, ::dup(STDIN_FILENO));
  boost::asio::streambuf buffer;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });

  std::function<void()> readLine = [&] {
    boost::asio::async_read_until(input, buffer, '\n',
                                  [&](const boost::system::error_code& ec, std::size_t) {
                                    if (ec) {
                                      io.stop();
                                      return;
                                    }
                                    std::istream in(&buffer);
                                    std::string line;
                                    std::getline(in, line);
                                    std::istringstream words(line);
                                    std::string cmd;
                                    words >> cmd;
                                    if (cmd == "own" || cmd == "release") {
                                      std::string text;
                                      words >> text;
                                      auto ip = net::IpAddress::parse(text);
                                      if (!ip.ok()) {
                                        std::printf("error %s\n", ip.error().c_str());
                                      } else if (cmd == "own") {
                                        std::set<std::string> names;
                                        for (std::string n; words >> n;)
                                          names.insert(n);
                                        desired[*ip] = names;
                                        dp.setDesired(desired);
                                        std::printf("ok\n");
                                      } else {
                                        desired.erase(*ip);
                                        dp.setDesired(desired);
                                        std::printf("ok\n");
                                      }
                                    } else if (cmd == "counters") {
                                      printCounters(dp);
                                    } else if (cmd == "status") {
                                      printStatus(dp);
                                    } else if (cmd == "quit") {
                                      io.stop();
                                      return;
                                    } else if (!cmd.empty()) {
                                      std::printf("error unknown command %s\n", cmd.c_str());
                                    }
                                    std::fflush(stdout);
                                    readLine();
                                  });
  };
  readLine();
  std::printf("ready\n");
  std::fflush(stdout);
  io.run();
  return 0;
}
