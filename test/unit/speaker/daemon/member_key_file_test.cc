#include "speaker/daemon/member_key_file.h"

#include <gtest/gtest.h>

#include "test/unit/common/k8s/temp_dir.h"

namespace ironlb::speaker {
namespace {

using k8s::testing::TempDir;

TEST(MemberKeyFileTest, ReadsTheKeyWithoutTrailingNewline) {
  TempDir dir;
  const std::string path = dir.write("key", "0123456789abcdef-key\r\n");
  auto key = loadMemberKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_EQ(std::string(key->begin(), key->end()), "0123456789abcdef-key");
}

// Each problem is an error naming the file and what is wrong with it.
TEST(MemberKeyFileTest, LoadErrorsNameTheFileAndTheProblem) {
  TempDir dir;
  const std::string missing = dir.file("absent");
  auto r = loadMemberKeyFile(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "cannot read membership key file " + missing + ": No such file or directory");

  const std::string empty = dir.write("empty", "\n");
  r = loadMemberKeyFile(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "membership key file " + empty + " is empty");

  const std::string shortKey = dir.write("short", "too-short\n");
  r = loadMemberKeyFile(shortKey);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "membership key file " + shortKey +
                           " holds 9 bytes; the key must be at least 16 bytes");

  r = loadMemberKeyFile(dir.path());  // a directory opens but does not read (no exception)
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "cannot read membership key file " + dir.path() + ": Is a directory");
}

TEST(MemberKeyFileTest, DirectKeyMustHaveSixteenBytes) {
  EXPECT_TRUE(checkMemberKey(std::vector<uint8_t>(16, 'k')).ok());
  const Status s = checkMemberKey(std::vector<uint8_t>(15, 'k'));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "the membership key must be at least 16 bytes (got 15)");
}

}  // namespace
}  // namespace ironlb::speaker
