#include "common/lbconfig/names.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

struct Case {
  std::string text;
  bool valid;
};

void expectAll(std::optional<std::string> (*check)(std::string_view),
               const std::vector<Case>& cases, const char* what) {
  for (const auto& c : cases) {
    const auto why = check(c.text);
    EXPECT_EQ(!why.has_value(), c.valid) << what << " \"" << c.text << "\": " << why.value_or("");
  }
}

TEST(NamesTest, Dns1123Label) {
  expectAll(checkDns1123Label,
            {{"team-a", true},
             {"a", true},
             {"0", true},
             {std::string(63, 'a'), true},
             {std::string(64, 'a'), false},
             {"", false},
             {"Team-a", false},
             {"-a", false},
             {"a-", false},
             {"a.b", false},
             {"a_b", false},
             {"caf\xc3\xa9", false}},
            "label");
}

TEST(NamesTest, Dns1123Subdomain) {
  std::string longOk;
  while (longOk.size() < 253)
    longOk += longOk.empty() ? "a" : ".a";
  expectAll(checkDns1123Subdomain,
            {{"first-pool", true},
             {"pool.v2", true},
             {"a.b.c", true},
             {longOk, longOk.size() <= 253},
             {longOk + "a", false},
             {"", false},
             {".a", false},
             {"a.", false},
             {"a..b", false},
             {"a.-b", false},
             {"Pool", false},
             {"pool_1", false},
             {"p\xe2\x98\x83", false}},
            "subdomain");
}

TEST(NamesTest, QualifiedNameForLabelKeys) {
  expectAll(checkQualifiedName,
            {{"app", true},
             {"kubernetes.io/hostname", true},
             {"node.kubernetes.io/exclude-from-external-load-balancers", true},
             {"App_Name.v1", true},
             {"a", true},
             {std::string(63, 'k'), true},
             {std::string(64, 'k'), false},
             {"example.com/" + std::string(63, 'k'), true},
             {std::string(254, 'p') + "/k", false},
             {"", false},
             {"/a", false},
             {"a/", false},
             {"a/b/c", false},
             {"Example.com/a", false},
             {"-a", false},
             {"a-", false},
             {"a b", false},
             {"_a", false},
             {"\xc3\xa9t\xc3\xa9", false}},
            "key");
}

TEST(NamesTest, LabelValues) {
  expectAll(checkLabelValue,
            {{"", true},
             {"web", true},
             {"Web_1.0-rc", true},
             {std::string(63, 'v'), true},
             {std::string(64, 'v'), false},
             {"-web", false},
             {"web.", false},
             {"a/b", false},
             {"a b", false},
             {"\xe2\x98\x83", false}},
            "value");
}

TEST(NamesTest, LinuxInterfaceNames) {
  expectAll(checkInterfaceName,
            {{"eth0", true},
             {"bond0.100", true},
             {"enp3s0f1", true},
             {"br-lan", true},
             {std::string(15, 'i'), true},
             {std::string(16, 'i'), false},
             {"", false},
             {".", false},
             {"..", false},
             {"eth0/1", false},
             {"eth0:1", false},
             {"eth 0", false},
             {"eth\t0", false},
             {"eth\n0", false},
             {std::string("eth\x01", 4), false},
             {"all", true}},  // a literal interface name "all", not a wildcard
            "interface");
}

}  // namespace
}  // namespace ironlb::lbconfig
