#include "results/threshold_crossing.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "base/errors.h"

namespace {

using json = nlohmann::ordered_json;

// A run of a sweep over data.n at one circuit size and circuit seed.
wei::RunRecord crossing_run(int64_t size, int64_t circuit_seed, int64_t n, double test_error,
                            const std::string& status = "ok") {
  json metrics = {{"status", status},
                  {"spec", {{"circuit", {{"size", size}, {"seed", circuit_seed}}}, {"data", {{"n", n}}}}},
                  {"final", {{"test_error", test_error}}}};
  return {"", metrics, std::nullopt};
}

}  // namespace

TEST_CASE("the crossing is interpolated in log x between the last grid point above the level and the first at it",
          "[results]") {
  wei::CrossingOptions o;
  o.at = 5.0;
  // 20 % at n = 100, 2 % at n = 1000: 5 % is reached 15/18 of the way, in log10 n from 2 to 3.
  const auto c = wei::crossing_of({{100, 20.0}, {1000, 2.0}, {10000, 1.0}}, o);
  REQUIRE(c.x_star);
  CHECK(*c.x_star == Approx(std::pow(10.0, 2.0 + 15.0 / 18.0)));
  CHECK_FALSE(c.censored_below);
  // The first crossing counts, not a later dip.
  CHECK(*wei::crossing_of({{100, 9.0}, {1000, 5.0}, {10000, 7.0}, {100000, 1.0}}, o).x_star == Approx(1000));
  const auto below = wei::crossing_of({{100, 4.0}, {1000, 1.0}}, o);
  CHECK_FALSE(below.x_star);
  CHECK(below.censored_below);
  const auto above = wei::crossing_of({{100, 40.0}, {1000, 30.0}}, o);
  CHECK_FALSE(above.x_star);
  CHECK_FALSE(above.censored_below);
  // An accuracy: reached when it grows to the level.
  o.decreasing = false;
  o.at = 90;
  CHECK(*wei::crossing_of({{10, 50.0}, {100, 90.0}}, o).x_star == Approx(100));
}

TEST_CASE("crossing records: one per replicate, the spec without x, censored ones without x_star", "[results]") {
  const std::vector<wei::RunRecord> runs = {
      crossing_run(8, 0, 100, 30), crossing_run(8, 0, 1000, 3),  crossing_run(8, 0, 10000, 1),
      crossing_run(8, 1, 100, 4),  crossing_run(8, 1, 1000, 2),  crossing_run(16, 0, 100, 45),
      crossing_run(16, 0, 1000, 20), crossing_run(16, 0, 10000, 10), crossing_run(16, 0, 100000, 0, "failed")};
  const auto records = wei::crossing_records(runs, {});
  REQUIRE(records.size() == 3);
  CHECK(records[0].metrics["spec"] == json{{"circuit", {{"size", 8}, {"seed", 0}}}, {"data", json::object()}});
  CHECK(records[0].metrics["final"]["x_star"].get<double>() == Approx(std::pow(10.0, 2.0 + 25.0 / 27.0)));
  CHECK(records[0].metrics["final"]["grid_points"] == 3);
  CHECK(records[1].metrics["final"]["censored_below"] == 1);
  CHECK(records[1].metrics["final"]["reached"] == 1);
  CHECK_FALSE(records[1].metrics["final"].contains("x_star"));
  CHECK(records[2].metrics["final"]["reached"] == 0);  // the failed run at 100,000 does not count
  CHECK(records[2].metrics["final"]["grid_points"] == 3);

  wei::CrossingOptions bad;
  bad.x = "final.n";
  CHECK_THROWS_AS(wei::crossing_records(runs, bad), wei::InputError);
  bad.x = "spec.data.width";
  CHECK_THROWS_WITH(wei::crossing_records(runs, bad), Catch::Contains("spec.data.width"));
}

TEST_CASE("power-law fits of log x* against log of a key, per group, with the slope's interval", "[results]") {
  // x* = 10 * size^2 exactly for widths 64 (three sizes) and a noisy version for 256.
  std::vector<wei::RunRecord> records;
  const auto record = [&](int64_t width, int64_t size, double x_star) {
    records.push_back({"",
                       json{{"status", "ok"},
                            {"spec", {{"circuit", {{"size", size}}}, {"model", {{"width", width}}}}},
                            {"final", {{"x_star", x_star}, {"log10_x_star", std::log10(x_star)}}}},
                       std::nullopt});
  };
  for (int64_t size : {8, 16, 32}) record(64, size, 10.0 * static_cast<double>(size * size));
  record(256, 8, 700);
  record(256, 16, 2300);
  record(256, 32, 11000);
  record(256, 64, 40000);
  record(1024, 8, 500);  // one point: no slope
  const auto fits = wei::fit_power_laws(records, "spec.circuit.size", {"spec.model.width"});
  REQUIRE(fits.size() == 3);
  CHECK(fits[0].group_values == std::vector<std::string>{"64"});
  CHECK(*fits[0].slope == Approx(2.0));
  CHECK(*fits[0].ci_half == Approx(0.0).margin(1e-9));
  CHECK(fits[0].points == 3);
  CHECK(fits[0].distinct == 3);
  CHECK(fits[1].group_values == std::vector<std::string>{"256"});
  CHECK(*fits[1].slope == Approx(1.9).margin(0.1));
  CHECK(*fits[1].ci_half > 0);
  CHECK(fits[2].group_values == std::vector<std::string>{"1024"});
  CHECK_FALSE(fits[2].slope);
}
