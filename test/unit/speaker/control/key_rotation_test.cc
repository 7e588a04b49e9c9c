#include "speaker/control/key_rotation.h"

#include <gtest/gtest.h>

namespace ironlb::control {
namespace {

using std::chrono::seconds;

const Key kOld(16, 'a'), kNew(16, 'b'), kNewer(16, 'c');
const util::MonoTime kT0 = util::MonoTime(seconds(1000));

TEST(KeyRotation, AcceptThenSignThenDrop) {
  KeyRotation r(kOld, seconds(120));
  EXPECT_EQ(r.keys(), std::vector<Key>{kOld});
  EXPECT_FALSE(r.observe(kOld, kT0));
  EXPECT_FALSE(r.nextChange().has_value());

  EXPECT_TRUE(r.observe(kNew, kT0));
  EXPECT_EQ(r.keys(), (std::vector<Key>{kOld, kNew}));
  EXPECT_EQ(r.nextChange(), kT0 + seconds(120));
  EXPECT_FALSE(r.observe(kNew, kT0 + seconds(60)));  // same content again: nothing
  EXPECT_FALSE(r.tick(kT0 + seconds(119)));
  EXPECT_TRUE(r.tick(kT0 + seconds(120)));
  EXPECT_EQ(r.keys(), (std::vector<Key>{kNew, kOld}));
  EXPECT_TRUE(r.tick(kT0 + seconds(240)));
  EXPECT_EQ(r.keys(), std::vector<Key>{kNew});
  EXPECT_FALSE(r.nextChange().has_value());
}

TEST(KeyRotation, LateTickRunsEveryPhase) {
  KeyRotation r(kOld, seconds(120));
  r.observe(kNew, kT0);
  EXPECT_TRUE(r.tick(kT0 + seconds(1000)));
  EXPECT_EQ(r.keys(), std::vector<Key>{kNew});
}

TEST(KeyRotation, ChangeMidRotationRestartsFromTheSigningKey) {
  KeyRotation r(kOld, seconds(120));
  r.observe(kNew, kT0);
  r.tick(kT0 + seconds(130));  // signing kNew, still accepting kOld
  EXPECT_TRUE(r.observe(kNewer, kT0 + seconds(140)));
  EXPECT_EQ(r.keys(), (std::vector<Key>{kNew, kNewer}));
  r.tick(kT0 + seconds(260));
  EXPECT_EQ(r.keys(), (std::vector<Key>{kNewer, kNew}));
}

TEST(KeyRotation, RollbackBeforeSwitchingIsImmediate) {
  KeyRotation r(kOld, seconds(120));
  r.observe(kNew, kT0);
  EXPECT_TRUE(r.observe(kOld, kT0 + seconds(10)));
  EXPECT_EQ(r.keys(), std::vector<Key>{kOld});
  EXPECT_FALSE(r.observe(Key{}, kT0 + seconds(20)));  // an empty read changes nothing
}

}  // namespace
}  // namespace ironlb::control
