#include "results/summary.h"

#include <catch2/catch.hpp>


namespace {
wei::RunRecord error_run(const std::string& method, int seed, double error, const std::string& status = "ok") {
  nlohmann::ordered_json m;
  m["status"] = status;
  m["spec"] = {{"method", method}, {"seed", seed}, {"optim", {{"lr", 0.01}}}};
  m["final"] = {{"test_error", error}, {"support", nlohmann::ordered_json::array({1})}};
  return wei::RunRecord{"r", m};
}
}  // namespace

TEST_CASE("describe gives mean, sample std and the t-based 95% interval", "[results]") {
  const auto s = wei::describe({1.0, 2.0, 3.0, 4.0});
  CHECK(s.n == 4);
  CHECK(s.mean == Approx(2.5));
  CHECK(s.std == Approx(1.2909944487));                    // sqrt(5/3)
  CHECK(s.ci_half == Approx(3.182 * 1.2909944487 / 2.0));  // t_{0.975,3} * std / sqrt(4)
  CHECK(wei::describe({7.0}).std == 0);
  CHECK(wei::t_quantile_975(1) == Approx(12.706));
  CHECK(wei::t_quantile_975(100) == Approx(1.984).epsilon(1e-3));
}

TEST_CASE("summaries group by the keys that vary and skip runs that did not finish", "[results]") {
  const std::vector<wei::RunRecord> runs = {error_run("gd", 0, 70), error_run("gd", 1, 74),
                                            error_run("label_noise", 0, 0.001), error_run("label_noise", 1, 0.003),
                                            error_run("sgd", 0, 1, "diverged")};
  const auto summary = wei::summarize(runs, {}, {});
  CHECK(summary.keys == std::vector<std::string>{"spec.method"});
  CHECK(summary.metrics == std::vector<std::string>{"final.test_error"});
  CHECK(summary.skipped == 1);
  REQUIRE(summary.groups.size() == 2);
  CHECK(summary.groups[0].key_values == std::vector<std::string>{"gd"});
  CHECK(summary.groups[0].stats[0].mean == Approx(72));
  CHECK(summary.groups[0].stats[0].std == Approx(2.8284271247));
  const std::string md = wei::format_markdown(summary);
  CHECK_THAT(md, Catch::Contains("| gd | 72 ± 2.82843 [46.588, 97.412], n=2 |"));
  CHECK_THAT(md, Catch::Contains("1 run(s) without status ok left out"));
  const std::string csv = wei::format_csv(summary);
  CHECK_THAT(csv, Catch::StartsWith("spec.method,final.test_error_n,final.test_error_mean,"));
  CHECK_THAT(csv, Catch::Contains("label_noise,2,0.002,0.00141421,"));
}
