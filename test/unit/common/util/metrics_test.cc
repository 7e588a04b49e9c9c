#include "common/util/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <stdexcept>
#include <thread>

namespace ironlb::util {
namespace {

TEST(MetricsTest, RendersMetalLbAllocatorGaugeExactly) {
  MetricsRegistry reg;
  auto& inUse = reg.gauge("metallb_allocator_addresses_in_use_total",
                          "Number of IP addresses in use, per pool", {"pool"});
  inUse.withLabels({"x"}).set(3);
  EXPECT_EQ(reg.render(),
            "# HELP metallb_allocator_addresses_in_use_total Number of IP addresses in use, per "
            "pool\n"
            "# TYPE metallb_allocator_addresses_in_use_total gauge\n"
            "metallb_allocator_addresses_in_use_total{pool=\"x\"} 3\n");
}

TEST(MetricsTest, FamiliesSortByNameAndChildrenByLabelValues) {
  MetricsRegistry reg;
  auto& b = reg.counter("b_total", "B.", {"ip"});
  auto& a = reg.gauge("a", "A.", {"service", "ip"});
  b.withLabels({"192.0.2.2"}).inc();
  b.withLabels({"192.0.2.1"}).inc(2);
  a.withLabels({"s2", "192.0.2.1"}).set(1);
  a.withLabels({"s1", "192.0.2.9"}).set(0);
  EXPECT_EQ(reg.render(),
            "# HELP a A.\n"
            "# TYPE a gauge\n"
            "a{service=\"s1\",ip=\"192.0.2.9\"} 0\n"
            "a{service=\"s2\",ip=\"192.0.2.1\"} 1\n"
            "# HELP b_total B.\n"
            "# TYPE b_total counter\n"
            "b_total{ip=\"192.0.2.1\"} 2\n"
            "b_total{ip=\"192.0.2.2\"} 1\n");
}

TEST(MetricsTest, FamilyWithoutLabelsShowsZeroBeforeFirstUse) {
  MetricsRegistry reg;
  reg.counter("metallb_k8s_client_updates_total", "Updates.");
  EXPECT_EQ(reg.render(),
            "# HELP metallb_k8s_client_updates_total Updates.\n"
            "# TYPE metallb_k8s_client_updates_total counter\n"
            "metallb_k8s_client_updates_total 0\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry reg;
  auto& g = reg.gauge("g", "line1\nback\\slash \"quoted\"", {"l"});
  g.withLabels({"a\"b\\c\nd"}).set(1);
  EXPECT_EQ(reg.render(),
            "# HELP g line1\\nback\\\\slash \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, SampleValueFormatting) {
  struct Case {
    double v;
    const char* text;
  };
  const Case cases[] = {{0, "0"},
                        {42, "42"},
                        {-3, "-3"},
                        {1e15, "1000000000000000"},
                        {0.5, "0.5"},
                        {9223372036854775807.0, "9.2233720368547758e+18"},
                        {std::numeric_limits<double>::infinity(), "+Inf"},
                        {-std::numeric_limits<double>::infinity(), "-Inf"},
                        {std::numeric_limits<double>::quiet_NaN(), "NaN"}};
  for (const auto& c : cases)
    EXPECT_EQ(formatSampleValue(c.v), c.text) << c.v;
}

TEST(MetricsTest, CountersIgnoreNegativeIncrements) {
  Counter c;
  c.inc(2);
  c.inc(-5);
  EXPECT_EQ(c.value(), 2);
}

TEST(MetricsTest, GaugesGoBothWays) {
  Gauge g;
  g.inc(5);
  g.dec(2);
  EXPECT_EQ(g.value(), 3);
  g.set(-1);
  EXPECT_EQ(g.value(), -1);
}

TEST(MetricsTest, RemoveDropsOneSeries) {
  MetricsRegistry reg;
  auto& g =
      reg.gauge("metallb_speaker_announced", "Announced.", {"service", "protocol", "node", "ip"});
  g.withLabels({"ns/a", "layer2", "n1", "192.0.2.1"}).set(1);
  g.withLabels({"ns/b", "layer2", "n1", "192.0.2.2"}).set(1);
  EXPECT_TRUE(g.remove({"ns/a", "layer2", "n1", "192.0.2.1"}));
  EXPECT_FALSE(g.remove({"ns/a", "layer2", "n1", "192.0.2.1"}));
  const std::string out = reg.render();
  EXPECT_EQ(out.find("192.0.2.1"), std::string::npos);
  EXPECT_NE(out.find("metallb_speaker_announced{service=\"ns/b\",protocol=\"layer2\",node=\"n1\","
                     "ip=\"192.0.2.2\"} 1\n"),
            std::string::npos);
}

TEST(MetricsTest, ReRegisteringReturnsTheSameFamily) {
  MetricsRegistry reg;
  auto& a = reg.counter("c_total", "C.", {"x"});
  auto& b = reg.counter("c_total", "C.", {"x"});
  EXPECT_EQ(&a, &b);
}

TEST(MetricsTest, ProgrammingErrorsThrow) {
  MetricsRegistry reg;
  reg.counter("c_total", "C.", {"x"});
  EXPECT_THROW(reg.gauge("c_total", "C.", {"x"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("c_total", "C.", {"y"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("1bad", "B."), std::invalid_argument);
  EXPECT_THROW(reg.counter("bad-name", "B."), std::invalid_argument);
  EXPECT_THROW(reg.counter("ok", "B.", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("ok2", "B.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("ok3", "B.", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("c_total", "C.", {"x"}).withLabels({"1", "2"}), std::invalid_argument);
}

TEST(MetricsTest, NameValidation) {
  EXPECT_TRUE(isValidMetricName("metallb_allocator_addresses_total"));
  EXPECT_TRUE(isValidMetricName("a:b_c"));
  EXPECT_FALSE(isValidMetricName(""));
  EXPECT_FALSE(isValidMetricName("9a"));
  EXPECT_TRUE(isValidLabelName("pool"));
  EXPECT_FALSE(isValidLabelName("a:b"));
}

// A scrape concurrent with updates and new series must neither crash nor lose increments
// (run under TSan/ASan to catch races; here it checks the final sum).
TEST(MetricsTest, ConcurrentScrapeAndUpdates) {
  MetricsRegistry reg;
  auto& fam = reg.counter("ops_total", "Ops.", {"k"});
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) {
      const std::string s = reg.render();
      ASSERT_NE(s.find("# TYPE ops_total counter"), std::string::npos);
    }
  });
  constexpr int kIters = 20000;
  for (int i = 0; i < kIters; ++i)
    fam.withLabels({std::to_string(i % 50)}).inc();
  done = true;
  scraper.join();
  double sum = 0;
  for (int k = 0; k < 50; ++k)
    sum += fam.withLabels({std::to_string(k)}).value();
  EXPECT_EQ(sum, kIters);
}

}  // namespace
}  // namespace ironlb::util
