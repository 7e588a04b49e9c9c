#include "speaker/daemon/member_key_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ironlb::speaker {

Result<std::vector<uint8_t>> loadMemberKeyFile(const std::string& path) {
  // POSIX reads: an ifstream throws when the path is a directory.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return makeError("cannot read membership key file " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
  }
  const int readErrno = errno;
  ::close(fd);
  if (n < 0) {
    return makeError("cannot read membership key file " + path + ": " + std::strerror(readErrno));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.empty()) return makeError("membership key file " + path + " is empty");
  if (text.size() < kMinMemberKeyBytes) {
    return makeError("membership key file " + path + " holds " + std::to_string(text.size()) +
                     " bytes; the key must be at least " + std::to_string(kMinMemberKeyBytes) +
                     " bytes");
  }
  return std::vector<uint8_t>(text.begin(), text.end());
}

Status checkMemberKey(const std::vector<uint8_t>& key) {
  if (key.size() >= kMinMemberKeyBytes) return {};
  return makeError("the membership key must be at least " + std::to_string(kMinMemberKeyBytes) +
                   " bytes (got " + std::to_string(key.size()) + ")");
}

}  // namespace ironlb::speaker
