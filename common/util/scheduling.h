#pragma once
// Scheduling hint for the thread that answers the network: a short EEVDF slice.
//
// A user-space responder is woken by the packet; the kernel's own ARP/NDP reply runs in softirq
// and is never scheduled. On a CPU that a busy task holds, the fair scheduler (EEVDF, Linux 6.6+)
// protects the running task's slice, so the woken thread waits on the run queue until that slice
// ends, which the scheduler tick checks (4 ms at HZ=250): the reply-latency tail on a busy
// machine (test/bench/dataplane/bench.py prints the run-queue wait per wake-up). Since Linux 6.12
// a SCHED_OTHER thread may ask for a shorter slice (sched_setattr's sched_runtime, 0.1 to 100 ms),
// and a waking thread whose slice is shorter than the running one's cancels that protection and
// runs at once if its deadline is then the earliest (PREEMPT_SHORT). It needs no privilege or
// capability (unlike SCHED_FIFO or a negative nice), keeps the thread's weight and nice (its CPU
// share is unchanged: it runs sooner, in shorter turns), and the default seccomp profiles of
// Docker and containerd allow the call. It shortens the wait, it does not bound it: with many
// runnable tasks another may still be due first. Older kernels accept the call and ignore the
// slice; the result says which.

#include <chrono>

#include "common/util/result.h"

namespace ironlb::util {

// The shortest slice the kernel grants (0.1 ms): what the packet loops ask for.
inline constexpr std::chrono::microseconds kShortestSlice{100};

// Asks for `slice` on the calling thread (threads it creates afterwards inherit it). Returns the
// slice the kernel reports for the thread afterwards: `slice` (clamped by the kernel to 0.1-100
// ms) where custom slices exist, the kernel's default or 0 where they do not. An error when the
// call was refused (seccomp, an unknown system call) or the thread is not SCHED_OTHER (a
// real-time thread is left as it is).
Result<std::chrono::nanoseconds> requestShortSlice(std::chrono::nanoseconds slice);

}  // namespace ironlb::util
