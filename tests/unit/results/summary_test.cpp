#include "results/summary.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace {
wei::RunRecord error_run(const std::string& method, int seed, double error, const std::string& status = "ok") {
  nlohmann::ordered_json m;
  m["status"] = status;
  m["spec"] = {{"method", method}, {"seed", seed}, {"optim", {{"lr", 0.01}}}};
  m["final"] = {{"test_error", error}, {"support", nlohmann::ordered_json::array({1})}};
  return wei::RunRecord{"r", m, std::nullopt};
}

wei::PaperReference paper_reference(double test_error, const std::string& file = "configs/x.yaml") {
  wei::PaperReference r;
  r.values = {{"final.test_error", test_error}};
  r.source = "Cao et al. 2019, Table 2";
  r.file = file;
  return r;
}

wei::TableStyle old_style() {
  wei::TableStyle style;
  style.layout = wei::TableLayout::kFull;
  style.precision = wei::TablePrecision::kFull;
  return style;
}

size_t widest_line(const std::string& text) {
  std::istringstream in(text);
  size_t widest = 0;
  for (std::string line; std::getline(in, line);) {
    size_t columns = 0;
    for (const unsigned char c : line) columns += (c & 0xC0) != 0x80;
    widest = std::max(widest, columns);
  }
  return widest;
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
  // --layout full --precision full: the table as it always was.
  const std::string md = wei::format_markdown(summary, old_style());
  CHECK_THAT(md, Catch::Contains("| gd | 72 ± 2.82843 [46.588, 97.412], n=2 |"));
  CHECK_THAT(md, Catch::Contains("1 run(s) without status ok left out"));
  const std::string csv = wei::format_csv(summary);
  CHECK_THAT(csv, Catch::StartsWith("spec.method,final.test_error_n,final.test_error_mean,"));
  CHECK_THAT(csv, Catch::Contains("label_noise,2,0.002,0.00141421,"));
}

TEST_CASE("groups are ordered by their key values, numbers numerically", "[results]") {
  std::vector<wei::RunRecord> runs;
  for (const int n : {10, 1280, 160, 5}) {
    for (const std::string method : {"sgd", "amo"}) {
      auto run = error_run(method, 0, 1.0);
      run.metrics["spec"]["n_train"] = n;
      runs.push_back(run);
    }
  }
  const auto summary = wei::summarize(runs, {"spec.n_train", "spec.method"}, {"final.test_error"});
  std::vector<std::string> order;
  for (const auto& group : summary.groups) order.push_back(group.key_values[0] + "/" + group.key_values[1]);
  CHECK(order == std::vector<std::string>{"5/amo", "5/sgd", "10/amo", "10/sgd", "160/amo", "160/sgd", "1280/amo",
                                          "1280/sgd"});
}

TEST_CASE("the default table is compact and rounded, the full layout keeps the interval", "[results]") {
  const std::vector<wei::RunRecord> runs = {error_run("gd", 0, 70), error_run("gd", 1, 74),
                                            error_run("label_noise", 0, 0.001), error_run("label_noise", 1, 0.003),
                                            error_run("one", 0, 0.00036255567997)};
  const auto summary = wei::summarize(runs, {}, {});
  CHECK(wei::format_markdown(summary) ==
        "| method      |   n |      test_error |\n"
        "|-------------|----:|----------------:|\n"
        "| gd          |   2 |      72.0 ± 2.8 |\n"
        "| label_noise |   2 | 0.0020 ± 0.0014 |\n"
        "| one         |   1 |        3.626e-4 |\n"
        "\n"
        "mean ± std over the n runs of each group, rounded to the precision the std supports\n");
  wei::TableStyle full;
  full.layout = wei::TableLayout::kFull;
  const std::string md = wei::format_markdown(summary, full);
  CHECK_THAT(md, Catch::Contains("| gd | 72.0 ± 2.8 [46.6, 97.4], n=2 |"));
  CHECK_THAT(md, Catch::Contains("| one | 3.626e-4 (n=1) |"));
  wei::TableStyle compact_full_precision;
  compact_full_precision.precision = wei::TablePrecision::kFull;
  CHECK_THAT(wei::format_markdown(summary, compact_full_precision), Catch::Contains(" 72 ± 2.82843 |"));
}

TEST_CASE("the compact layout splits many metrics over tables of at most 120 columns", "[results]") {
  std::vector<wei::RunRecord> runs;
  for (int seed = 0; seed < 3; ++seed) {
    for (const std::string method : {"ldam_drw", "erm"}) {
      auto run = error_run(method, seed, 20 + seed);
      for (const std::string name : {"test_many_shot_accuracy", "test_medium_shot_accuracy", "test_few_shot_accuracy",
                                     "test_accuracy", "test_loss", "train_loss_after_the_last_epoch"}) {
        run.metrics["final"][name] = 1.0 / (seed + 3) + (method == "erm" ? 1e-6 : 123.456);
      }
      runs.push_back(run);
    }
  }
  const auto summary = wei::summarize(runs, {}, {});
  REQUIRE(summary.metrics.size() == 7);
  const std::string md = wei::format_markdown(summary);
  CHECK(widest_line(md) <= 120);
  CHECK_THAT(md, Catch::Contains("| method   |   n |"));
  // Every table starts with the group keys and has one row per group.
  size_t tables = 0;
  for (size_t at = md.find("| method "); at != std::string::npos; at = md.find("| method ", at + 1)) ++tables;
  CHECK(tables >= 2);
  CHECK_THAT(md, Catch::Contains("| ldam_drw |   3 |") && Catch::Contains("| erm      |   3 |"));
  wei::TableStyle full;
  full.layout = wei::TableLayout::kFull;
  CHECK(widest_line(wei::format_markdown(summary, full)) > 120);  // the full layout is one wide table
}

