#include "speaker/daemon/member_key_wait.h"

#include <gtest/gtest.h>

#include "test/unit/common/k8s/temp_dir.h"

namespace ironlb::speaker {
namespace {

using k8s::testing::TempDir;
using namespace std::chrono_literals;

// The Secret volume fills in after the third read: the wait returns the key, reported one
// reason (not one per read), and slept the interval on the injected clock, not in real time.
TEST(MemberKeyWaitTest, WaitsUntilTheSecretAppears) {
  TempDir dir;
  const std::string path = dir.path() + "/secretkey";
  util::ManualClock clock;
  std::vector<std::string> reports;
  int sleeps = 0;
  auto key = waitForMemberKeyFile(
      path, clock, {.interval = 2s, .limit = 5min},
      [&](util::Duration d) {
        EXPECT_EQ(d, 2s);
        clock.advance(d);
        if (++sleeps == 3) dir.write("secretkey", "0123456789abcdef-appeared\n");
        return true;
      },
      [&](const std::string& r) { reports.push_back(r); });
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_EQ(std::string(key->begin(), key->end()), "0123456789abcdef-appeared");
  EXPECT_EQ(sleeps, 3);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(
      reports[0].find("waiting for the membership key: cannot read membership key file " + path),
      std::string::npos)
      << reports[0];
}

// A present key: no wait, no report.
TEST(MemberKeyWaitTest, PresentKeyNeedsNoWait) {
  TempDir dir;
  const std::string path = dir.write("secretkey", "0123456789abcdef\n");
  util::ManualClock clock;
  bool slept = false, reported = false;
  auto key = waitForMemberKeyFile(
      path, clock, {},
      [&](util::Duration) {
        slept = true;
        return true;
      },
      [&](const std::string&) { reported = true; });
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_FALSE(slept);
  EXPECT_FALSE(reported);
}

// A Secret that never comes ends the wait after the limit with an error naming the file; a
// changed reason (file there but too short) is reported again.
TEST(MemberKeyWaitTest, GivesUpAfterTheLimitNamingTheFile) {
  TempDir dir;
  const std::string path = dir.path() + "/secretkey";
  util::ManualClock clock;
  std::vector<std::string> reports;
  int sleeps = 0;
  auto key = waitForMemberKeyFile(
      path, clock, {.interval = 10s, .limit = 1min},
      [&](util::Duration d) {
        clock.advance(d);
        if (++sleeps == 2) dir.write("secretkey", "short\n");
        return true;
      },
      [&](const std::string& r) { reports.push_back(r); });
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(sleeps, 6);
  EXPECT_NE(key.error().find("no usable membership key after 60s: membership key file " + path +
                             " holds 5 bytes"),
            std::string::npos)
      << key.error();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_NE(reports[1].find("holds 5 bytes"), std::string::npos) << reports[1];
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
