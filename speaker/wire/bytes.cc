// Internet checksum: 16-bit words summed in 32 bits; an odd trailing byte is padded with zero.
#include "speaker/wire/bytes.h"

namespace ironlb::wire {

uint32_t checksumAdd(uint32_t sum, std::span<const uint8_t> data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2)
    sum += load16(&data[i]);
  if (i < data.size()) sum += static_cast<uint32_t>(data[i]) << 8;
  // Fold early so long inputs cannot overflow 32 bits.
  while (sum >> 16)
    sum = (sum & 0xffffu) + (sum >> 16);
  return sum;
}

uint16_t checksumFinish(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace ironlb::wire
