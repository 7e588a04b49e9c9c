#include "speaker/bgp/frr_vty.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ironlb::bgp {
namespace {

std::string errnoText(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

using Clock = std::chrono::steady_clock;

// A command as it may appear in a log: the value after "password" is replaced.
std::string redacted(const std::string& command) {
  constexpr std::string_view kWord = " password ";
  const std::size_t at = command.find(kWord);
  if (at == std::string::npos) return command;
  return command.substr(0, at + kWord.size()) + "<redacted>";
}

int remainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<FrrVty> FrrVty::connect(const std::string& socketPath, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (socketPath.size() >= sizeof addr.sun_path) {
    return makeError("FRR socket path too long: " + socketPath);
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(errnoText("socket"));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = errnoText(("connect " + socketPath).c_str());
    ::close(fd);
    return makeError(why);
  }
  FrrVty vty(fd, socketPath, timeout);
  auto enabled = vty.command("enable");
  if (!enabled.ok()) return makeError(enabled.error());
  if (enabled->status != 0) {
    return makeError(socketPath + ": \"enable\" refused: " + enabled->output);
  }
  return vty;
}

FrrVty::FrrVty(FrrVty&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), timeout_(other.timeout_) {
  other.fd_ = -1;
}

FrrVty& FrrVty::operator=(FrrVty&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    timeout_ = other.timeout_;
    other.fd_ = -1;
  }
  return *this;
}

FrrVty::~FrrVty() {
  if (fd_ >= 0) ::close(fd_);
}

Status FrrVty::sendAll(std::string_view bytes) {
  const auto deadline = Clock::now() + timeout_;
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return makeError(errnoText(("send to " + path_).c_str()));
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, remainingMs(deadline)) == 0) {
      return makeError(path_ + ": timed out sending a command");
    }
  }
  return {};
}

Result<VtyReply> FrrVty::readReply() {
  const auto deadline = Clock::now() + timeout_;
  std::string buffer;
  char chunk[65536];
  while (true) {
    // The answer ends with three NUL bytes and the status byte.
    if (buffer.size() >= 4 && buffer.compare(buffer.size() - 4, 3, std::string(3, '\0')) == 0) {
      VtyReply reply;
      reply.status = static_cast<unsigned char>(buffer.back());
      buffer.resize(buffer.size() - 4);
      reply.output = std::move(buffer);
      return reply;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remainingMs(deadline));
    if (ready == 0) return makeError(path_ + ": timed out waiting for FRR's answer");
    if (ready < 0) {
      if (errno == EINTR) continue;
      return makeError(errnoText("poll"));
    }
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n == 0) return makeError(path_ + ": FRR closed the connection");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return makeError(errnoText(("recv from " + path_).c_str()));
    }
    if (buffer.size() + static_cast<std::size_t>(n) > kMaxReply) {
      return makeError(path_ + ": answer larger than " + std::to_string(kMaxReply) + " bytes");
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

bool FrrVty::alive() const {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return true;  // nothing to read: still connected
  if ((p.revents & (POLLHUP | POLLERR)) != 0) return false;
  char byte = 0;
  // Readable between commands means the peer closed (FRR sends nothing unasked).
  return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

Result<VtyReply> FrrVty::command(std::string_view text) {
  if (fd_ < 0) return makeError("FRR connection closed");
  std::string message(text);
  message.push_back('\0');
  if (auto sent = sendAll(message); !sent.ok()) return makeError(sent.error());
  return readReply();
}

Status FrrVty::run(const std::vector<std::string>& commands) {
  bool configuring = false;
  for (const std::string& c : commands) {
    auto reply = command(c);
    if (!reply.ok()) return makeError(reply.error());
    if (c == "configure terminal") configuring = true;
    if (c == "end") configuring = false;
    if (reply->status == 0) continue;
    if (configuring) (void)command("end");
    std::string output = reply->output;
    while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
      output.pop_back();
    return makeError(path_ + ": FRR refused \"" + redacted(c) + "\" (status " +
                     std::to_string(reply->status) + "): " + output);
  }
  return {};
}

}  // namespace ironlb::bgp
