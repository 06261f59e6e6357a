// summarize, plot and report on the command line, in-process, and the promise that a spec's
// reference block is documentation: diff and --continue do not see it, summaries do.
#include <catch2/catch.hpp>
#include <filesystem>

#include "results/plot.h"
#include "support/cli_in_process.h"
#include "support/json_file.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace {

std::string referenced_spec(double reference) {
  return "trainer: label_noise_sgd\nseed: 0\nmethod: label_noise\noptim:\n  lr: 0.01\n  steps: 2000\n"
         "log_every: 100\nreference:\n  final.test_error: " +
         std::to_string(reference) + "\n  source: \"Shape Matters (made up for this test)\"\n";
}

}  // namespace

TEST_CASE("a reference block is not part of the run: diff and --continue ignore it, summarize shows it", "[cli]") {
  namespace fs = std::filesystem;
  using wei::testing::run_cli;
  wei::testing::TempDir tmp;
  tmp.write("spec.yaml", referenced_spec(40.0));
  const auto first = run_cli({"run", "spec.yaml", "--out", "a"}, tmp.path());
  REQUIRE(first.exit_code == 0);
  CHECK(wei::testing::read_text(tmp.path() / "a" / "config.yaml").find("reference") == std::string::npos);
  CHECK_FALSE(wei::testing::read_json(tmp.path() / "a" / "metrics.json")["spec"].contains("reference"));

  // The paper's value is corrected in the spec: the experiment is the same one.
  tmp.write("spec.yaml", referenced_spec(35.5));
  REQUIRE(run_cli({"run", "spec.yaml", "--out", "b"}, tmp.path()).exit_code == 0);
  const auto diff = run_cli({"diff", "a/metrics.json", "b/metrics.json"}, tmp.path());
  CHECK(diff.exit_code == 0);
  CHECK(diff.out == "equal (ignoring the run block)\n");
  const auto kept = run_cli({"run", "spec.yaml", "--out", "a", "--continue"}, tmp.path());
  CHECK(kept.exit_code == 0);
  CHECK_THAT(kept.err, Catch::Contains("kept"));
  // A real change to the experiment is still refused.
  CHECK(run_cli({"run", "spec.yaml", "optim.lr=0.02", "--out", "a", "--continue"}, tmp.path()).exit_code == 2);

  // summarize reads the reference from the spec file the runs were started from.
  const auto summary = run_cli({"summarize", "a", "b", "--by", "spec.method", "--metrics", "final.test_error"},
                               tmp.path());
  REQUIRE(summary.exit_code == 0);
  CHECK_THAT(summary.out, Catch::StartsWith("| method      |   n |") && Catch::Contains("| paper | Δ/hw |"));
  CHECK_THAT(summary.out, Catch::Contains("|  35.5 |"));
  CHECK_THAT(summary.out, Catch::Contains("paper: Shape Matters (made up for this test) ("));
  const auto none = run_cli({"summarize", "a", "--reference", "none"}, tmp.path());
  CHECK(none.exit_code == 0);
  CHECK_THAT(none.out, !Catch::Contains("paper"));
  tmp.write("other.yaml", "trainer: label_noise_sgd\nreference: {final.test_error: 1.25}\n");
  CHECK_THAT(run_cli({"summarize", "a", "--reference", "other.yaml"}, tmp.path()).out, Catch::Contains("|  1.25 |"));
  const auto full = run_cli({"summarize", "a", "b", "--layout", "full", "--precision", "full", "--reference", "none",
                             "--metrics", "final.test_error"},
                            tmp.path());
  CHECK_THAT(full.out, Catch::StartsWith("| final.test_error (mean ± std [95% CI], n) |\n|---|\n| "));
  const auto bad_layout = run_cli({"summarize", "a", "--layout", "wide"}, tmp.path());
  CHECK(bad_layout.exit_code == 2);
  CHECK_THAT(bad_layout.err, Catch::Contains("--layout 'wide' must be compact or full"));
  CHECK(run_cli({"summarize", "a", "--precision", "3"}, tmp.path()).exit_code == 2);
}

