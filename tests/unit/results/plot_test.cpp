#include "results/plot.h"

#include <catch2/catch.hpp>


namespace {
wei::RunRecord curve_run(const std::string& method, int seed, double scale) {
  nlohmann::ordered_json m;
  m["status"] = "ok";
  m["spec"] = {{"method", method}, {"seed", seed}, {"hidden", seed + 4}};
  m["history"] = nlohmann::ordered_json::array({{{"epoch", 1}, {"loss", 2 * scale}}, {{"epoch", 2}, {"loss", scale}}});
  m["final"] = {{"acc", scale}};
  return wei::RunRecord{"r", m};
}
}  // namespace

TEST_CASE("learning curves average the runs of a group epoch by epoch", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("a", 1, 3),
                                            curve_run("b", 0, 10)};
  wei::PlotOptions options;
  options.y = {"loss"};
  options.by = {"spec.method"};
  options.out = "out/curves";
  const auto files = wei::make_plot_files(runs, options);
  CHECK(files.data == "# method=a\n1 4 2.828427125\n2 2 1.414213562\n\n\n# method=b\n1 20 0\n2 10 0\n\n\n");
  CHECK_THAT(files.script, Catch::Contains("\"curves.dat\" index 1 using 1:2 with lines title \"method=b\""));
  CHECK_THAT(files.script, Catch::Contains("set output \"curves.png\"") && Catch::Contains("set output \"curves.svg\""));
}

TEST_CASE("metric-vs-parameter plots put the spec key on x with error bars", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("a", 1, 3)};
  wei::PlotOptions options;
  options.y = {"final.acc"};
  options.x = "spec.hidden";
  options.by = {"spec.method"};
  options.out = "p";
  const auto files = wei::make_plot_files(runs, options);
  CHECK(files.data == "# method=a\n4 1 0\n5 3 0\n\n\n");
  CHECK_THAT(files.script, Catch::Contains("using 1:2:3 with yerrorlines"));
  options.y = {"final.missing"};
  CHECK_THROWS_WITH(wei::make_plot_files(runs, options), Catch::Contains("no run with status ok"));
}

TEST_CASE("several y keys become separate lines on one plot", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("a", 1, 3)};
  wei::PlotOptions options;
  options.y = {"final.acc", "final.acc_twice"};
  options.x = "spec.hidden";
  options.by = {};
  options.out = "p";
  auto twice = runs;
  for (auto& r : twice) r.metrics["final"]["acc_twice"] = 2 * r.metrics["final"]["acc"].get<double>();
  const auto files = wei::make_plot_files(twice, options);
  CHECK(files.data == "# final.acc\n4 1 0\n5 3 0\n\n\n# final.acc_twice\n4 2 0\n5 6 0\n\n\n");
  CHECK_THAT(files.script, Catch::Contains("set ylabel \"final.acc, final.acc_twice\""));
}
