#include "common/util/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

namespace ironlb::util {
namespace {

template <class T>
bool parseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::string readFile(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int countOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

double limitValue(rlim_t v) {
  return v == RLIM_INFINITY ? -1.0 : static_cast<double>(v);
}

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view line) {
  const auto close = line.rfind(')');
  if (close == std::string_view::npos || line.find('(') == std::string_view::npos)
    return std::nullopt;
  // After ") " come field 3 (state) onwards; field n is token n-3.
  std::string_view rest = line.substr(close + 1);
  ProcStat st;
  int field = 2;
  bool got[5] = {};
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto len = std::min(rest.find_first_of(" \n"), rest.size());
    const std::string_view token = rest.substr(0, len);
    rest.remove_prefix(len);
    ++field;
    switch (field) {
      case 14:
        got[0] = parseNumber(token, st.utimeTicks);
        break;
      case 15:
        got[1] = parseNumber(token, st.stimeTicks);
        break;
      case 22:
        got[2] = parseNumber(token, st.startTimeTicks);
        break;
      case 23:
        got[3] = parseNumber(token, st.vsizeBytes);
        break;
      case 24:
        got[4] = parseNumber(token, st.rssPages);
        break;
      default:
        break;
    }
    if (field == 24) break;
  }
  for (bool g : got)
    if (!g) return std::nullopt;
  return st;
}

std::optional<uint64_t> parseBootTime(std::string_view procStat) {
  size_t pos = 0;
  while (pos < procStat.size()) {
    const auto eol = std::min(procStat.find('\n', pos), procStat.size());
    const std::string_view line = procStat.substr(pos, eol - pos);
    pos = eol + 1;
    constexpr std::string_view kKey = "btime ";
    if (line.substr(0, kKey.size()) != kKey) continue;
    uint64_t v = 0;
    if (parseNumber(line.substr(kKey.size()), v)) return v;
    return std::nullopt;
  }
  return std::nullopt;
}

ProcessMetrics::ProcessMetrics(MetricsRegistry& r)
    : cpuSeconds_(
          r.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
              .get()),
      residentBytes_(
          r.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").get()),
      virtualBytes_(r.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").get()),
      virtualMaxBytes_(r.gauge("process_virtual_memory_max_bytes",
                               "Maximum amount of virtual memory available in bytes (-1: none).")
                           .get()),
      openFds_(r.gauge("process_open_fds", "Number of open file descriptors.").get()),
      maxFds_(r.gauge("process_max_fds", "Maximum number of open file descriptors.").get()),
      startTime_(r.gauge("process_start_time_seconds",
                         "Start time of the process since unix epoch in seconds.")
                     .get()),
      ticksPerSecond_(::sysconf(_SC_CLK_TCK)),
      pageBytes_(::sysconf(_SC_PAGESIZE)) {
  r.onScrape([this] { refresh(); });
  refresh();
}

void ProcessMetrics::refresh() {
  if (auto st = parseProcStat(readFile("/proc/self/stat")); st && ticksPerSecond_ > 0) {
    const double hz = static_cast<double>(ticksPerSecond_);
    cpuSeconds_.setTotal(static_cast<double>(st->utimeTicks + st->stimeTicks) / hz);
    residentBytes_.set(static_cast<double>(st->rssPages) * static_cast<double>(pageBytes_));
    virtualBytes_.set(static_cast<double>(st->vsizeBytes));
    if (auto boot = parseBootTime(readFile("/proc/stat")))
      startTime_.set(static_cast<double>(*boot) + static_cast<double>(st->startTimeTicks) / hz);
  }
  if (int fds = countOpenFds(); fds >= 0) openFds_.set(fds);
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) maxFds_.set(limitValue(lim.rlim_cur));
  if (::getrlimit(RLIMIT_AS, &lim) == 0) virtualMaxBytes_.set(limitValue(lim.rlim_cur));
}

}  // namespace ironlb::util
