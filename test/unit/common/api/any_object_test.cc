#include "test/support/any_object.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

TEST(AnyObjectTest, DispatchesOnKind) {
  const struct {
    const char* kind;
    std::size_t index;
  } cases[] = {
      {"IPAddressPool", 0}, {"L2Advertisement", 1}, {"ServiceL2Status", 2},
      {"Service", 3},       {"EndpointSlice", 4},   {"Node", 5},
      {"Namespace", 6},     {"BGPPeer", 7},         {"BGPAdvertisement", 8},
      {"BFDProfile", 9},    {"Community", 10},      {"ServiceBGPStatus", 11},
  };
  for (const auto& c : cases) {
    auto r = decodeAnyObject({{"kind", c.kind}, {"metadata", {{"name", "x"}}}});
    ASSERT_TRUE(r.ok()) << c.kind << ": " << r.error();
    EXPECT_EQ(r->index(), c.index) << c.kind;
  }
}

TEST(AnyObjectTest, RejectsWhatItCannotDecode) {
  const struct {
    json input;
    const char* error;
  } cases[] = {
      {json::array(), "object: expected an object, got []"},
      {json::object(), "object: kind: expected a string, got nothing"},
      {{{"kind", 3}}, "object: kind: expected a string, got 3"},
      {{{"kind", "FRRConfiguration"}}, "object: kind: unsupported kind \"FRRConfiguration\""},
      {{{"kind", "Service"}, {"metadata", {{"name", "a"}, {"namespace", "b"}}}, {"spec", 1}},
       "Service b/a: spec: expected an object, got 1"},
  };
  for (const auto& c : cases) {
    auto r = decodeAnyObject(c.input);
    ASSERT_FALSE(r.ok()) << c.input.dump();
    EXPECT_EQ(r.error(), c.error);
  }
}

}  // namespace
}  // namespace ironlb::api
