#include "speaker/control/status_plan.h"

#include <gtest/gtest.h>

namespace ironlb::control {
namespace {

using K = StatusOp::Kind;

OwnedStatus owned(const char* name, ServiceRef svc, std::vector<std::string> ifs,
                  bool hasStatus = true, const char* node = "n1") {
  return {name, std::string("uid-") + name, std::move(svc), hasStatus, std::move(ifs), node};
}

TEST(StatusPlan, Table) {
  const ServiceRef a{"ns", "a"}, b{"ns", "b"};
  const struct {
    const char* name;
    AnnouncedServices desired;
    std::vector<OwnedStatus> owned;
    std::optional<StatusOp> want;
  } cases[] = {
      {"nothing to do", {}, {}, std::nullopt},
      {"in sync", {{a, {"eth0"}}}, {owned("l2-1", a, {"eth0"})}, std::nullopt},
      {"create", {{a, {"eth0"}}}, {}, StatusOp{K::kCreate, a, "", "", {"eth0"}}},
      {"delete what is no longer announced first",
       {{b, {"eth0"}}},
       {owned("l2-1", a, {"eth0"})},
       StatusOp{K::kDelete, a, "l2-1", "uid-l2-1", {}}},
      {"interfaces changed",
       {{a, {"eth0", "eth1"}}},
       {owned("l2-1", a, {"eth0"})},
       StatusOp{K::kUpdateStatus, a, "l2-1", "uid-l2-1", {"eth0", "eth1"}}},
      {"created but status not written yet",
       {{a, {"eth0"}}},
       {owned("l2-1", a, {}, false)},
       StatusOp{K::kUpdateStatus, a, "l2-1", "uid-l2-1", {"eth0"}}},
      {"status names another node",
       {{a, {"eth0"}}},
       {owned("l2-1", a, {"eth0"}, true, "n9")},
       StatusOp{K::kUpdateStatus, a, "l2-1", "uid-l2-1", {"eth0"}}},
      {"two objects for one Service: the later name goes",
       {{a, {"eth0"}}},
       {owned("l2-2", a, {"eth0"}), owned("l2-1", a, {"eth0"})},
       StatusOp{K::kDelete, a, "l2-2", "uid-l2-2", {}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(nextStatusOp("n1", c.desired, c.owned), c.want);
  }
}

TEST(StatusPlan, ConvergesWhenEachOpIsApplied) {
  const ServiceRef a{"ns", "a"}, b{"ns", "b"}, c{"ns", "c"};
  AnnouncedServices desired = {{a, {"eth0"}}, {b, {"eth1"}}};
  std::vector<OwnedStatus> state = {owned("l2-x", c, {"eth0"}), owned("l2-y", a, {"eth9"})};
  int created = 0;
  for (int step = 0; step < 10; ++step) {
    auto op = nextStatusOp("n1", desired, state);
    if (!op) break;
    switch (op->kind) {
      case K::kDelete:
        std::erase_if(state, [&](const OwnedStatus& o) { return o.name == op->name; });
        break;
      case K::kCreate:
        state.push_back(
            owned(("l2-new" + std::to_string(created++)).c_str(), op->service, {}, false, ""));
        break;
      case K::kUpdateStatus:
        for (auto& o : state)
          if (o.name == op->name) o = owned(o.name.c_str(), o.service, op->items);
        break;
    }
  }
  EXPECT_FALSE(nextStatusOp("n1", desired, state).has_value());
  ASSERT_EQ(state.size(), 2u);
}

}  // namespace
}  // namespace ironlb::control
