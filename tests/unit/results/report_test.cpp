// The HTML report built from run directories written by the test: structure, statuses, links,
// self-containment. (tests/e2e/report_chromium_test.cpp opens a real one in a browser.)
#include "results/report.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/directory_lock.h"
#include "results/directory_activity.h"
#include "results/plot.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace {

namespace fs = std::filesystem;

// ROOT/<dir>/metrics.json of a label-noise-like run: test_error falls from 50 * scale over 5 epochs.
void write_report_run(const fs::path& root, const std::string& dir, const std::string& method, double lr, int seed,
                      const std::string& status, double scale) {
  fs::create_directories(root / dir);
  nlohmann::ordered_json m;
  m["schema_version"] = 1;
  m["status"] = status;
  m["run"] = {{"argv", {"wei-run", "run", "spec.yaml"}}};
  m["spec"] = {{"name", "t"}, {"trainer", "label_noise_sgd"}, {"seed", seed}, {"method", method}, {"optim", {{"lr", lr}}}};
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (int epoch = 1; epoch <= 5; ++epoch) {
    history.push_back({{"epoch", epoch}, {"test_error", 50 * scale / std::pow(10.0, epoch) * (1 + 0.1 * seed)}});
  }
  m["history"] = history;
  m["final"] = {{"test_error", history.back()["test_error"]}};
  m["best"] = {{"test_error", history.back()["test_error"]}, {"epoch", 5}};
  m["error"] = status == "ok" ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json("non-finite <loss> at step 3");
  std::ofstream(root / dir / "metrics.json") << m.dump();
  std::ofstream(root / dir / "log.txt") << "log\n";
}

}  // namespace

