#include "controller/allocator/avoided_ips.h"

namespace ironlb::allocator {
namespace {

// Avoided addresses in [0, n]: those ending in .0 (n/256 + 1 of them) plus those ending in .255
// ((n + 1)/256 of them).
uint64_t avoidedUpTo(uint64_t n) {
  return n / 256 + 1 + (n + 1) / 256;
}

}  // namespace

uint64_t countAvoidedV4(uint32_t first, uint32_t last) {
  const uint64_t below = first == 0 ? 0 : avoidedUpTo(uint64_t{first} - 1);
  return avoidedUpTo(last) - below;
}

}  // namespace ironlb::allocator
