#pragma once
// Stepping an io_context in tests (this module's and the daemons'): run handlers one at a time
// until a condition holds, with a watchdog deadline so a broken test fails instead of hanging.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace ironlb::k8s::testing {

inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds watchdog = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + watchdog;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Runs every handler that is ready now (no waiting for timers).
inline void drain(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

}  // namespace ironlb::k8s::testing
