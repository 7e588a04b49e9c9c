#include "speaker/daemon/member_key_wait.h"

#include "speaker/daemon/member_key_file.h"

namespace ironlb::speaker {
namespace {

std::string seconds(util::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

Result<std::vector<uint8_t>> waitForMemberKeyFile(
    const std::string& path, const util::Clock& clock, const MemberKeyWait& options,
    const std::function<bool(util::Duration)>& sleep,
    const std::function<void(const std::string&)>& report) {
  const util::MonoTime start = clock.now();
  std::string reported;
  while (true) {
    auto key = loadMemberKeyFile(path);
    if (key.ok()) return key;
    const util::Duration waited = clock.now() - start;
    if (waited >= options.limit) {
      return makeError("no usable membership key after " + seconds(waited) + ": " + key.error() +
                       " (does the Secret exist, with key \"secretkey\"? docs/membership.md)");
    }
    const std::string reason = "waiting for the membership key: " + key.error() +
                               " (the controller creates the Secret; giving up after " +
                               seconds(options.limit) + ")";
    if (reason != reported) {
      report(reason);
      reported = reason;
    }
    if (!sleep(options.interval)) return makeError("stopped while " + reason);
  }
}

}  // namespace ironlb::speaker
