#pragma once
// FrrVty: a client of one FRR daemon's control socket (<dir>/<daemon>.vty), the socket vtysh
// itself uses. A command is sent as text ending in NUL; the daemon answers with its output, then
// three NUL bytes and a status byte (0 = success). Blocking, with a deadline per command, and a
// bounded answer (FRR is local but its JSON output grows with the routes announced).
// docs/bgp.md says how the speaker reaches FRR's sockets.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace ironlb::bgp {

struct VtyReply {
  int status = 0;  // 0 success; FRR's CMD_* codes otherwise (2: unknown command, ...)
  std::string output;
};

class FrrVty {
 public:
  static constexpr std::size_t kMaxReply = 64 * 1024 * 1024;

  // Connects and enters the privileged mode configuration commands need.
  static Result<FrrVty> connect(const std::string& socketPath,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

  FrrVty(FrrVty&& other) noexcept;
  FrrVty& operator=(FrrVty&& other) noexcept;
  FrrVty(const FrrVty&) = delete;
  FrrVty& operator=(const FrrVty&) = delete;
  ~FrrVty();

  Result<VtyReply> command(std::string_view text);
  // Sends each command in order; stops at the first one FRR refuses, naming it (a password in
  // it replaced by "<redacted>") and FRR's words.
  // A refusal inside `configure terminal` is followed by `end`, so the next batch starts clean.
  Status run(const std::vector<std::string>& commands);

  const std::string& path() const { return path_; }
  // False once the daemon closed the connection (it stopped or restarted). Does not block.
  bool alive() const;

 private:
  FrrVty(int fd, std::string path, std::chrono::milliseconds timeout)
      : fd_(fd), path_(std::move(path)), timeout_(timeout) {}
  Status sendAll(std::string_view bytes);
  Result<VtyReply> readReply();

  int fd_ = -1;
  std::string path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ironlb::bgp