TEST_CASE("plot defaults to the headline metric, report writes one page", "[cli]") {
  namespace fs = std::filesystem;
  using wei::testing::run_cli;
  wei::testing::TempDir tmp;
  tmp.write("spec.yaml", referenced_spec(40.0));
  REQUIRE(run_cli({"run", "spec.yaml", "--out", "a"}, tmp.path()).exit_code == 0);
  CHECK(run_cli({"report", "a"}, tmp.path()).exit_code == 2);  // --out is required
  CHECK(run_cli({"report", "missing", "--out", "r.html"}, tmp.path()).exit_code == 2);
  CHECK_FALSE(fs::exists(tmp.path() / "r.html"));
  const auto report = run_cli({"report", "a", "--out", "pages/r.html"}, tmp.path());
  REQUIRE(report.exit_code == 0);
  CHECK_THAT(report.err, Catch::Contains("wrote pages/r.html: 1 point(s)"));
  const std::string html = wei::testing::read_text(tmp.path() / "pages" / "r.html");
  CHECK_THAT(html, Catch::Contains("<tr class=\"group\">") && Catch::Contains("href=\"../a/metrics.json\""));
  // --watch on a finished root writes the page once and returns: nothing is running.
  const auto watch = run_cli({"report", "a", "--out", "w.html", "--watch", "--every", "1"}, tmp.path());
  CHECK(watch.exit_code == 0);
  CHECK(wei::testing::read_text(tmp.path() / "w.html").find("http-equiv") == std::string::npos);

  if (!wei::gnuplot_available()) {
    WARN("gnuplot is not installed: plot was not run");
    return;
  }
  const auto plot = run_cli({"plot", "a", "--out", "p/curve", "--logy"}, tmp.path());
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  CHECK_THAT(plot.err, Catch::Contains("(test_error vs epoch)"));
  CHECK(fs::file_size(tmp.path() / "p" / "curve.svg") > 1000);
  CHECK_THAT(wei::testing::read_text(tmp.path() / "p" / "curve.gp"),
             Catch::Contains("set logscale y") && Catch::Contains("set ylabel \"test_error (log scale)\""));
  CHECK(run_cli({"plot", "a", "--out", "p/lin", "--logx", "--logy"}, tmp.path()).exit_code == 0);
}

TEST_CASE("threshold on the command line: n* per replicate, the table, the exponent and the plot", "[cli]") {
  using wei::testing::run_cli;
  wei::testing::TempDir tmp;
  // Two sizes, two circuits each, n* = 10 * size^2 exactly: the error falls from 20 % at n* / 10 to
  // 5 % at n* (and 1 % at 10 n*), on a grid of n* / 10, n*, 10 n*.
  for (int size : {8, 16}) {
    for (int circuit : {0, 1}) {
      const double n_star = 10.0 * size * size;
      const std::pair<double, double> points[] = {{n_star / 10, 20.0}, {n_star, 5.0}, {n_star * 10, 1.0}};
      for (const auto& [n, error] : points) {
        const std::string dir = "runs/s" + std::to_string(size) + "c" + std::to_string(circuit) + "n" +
                                std::to_string(static_cast<int>(n));
        std::filesystem::create_directories(tmp.path() / dir);
        tmp.write(dir + "/metrics.json",
                  "{\"status\": \"ok\", \"spec\": {\"circuit\": {\"size\": " + std::to_string(size) +
                      ", \"seed\": " + std::to_string(circuit) + "}, \"data\": {\"n\": " +
                      std::to_string(static_cast<int>(n)) + "}}, \"final\": {\"test_error\": " +
                      std::to_string(error) + "}}");
      }
    }
  }
  const auto result = run_cli({"threshold", "runs", "--x", "spec.data.n", "--at", "5", "--by", "spec.circuit.size",
                               "--fit", "spec.circuit.size"},
                              tmp.path());
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("(4 replicates;"));
  CHECK_THAT(result.out, Catch::Contains("| 640.0 ± 0.0 |") && Catch::Contains("|    2560 ± 0 |"));
  CHECK_THAT(result.out, Catch::Contains("| 2.000 | [2.000, 2.000] | 4 | 2 |"));
  if (wei::gnuplot_available()) {
    REQUIRE(run_cli({"threshold", "runs", "--at", "5", "--by", "spec.circuit.size", "--fit", "spec.circuit.size",
                     "--plot", "n_star"},
                    tmp.path())
                .exit_code == 0);
    CHECK(std::filesystem::exists(tmp.path() / "n_star.png"));
  }
  CHECK(run_cli({"threshold", "runs", "--x", "final.test_error"}, tmp.path()).exit_code == 2);
}
