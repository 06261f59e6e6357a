#include "results/plot.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "results/headline.h"

namespace {
wei::RunRecord curve_run(const std::string& method, int seed, double scale) {
  nlohmann::ordered_json m;
  m["status"] = "ok";
  m["spec"] = {{"method", method}, {"seed", seed}, {"hidden", seed + 4}};
  m["history"] = nlohmann::ordered_json::array({{{"epoch", 1}, {"loss", 2 * scale}}, {{"epoch", 2}, {"loss", scale}}});
  m["final"] = {{"acc", scale}};
  m["best"] = {{"loss", scale}, {"epoch", 2}};  // the runner keeps the headline metric's best here
  return wei::RunRecord{"r", m, std::nullopt};
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
  CHECK_THAT(files.script, Catch::Contains("\"curves.dat\" index 1 using 1:2 with lines title \"method=b\" lc 2"));
  CHECK_THAT(files.script, Catch::Contains("set output \"curves.png\"") && Catch::Contains("set output \"curves.svg\""));
}

TEST_CASE("curves averaged over seeds get a ±1 std band in the colour of their line", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("a", 1, 3),
                                            curve_run("b", 0, 10)};
  wei::PlotOptions options;
  options.y = {"loss"};
  options.by = {"spec.method"};
  options.out = "curves";
  const auto files = wei::make_plot_files(runs, options);
  // Group a has two seeds: its band spans mean ± std; group b has one run and no band.
  CHECK_THAT(files.script, Catch::Contains("\"curves.dat\" index 0 using 1:($2-$3):($2+$3) with filledcurves lc 1 notitle"));
  CHECK_THAT(files.script, !Catch::Contains("index 1 using 1:($2-$3)"));
  CHECK_THAT(files.script, Catch::Contains("set style fill transparent solid 0.2 noborder"));
  CHECK(files.title == "loss vs epoch by method (mean over seeds, band ± 1 std)");
  CHECK_THAT(files.script, Catch::Contains("set title \"loss vs epoch by method (mean over seeds, band ± 1 std)\""));
  CHECK_THAT(files.script, Catch::Contains("set xlabel \"epoch\"\nset ylabel \"loss\"\n"));
  // One run per group: no band, no fill style, and the title says nothing of one.
  const auto single = wei::make_plot_files({curve_run("a", 0, 1), curve_run("b", 0, 2)}, options);
  CHECK_THAT(single.script, !Catch::Contains("filledcurves") && !Catch::Contains("set style fill"));
  CHECK(single.title == "loss vs epoch by method");
}

TEST_CASE("log axes are labelled, and a band cut at half the smallest positive mean", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("a", 1, 3)};
  wei::PlotOptions options;
  options.y = {"loss"};
  options.by = {"spec.method"};
  options.out = "c";
  options.logy = true;
  options.logx = true;
  const auto files = wei::make_plot_files(runs, options);
  CHECK_THAT(files.script, Catch::Contains("set logscale y\n") && Catch::Contains("set logscale x\n"));
  CHECK_THAT(files.script, Catch::Contains("set xlabel \"epoch (log scale)\"\nset ylabel \"loss (log scale)\""));
  // means 4 and 2, stds 2.83 and 1.41: the lower edge 2 - 1.41 stays, 4 - 2.83 too; the floor is 1.
  CHECK_THAT(files.script, Catch::Contains("using 1:(($2-$3) > 1 ? $2-$3 : 1):($2+$3) with filledcurves"));
  auto zero = runs;
  for (auto& run : zero) {
    for (auto& row : run.metrics["history"]) row["loss"] = 0.0;
  }
  CHECK_THROWS_WITH(wei::make_plot_files(zero, options), Catch::Contains("--logy needs a positive value of loss"));
}

TEST_CASE("without --y the headline metric is plotted", "[results]") {
  const std::vector<wei::RunRecord> runs = {curve_run("a", 0, 1), curve_run("b", 0, 3)};
  CHECK(wei::headline_metric(runs) == std::optional<std::string>("loss"));
  wei::PlotOptions options;
  options.out = "c";
  const auto curve = wei::make_plot_files(runs, options);
  CHECK(curve.y == std::vector<std::string>{"loss"});
  CHECK_THAT(curve.script, Catch::Contains("title \"method=a\""));
  // Against a parameter: final.<headline>, else best.<headline> (here final has no "loss").
  options.x = "spec.hidden";
  options.by = {"spec.method"};
  CHECK(wei::make_plot_files(runs, options).y == std::vector<std::string>{"best.loss"});
  auto with_final = runs;
  for (auto& run : with_final) run.metrics["final"]["loss"] = 1.0;
  CHECK(wei::make_plot_files(with_final, options).y == std::vector<std::string>{"final.loss"});

  auto mixed = runs;
  mixed[1].metrics["best"] = {{"val_acc", 0.9}, {"epoch", 1}};
  CHECK_THROWS_WITH(wei::headline_metric(mixed), Catch::Contains("different headline metrics ('loss' and 'val_acc')"));
  auto none = runs;
  for (auto& run : none) run.metrics.erase("best");
  CHECK_FALSE(wei::headline_metric(none).has_value());
  options.x = "epoch";
  options.by = {};
  CHECK_THROWS_AS(wei::make_plot_files(none, options), wei::InputError);
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
  CHECK(files.title == "final.acc vs hidden by method (mean ± 1 std over seeds)");
  CHECK_THAT(files.script, Catch::Contains("set xlabel \"hidden\""));
  options.y = {"final.missing"};
  CHECK_THROWS_WITH(wei::make_plot_files(runs, options), Catch::Contains("no run with status ok"));
}

TEST_CASE("lines follow their group's values in numeric order, not the order runs were read", "[results]") {
  // Directories are read in name order, which puts hidden=10 before hidden=9.
  std::vector<wei::RunRecord> runs;
  for (int hidden : {10, 128, 32, 9}) {
    auto run = curve_run("a", 0, hidden);
    run.metrics["spec"]["hidden"] = hidden;
    runs.push_back(run);
  }
  wei::PlotOptions options;
  options.y = {"final.acc"};
  options.x = "spec.seed";
  options.by = {"spec.hidden"};
  options.out = "p";
  const auto files = wei::make_plot_files(runs, options);
  CHECK(files.data == "# hidden=9\n0 9 0\n\n\n# hidden=10\n0 10 0\n\n\n# hidden=32\n0 32 0\n\n\n"
                      "# hidden=128\n0 128 0\n\n\n");
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
  CHECK_THAT(files.script, Catch::Contains("set key outside right top"));
  // Long names: the y label points to the key, and the key goes below the plot.
  for (auto& r : twice) r.metrics["final"]["classifiers"]["half_margin"]["test_error"] = 0.5;
  options.y = {"final.acc", "final.classifiers.half_margin.test_error"};
  const auto long_names = wei::make_plot_files(twice, options);
  CHECK_THAT(long_names.script, Catch::Contains("set ylabel \"value (see key)\""));
  CHECK_THAT(long_names.script, Catch::Contains("set key below"));
}

TEST_CASE("the report's plots are SVG only and scale to the page", "[results]") {
  wei::PlotOptions options;
  options.y = {"loss"};
  options.out = "dir/p";
  options.png = false;
  options.svg_fit = true;
  const auto files = wei::make_plot_files({curve_run("a", 0, 1)}, options);
  CHECK_THAT(files.script, !Catch::Contains("pngcairo"));
  CHECK_THAT(files.script, Catch::Contains("set terminal svg noenhanced size 1000,600 dynamic\nset output \"p.svg\""));
}
