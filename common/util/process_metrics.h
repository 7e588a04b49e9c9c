#pragma once
// The process_* metrics every Prometheus client library exports and MetalLB users' dashboards
// query (docs/metrics.md): CPU seconds, resident and virtual memory, open and maximum file
// descriptors, start time. They are read from /proc on each scrape, on the scraping thread.
//
//   util::ProcessMetrics process(registry);   // registers the families and the scrape hook
//
// The parsing is pure and tested on its own (parseProcStat, parseBootTime).

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/util/metrics.h"

namespace ironlb::util {

// The fields of /proc/<pid>/stat that the metrics need, in the kernel's units.
struct ProcStat {
  uint64_t utimeTicks = 0;      // field 14
  uint64_t stimeTicks = 0;      // field 15
  uint64_t startTimeTicks = 0;  // field 22, clock ticks after boot
  uint64_t vsizeBytes = 0;      // field 23
  int64_t rssPages = 0;         // field 24
};

// Parses one /proc/<pid>/stat line. The command name (field 2) may hold spaces and ')', so
// fields are counted from the last ')'. nullopt when the line is not that format.
std::optional<ProcStat> parseProcStat(std::string_view line);
// The "btime" line of /proc/stat: boot time in seconds since the epoch.
std::optional<uint64_t> parseBootTime(std::string_view procStat);

class ProcessMetrics {
 public:
  explicit ProcessMetrics(MetricsRegistry& registry);
  // Reads /proc and sets every value; the scrape hook calls it. Values that cannot be read
  // keep their last reading.
  void refresh();

 private:
  Counter& cpuSeconds_;
  Gauge& residentBytes_;
  Gauge& virtualBytes_;
  Gauge& virtualMaxBytes_;
  Gauge& openFds_;
  Gauge& maxFds_;
  Gauge& startTime_;
  long ticksPerSecond_;
  long pageBytes_;
};

}  // namespace ironlb::util
