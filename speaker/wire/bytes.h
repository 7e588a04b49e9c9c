#pragma once
// Network-order loads/stores and the Internet checksum over byte spans. Callers check lengths;
// these helpers never read or write past what they are given.

#include <cstddef>
#include <cstdint>
#include <span>

namespace ironlb::wire {

inline uint16_t load16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// One's-complement sum (RFC 1071) of `data` added to `sum`, not yet folded or inverted.
uint32_t checksumAdd(uint32_t sum, std::span<const uint8_t> data);
// Folds a partial sum to 16 bits and inverts it: the value to put in a checksum field.
uint16_t checksumFinish(uint32_t sum);

}  // namespace ironlb::wire
