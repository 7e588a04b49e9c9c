#include "controller/allocator/sharing.h"

#include <algorithm>
#include <optional>

namespace ironlb::allocator {
namespace {

// The first (protocol, port) in both sorted lists.
std::optional<ServicePort> commonPort(const std::vector<ServicePort>& a,
                                      const std::vector<ServicePort>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      return *i;
    }
  }
  return std::nullopt;
}

bool keysMatch(const ServiceState& user, const SharingIdentity& who) {
  return !who.sharingKey.empty() && user.sharingKey == who.sharingKey &&
         user.backendKey == who.backendKey;
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  out += text;
  out.push_back('"');
  return out;
}

}  // namespace

std::vector<ServicePort> normalizedPorts(std::vector<ServicePort> ports) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  return ports;
}

bool canShare(const IpUse& use, const SharingIdentity& who) {
  for (const ServiceState* user : use.users) {
    if (user->key == who.service) continue;
    if (!keysMatch(*user, who) || commonPort(user->ports, *who.ports)) return false;
  }
  return true;
}

std::string sharingConflict(const net::IpAddress& ip, const IpUse& use,
                            const SharingIdentity& who) {
  const std::string prefix = ip.toString() + " is already in use by ";
  for (const ServiceState* user : use.users) {
    if (user->key == who.service) continue;
    const std::string by = prefix + std::string(user->key);
    if (user->sharingKey.empty()) return by + " (no sharing key)";
    if (who.sharingKey.empty()) {
      return by + " (sharing key " + quoted(user->sharingKey) + ") and " +
             std::string(who.service) + " has no sharing key";
    }
    if (user->sharingKey != who.sharingKey) {
      return by + " with sharing key " + quoted(user->sharingKey) + ", not " +
             quoted(who.sharingKey);
    }
    if (user->backendKey != who.backendKey) {
      return by + " with backend key " + quoted(user->backendKey) + ", not " +
             quoted(who.backendKey) +
             " (externalTrafficPolicy Local Services must select the same pods to share)";
    }
    if (const auto port = commonPort(user->ports, *who.ports)) {
      return by + " on " + std::string(protocolName(port->protocol)) + "/" +
             std::to_string(port->port);
    }
  }
  return ip.toString() + " cannot be shared";  // unreachable when the precondition holds
}

}  // namespace ironlb::allocator
