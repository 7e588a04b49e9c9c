#include "speaker/membership/replay_window.h"

#include <gtest/gtest.h>

#include <vector>

namespace ironlb::membership {
namespace {

using V = ReplayWindow::Verdict;

struct Step {
  uint64_t incarnation;
  uint64_t sequence;
  V want;
};

TEST(ReplayWindowTest, AcceptsEachMessageOnce) {
  struct Case {
    const char* name;
    std::vector<Step> steps;
  };
  const Case cases[] = {
      {"in order", {{5, 1, V::kFresh}, {5, 2, V::kFresh}, {5, 3, V::kFresh}}},
      {"duplicate", {{5, 1, V::kFresh}, {5, 1, V::kReplay}}},
      {"reordered within window",
       {{5, 10, V::kFresh}, {5, 8, V::kFresh}, {5, 9, V::kFresh}, {5, 8, V::kReplay}}},
      {"gap then late arrival", {{5, 1, V::kFresh}, {5, 60, V::kFresh}, {5, 2, V::kFresh}}},
      {"edge of window",
       {{5, 100, V::kFresh}, {5, 37, V::kFresh}, {5, 36, V::kReplay}, {5, 37, V::kReplay}}},
      {"far jump clears history", {{5, 1, V::kFresh}, {5, 1000, V::kFresh}, {5, 1, V::kReplay}}},
      {"new incarnation resets",
       {{5, 500, V::kFresh}, {6, 1, V::kFresh}, {6, 2, V::kFresh}, {6, 1, V::kReplay}}},
      {"old incarnation is stale",
       {{6, 1, V::kFresh}, {5, 999, V::kStaleIncarnation}, {6, 2, V::kFresh}}},
      {"first message may have any sequence", {{9, 123456, V::kFresh}, {9, 123400, V::kFresh}}},
  };
  for (const auto& c : cases) {
    ReplayWindow w;
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const Step& s = c.steps[i];
      EXPECT_EQ(w.accept(s.incarnation, s.sequence), s.want) << c.name << " step " << i;
    }
  }
}

TEST(ReplayWindowTest, CheckDoesNotRecord) {
  ReplayWindow w;
  EXPECT_EQ(w.check(1, 1), V::kFresh);
  EXPECT_EQ(w.check(1, 1), V::kFresh);
  EXPECT_EQ(w.accept(1, 1), V::kFresh);
  EXPECT_EQ(w.check(1, 1), V::kReplay);
}

}  // namespace
}  // namespace ironlb::membership
