#pragma once
// A network link as the link watcher reports it, for tests: MAC 02:00:00:00:00:<index>.

#include <cstdint>

#include "speaker/announcer/link.h"

namespace ironlb::testsupport {

inline announcer::Link makeLink(int index, const char* name, bool up = true, bool carrier = true) {
  announcer::Link l;
  l.index = index;
  l.name = name;
  l.up = up;
  l.carrier = carrier;
  l.mac = net::MacAddress({2, 0, 0, 0, 0, static_cast<uint8_t>(index)});
  return l;
}

}  // namespace ironlb::testsupport
