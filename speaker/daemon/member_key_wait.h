#pragma once
// Waiting for the membership key file at start (docs/membership.md, "The key"). The chart's
// Secret volume is optional because the controller creates the Secret at run time, perhaps
// after this speaker starts; the kubelet fills the file once the Secret exists. Until then the
// speaker waits, not ready, saying why (log and /readyz), instead of exiting and crash-looping.
// The wait is bounded: a Secret that never comes (a wrong existingSecret name, no controller)
// ends it with an error naming the file, and the kubelet restarts the speaker.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::speaker {

struct MemberKeyWait {
  util::Duration interval = std::chrono::seconds(2);  // between reads of the file
  util::Duration limit = std::chrono::minutes(5);     // then give up
};

// Reads `path` (loadMemberKeyFile) until it holds a usable key, which is returned. Between
// reads it calls sleep(interval); sleep returning false (stop requested) ends the wait with an
// error. `report` gets the reason for waiting at the first failed read and whenever it changes.
// After `limit` without a key: an error naming the file, the time waited and the last reason.
Result<std::vector<uint8_t>> waitForMemberKeyFile(
    const std::string& path, const util::Clock& clock, const MemberKeyWait& options,
    const std::function<bool(util::Duration)>& sleep,
    const std::function<void(const std::string&)>& report);

}  // namespace ironlb::speaker