TEST_CASE("the report holds one summary row per group, the plots, every point's status and links", "[results]") {
  wei::testing::TempDir tmp;
  const fs::path root = tmp.path() / "sweep root";
  tmp.write("spec.yaml", "trainer: label_noise_sgd\nreference: {final.test_error: 0.001, source: \"a paper\"}\n");
  nlohmann::json points = nlohmann::json::array();
  int index = 0;
  for (const std::string method : {"gd", "label_noise"}) {
    for (const double lr : {0.01, 0.02}) {
      for (const int seed : {0, 1}) {
        const std::string dir = "method=" + method + ",optim.lr=" + (lr == 0.01 ? "0.01" : "0.02") + ",seed=" +
                                std::to_string(seed);
        write_report_run(root, dir, method, lr, seed, "ok", method == "gd" ? 100 : 1);
        points.push_back({{"index", index++}, {"dir", dir}, {"overrides", {"seed=" + std::to_string(seed)}},
                          {"status", "ok"}});
      }
    }
  }
  write_report_run(root, "method=sgd,optim.lr=0.01,seed=0", "sgd", 0.01, 0, "diverged", 1);
  points.push_back({{"index", index++}, {"dir", "method=sgd,optim.lr=0.01,seed=0"}, {"status", "diverged"}});
  points.push_back({{"index", index++}, {"dir", "method=sgd,optim.lr=0.01,seed=1"},
                    {"overrides", {"method=sgd", "optim.lr=0.01", "seed=1"}}, {"status", "pending"}});
  fs::create_directories(root / "logs");
  std::ofstream(root / "logs" / "0.log") << "console\n";
  std::ofstream(root / "sweep.json") << nlohmann::json{{"spec", (tmp.path() / "spec.yaml").string()},
                                                       {"points", points}}.dump();

  wei::ReportOptions options;
  options.roots = {root.string()};
  options.out = (tmp.path() / "out" / "report.html").string();
  const wei::ReportOutcome outcome = wei::write_report(options);
  const std::string html = wei::testing::read_text(options.out);

  CHECK(outcome.points == 10);
  CHECK(outcome.unfinished == 1);
  CHECK_FALSE(outcome.busy);
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>") && Catch::Contains("<meta charset=\"utf-8\">"));
  // Self-contained: no script, no stylesheet or font to fetch, no URL at all.
  CHECK(wei::testing::count_occurrences(html, "http://") + wei::testing::count_occurrences(html, "https://") == 0);
  CHECK(wei::testing::count_occurrences(html, "<script") + wei::testing::count_occurrences(html, "<link") + wei::testing::count_occurrences(html, "<img") +
            wei::testing::count_occurrences(html, "@import") + wei::testing::count_occurrences(html, "@font-face") + wei::testing::count_occurrences(html, "<iframe") == 0);
  CHECK(wei::testing::count_occurrences(html, "http-equiv") == 0);  // only --watch pages reload themselves
  // The summary: 4 groups (method x lr), each with the paper's value.
  CHECK(wei::testing::count_occurrences(html, "<tr class=\"group\">") == 4);
  CHECK_THAT(html, Catch::Contains("<th title=\"final.test_error: the spec&#39;s reference value\" class=\"num\">paper</th>"));
  CHECK_THAT(html, Catch::Contains("paper: a paper ("));
  // The varying keys, and every point with its status; the diverged one flagged, the pending one listed.
  CHECK_THAT(html, Catch::Contains("<td><code>method</code></td><td>gd, label_noise, sgd</td>"));
  CHECK_THAT(html, Catch::Contains("<td><code>optim.lr</code></td><td>0.01, 0.02</td>"));
  CHECK(wei::testing::count_occurrences(html, "data-status=\"ok\"") == 8);
  CHECK(wei::testing::count_occurrences(html, "<tr class=\"point flagged\" data-status=\"diverged\">") == 1);
  CHECK(wei::testing::count_occurrences(html, "data-status=\"pending\"") == 1);
  CHECK_THAT(html, Catch::Contains("non-finite &lt;loss&gt; at step 3"));  // escaped
  // Links relative to the page, percent-encoded: the space in "sweep root" included.
  CHECK_THAT(html, Catch::Contains("<a href=\"../sweep%20root/method=gd,optim.lr=0.01,seed=0/metrics.json\">"
                                   "metrics.json</a>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"../sweep%20root/method=gd,optim.lr=0.01,seed=0/log.txt\">log.txt</a>"));
  CHECK_THAT(html, Catch::Contains("<a href=\"../sweep%20root/logs/0.log\">console</a>"));
  CHECK(wei::testing::count_occurrences(html, "metrics.json</a>") == 9);

  if (!wei::gnuplot_available()) {
    WARN("gnuplot is not installed: the report's plots were not checked");
    CHECK_THAT(html, Catch::Contains("gnuplot is not installed"));
    return;
  }
  // The learning curve of the headline metric (log y: it falls over four decades) and the metric
  // against the one numeric key that varies, inline SVG with ids of their own.
  CHECK(outcome.plots == 2);
  CHECK(wei::testing::count_occurrences(html, "<figure class=\"plot\"") == 2);
  CHECK(wei::testing::count_occurrences(html, "<svg class=\"plot-svg\"") == 2);
  CHECK_THAT(html, Catch::Contains("data-kind=\"curve\" data-y=\"test_error\" data-x=\"epoch\""));
  CHECK_THAT(html, Catch::Contains("data-kind=\"metric\" data-y=\"final.test_error\" data-x=\"spec.optim.lr\""));
  CHECK_THAT(html, Catch::Contains("test_error vs epoch by method, optim.lr (mean over seeds, band ± 1 std) — log y axis"));
  CHECK(wei::testing::count_occurrences(html, "id='plot-1-1-gpPt0'") == 1);
  CHECK(wei::testing::count_occurrences(html, "id='plot-1-2-gpPt0'") == 1);
  CHECK(wei::testing::count_occurrences(html, "id='gpPt0'") == 0);
}

TEST_CASE("a page written while watching reloads itself, a root that does not exist is an error", "[results]") {
  wei::testing::TempDir tmp;
  write_report_run(tmp.path() / "r", "one", "gd", 0.01, 0, "ok", 1);
  wei::ReportOptions options;
  options.roots = {(tmp.path() / "r").string()};
  options.out = (tmp.path() / "p.html").string();
  options.refresh_seconds = 7;
  wei::ReportOutcome outcome;
  const std::string html = wei::make_report_html(options, outcome);
  CHECK_THAT(html, Catch::Contains("<meta http-equiv=\"refresh\" content=\"7\">"));
  CHECK(outcome.points == 1);
  options.roots = {(tmp.path() / "missing").string()};
  CHECK_THROWS_WITH(wei::make_report_html(options, outcome), Catch::Contains("missing: no such file or directory"));
}

TEST_CASE("a locked directory is seen as in use, without taking its lock", "[results]") {
  wei::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  CHECK_FALSE(wei::directory_in_use(dir));
  {
    wei::DirectoryLock lock(dir, wei::DirectoryLock::Mode::kExclusive, "test");
    CHECK(wei::directory_in_use(dir));
    CHECK(wei::directory_in_use(dir));  // asking twice changes nothing
  }
  CHECK_FALSE(wei::directory_in_use(dir));
  {
    wei::DirectoryLock shared(dir, wei::DirectoryLock::Mode::kShared, "slurm task");
    CHECK(wei::directory_in_use(dir));
  }
}