TEST_CASE("a metric with a paper reference gets the value and the deviation in half-widths", "[results]") {
  std::vector<wei::RunRecord> runs = {error_run("ldam_drw", 0, 27.0), error_run("ldam_drw", 1, 29.0),
                                      error_run("erm", 0, 29.0), error_run("erm", 1, 30.0),
                                      error_run("focal", 0, 31.0)};
  for (auto& run : runs) run.reference = paper_reference(22.97);
  runs[2].reference = paper_reference(29.64, "configs/erm.yaml");
  runs[3].reference = paper_reference(29.64, "configs/erm.yaml");
  runs.push_back(error_run("cb_rs", 0, 30.0));
  runs.push_back(error_run("cb_rs", 1, 30.0));
  runs[5].reference = paper_reference(29.45, "configs/a.yaml");
  runs[6].reference = paper_reference(29.46, "configs/b.yaml");  // the group's specs disagree
  const auto summary = wei::summarize(runs, {}, {});
  REQUIRE(summary.groups.size() == 4);  // cb_rs, erm, focal, ldam_drw
  CHECK(summary.groups[3].reference[0] == Approx(22.97));
  CHECK(summary.groups[1].reference[0] == Approx(29.64));
  CHECK_FALSE(summary.groups[0].reference[0].has_value());
  REQUIRE(summary.reference_conflicts.size() == 1);
  CHECK_THAT(summary.reference_conflicts[0], Catch::Contains("spec.method=cb_rs: final.test_error"));
  // (28 - 22.97) / (12.706 * sqrt(2) / sqrt(2)) = 0.396
  CHECK(*wei::reference_deviation(summary.groups[3].stats[0], 22.97) == Approx(5.03 / 12.706));
  const std::string md = wei::format_markdown(summary);
  CHECK_THAT(md, Catch::Contains("| method   |   n |   test_error | paper | Δ/hw |"));
  CHECK_THAT(md, Catch::Contains("| ldam_drw |   2 |   28.0 ± 1.4 | 22.97 | +0.4 |"));
  CHECK_THAT(md, Catch::Contains("| erm      |   2 | 29.50 ± 0.71 | 29.64 | +0.0 |"));  // -0.02 shows as +0.0
  CHECK_THAT(md, Catch::Contains("| focal    |   1 |        31.00 | 22.97 |    - |"));  // n=1: no interval
  CHECK_THAT(md, Catch::Contains("| cb_rs    |   2 | 30.00 ± 0.00 |       |      |"));
  CHECK_THAT(md, Catch::Contains("paper: Cao et al. 2019, Table 2 (configs/x.yaml)"));
  CHECK_THAT(md, Catch::Contains("Δ/hw: (mean - paper) / half-width of the 95% interval"));
  CHECK_THAT(md, Catch::Contains("no paper value shown for spec.method=cb_rs: final.test_error"));
  wei::TableStyle full;
  full.layout = wei::TableLayout::kFull;
  CHECK_THAT(wei::format_markdown(summary, full),
             Catch::Contains("| ldam_drw | 28.0 ± 1.4 [15.3, 40.7], n=2 | 22.97 | +0.4 |"));
  const std::string csv = wei::format_csv(summary);
  CHECK_THAT(csv, Catch::Contains("final.test_error_ci95_high,final.test_error_paper,final.test_error_paper_dev\n"));
  CHECK_THAT(csv, Catch::Contains("ldam_drw,2,28,1.41421,15.294,40.706,22.97,0.395876\n"));
}

TEST_CASE("referenced metrics lead the default columns, also from outside final", "[results]") {
  std::vector<wei::RunRecord> runs = {error_run("a", 0, 1.0), error_run("a", 1, 2.0)};
  for (auto& run : runs) {
    run.metrics["final"]["test_accuracy"] = 99.0;
    run.metrics["best"] = {{"test_error", 0.5}, {"epoch", 3}};
    wei::PaperReference r;
    r.values = {{"best.test_error", 0.4}};
    r.file = "x.yaml";
    run.reference = r;
  }
  const auto summary = wei::summarize(runs, {}, {});
  CHECK(summary.metrics == std::vector<std::string>{"best.test_error", "final.test_error", "final.test_accuracy"});
  CHECK(summary.has_reference(0));
  CHECK_FALSE(summary.has_reference(1));
  // identical runs with no interval: the deviation is undefined unless they equal the reference
  CHECK_FALSE(wei::reference_deviation(summary.groups[0].stats[0], 0.4).has_value());
  CHECK(*wei::reference_deviation(summary.groups[0].stats[0], 0.5) == 0.0);
  CHECK_THAT(wei::format_markdown(summary), Catch::Contains("best.test_error | paper |") &&
                                                Catch::Contains("paper: (no source given) (x.yaml)"));
}
