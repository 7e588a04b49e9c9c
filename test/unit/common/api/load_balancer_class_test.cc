#include "common/api/load_balancer_class.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

TEST(LoadBalancerClass, WhichServicesAnInstallationHandles) {
  const struct {
    const char* name;
    std::string_view handled;
    std::optional<std::string> serviceClass;
    bool handles;
  } cases[] = {
      {"no class configured, Service without class", "", std::nullopt, true},
      {"no class configured, Service of a class", "", "example.com/other", false},
      {"class configured, Service of that class", "example.com/ours", "example.com/ours", true},
      {"class configured, Service of another class", "example.com/ours", "example.com/other",
       false},
      {"class configured, Service without class", "example.com/ours", std::nullopt, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(handlesClass(c.handled, c.serviceClass), c.handles);
    EXPECT_EQ(handlesClass(c.handled, c.serviceClass ? &*c.serviceClass : nullptr), c.handles);
  }
}

}  // namespace
}  // namespace ironlb::api
