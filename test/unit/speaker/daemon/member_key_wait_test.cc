#include "speaker/daemon/member_key_wait.h"

#include <gtest/gtest.h>

#include "test/unit/common/k8s/temp_dir.h"

namespace ironlb::speaker {
namespace {

using k8s::testing::TempDir;
using namespace std::chrono_literals;

// A wait on the injected clock: each sleep advances it, then runs onSleep(n) (n from 1).
struct Wait {
  TempDir dir;
  util::ManualClock clock;
  std::vector<std::string> reports;
  int sleeps = 0;

  std::string path() const { return dir.path() + "/secretkey"; }
  Result<std::vector<uint8_t>> run(const MemberKeyWait& options,
                                   const std::function<void(int)>& onSleep) {
    return waitForMemberKeyFile(
        path(), clock, options,
        [&](util::Duration d) {
          clock.advance(d);
          onSleep(++sleeps);
          return true;
        },
        [&](const std::string& r) { reports.push_back(r); });
  }
};

// The Secret volume fills in after the third read: the wait returns the key, reported one
// reason (not one per read), and slept the interval on the injected clock, not in real time.
TEST(MemberKeyWaitTest, WaitsUntilTheSecretAppears) {
  Wait w;
  const util::MonoTime start = w.clock.now();
  auto key = w.run({.interval = 2s, .limit = 5min}, [&](int n) {
    if (n == 3) w.dir.write("secretkey", "0123456789abcdef-appeared\n");
  });
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_EQ(std::string(key->begin(), key->end()), "0123456789abcdef-appeared");
  EXPECT_EQ(w.sleeps, 3);
  EXPECT_EQ(w.clock.now() - start, 6s) << "slept the interval each time";
  ASSERT_EQ(w.reports.size(), 1u);
  EXPECT_NE(w.reports[0].find("waiting for the membership key: cannot read membership key file " +
                              w.path()),
            std::string::npos)
      << w.reports[0];
}

// A present key: no wait, no report.
TEST(MemberKeyWaitTest, PresentKeyNeedsNoWait) {
  Wait w;
  w.dir.write("secretkey", "0123456789abcdef\n");
  auto key = w.run({}, [](int) {});
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_EQ(w.sleeps, 0);
  EXPECT_TRUE(w.reports.empty());
}

// A Secret that never comes ends the wait after the limit with an error naming the file; a
// changed reason (file there but too short) is reported again.
TEST(MemberKeyWaitTest, GivesUpAfterTheLimitNamingTheFile) {
  Wait w;
  auto key = w.run({.interval = 10s, .limit = 1min}, [&](int n) {
    if (n == 2) w.dir.write("secretkey", "short\n");
  });
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(w.sleeps, 6);
  EXPECT_NE(key.error().find("no usable membership key after 60s: membership key file " + w.path() +
                             " holds 5 bytes"),
            std::string::npos)
      << key.error();
  ASSERT_EQ(w.reports.size(), 2u);
  EXPECT_NE(w.reports[1].find("holds 5 bytes"), std::string::npos) << w.reports[1];
}

TEST(MemberKeyWaitTest, StopEndsTheWait) {
  TempDir dir;
  util::ManualClock clock;
  auto key = waitForMemberKeyFile(
      dir.path() + "/secretkey", clock, {}, [](util::Duration) { return false; },
      [](const std::string&) {});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().rfind("stopped while waiting for the membership key", 0), 0u)
      << key.error();
}

}  // namespace
}  // namespace ironlb::speaker
