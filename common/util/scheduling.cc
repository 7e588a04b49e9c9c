// sched_setattr / sched_getattr have no glibc wrappers; the structure is the kernel's ABI
// (SCHED_ATTR_SIZE_VER1). <linux/sched/types.h> clashes with glibc's struct sched_param.
#include "common/util/scheduling.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace ironlb::util {
namespace {

struct SchedAttr {
  uint32_t size;
  uint32_t policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime;  // SCHED_OTHER since Linux 6.12: the requested slice, in ns
  uint64_t deadline;
  uint64_t period;
  uint32_t utilMin;
  uint32_t utilMax;
};

bool getAttr(SchedAttr& attr) {
  std::memset(&attr, 0, sizeof(attr));
  return syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0) == 0;
}

std::string failure(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

Result<std::chrono::nanoseconds> requestShortSlice(std::chrono::nanoseconds slice) {
  SchedAttr attr;
  if (!getAttr(attr)) return makeError(failure("sched_getattr"));
  if (attr.policy != SCHED_OTHER)
    return makeError("the thread is not SCHED_OTHER (policy " + std::to_string(attr.policy) +
                     "): left as it is");
  // Everything else as read (nice, utilisation clamps untouched: no SCHED_FLAG_UTIL_CLAMP).
  attr.size = sizeof(attr);
  attr.flags = 0;
  attr.runtime = static_cast<uint64_t>(slice.count());
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) return makeError(failure("sched_setattr"));
  if (!getAttr(attr)) return makeError(failure("sched_getattr"));
  return std::chrono::nanoseconds(attr.runtime);
}

}  // namespace ironlb::util
