#include "sweep/sweep_plan.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "base/errors.h"
#include "support/temp_dir.h"

using wei::parse_axis_values;
using wei::SweepAxis;
using wei::SweepMode;

TEST_CASE("axis values split at top-level commas and expand ranges", "[sweep]") {
  CHECK(parse_axis_values("0.01,0.05", "a") == std::vector<std::string>{"0.01", "0.05"});
  CHECK(parse_axis_values("[1, 2],[3]", "a") == std::vector<std::string>{"[1, 2]", "[3]"});
  CHECK(parse_axis_values("range(0,3)", "a") == std::vector<std::string>{"0", "1", "2"});
  CHECK(parse_axis_values("range(0, 10, 4)", "a") == std::vector<std::string>{"0", "4", "8"});
  CHECK(parse_axis_values("range(0, 1, 0.25)", "a") == std::vector<std::string>{"0.0", "0.25", "0.5", "0.75"});
  CHECK_THROWS_AS(parse_axis_values("range(3, 0)", "a"), wei::InputError);
  CHECK_THROWS_AS(parse_axis_values("a,,b", "a"), wei::InputError);
  CHECK_THROWS_AS(parse_axis_values("[1, 2", "a"), wei::InputError);
}

TEST_CASE("grid is the cartesian product with the last axis fastest, zip goes in lockstep", "[sweep]") {
  const std::vector<SweepAxis> axes = {{"optim.lr", {"0.1", "0.2"}}, {"seed", {"0", "1", "2"}}};
  const auto grid = wei::expand_points(SweepMode::kGrid, axes, {"method=gd"});
  REQUIRE(grid.size() == 6);
  CHECK(grid[0].overrides == std::vector<std::string>{"method=gd", "optim.lr=0.1", "seed=0"});
  CHECK(grid[1].overrides == std::vector<std::string>{"method=gd", "optim.lr=0.1", "seed=1"});
  CHECK(grid[5].overrides == std::vector<std::string>{"method=gd", "optim.lr=0.2", "seed=2"});
  CHECK(grid[5].dir_name == "optim.lr=0.2,seed=2");
  CHECK(grid[5].index == 5);

  const std::vector<SweepAxis> lockstep = {{"a", {"1", "2"}}, {"b", {"x", "y"}}};
  const auto zip = wei::expand_points(SweepMode::kZip, lockstep, {});
  REQUIRE(zip.size() == 2);
  CHECK(zip[1].overrides == std::vector<std::string>{"a=2", "b=y"});
  CHECK_THROWS_AS(wei::expand_points(SweepMode::kZip, axes, {}), wei::InputError);
  CHECK(wei::expand_points(SweepMode::kGrid, {}, {})[0].dir_name == "base");
}

TEST_CASE("directory names are file-system safe and unique", "[sweep]") {
  CHECK(wei::point_dir_name({{"data.root", "/a b/c"}, {"x", "[1, 2]"}}) == "data.root=_a_b_c,x=_1,_2_");
  const auto points = wei::expand_points(SweepMode::kGrid, {{"p", {"a/b", "a_b"}}}, {});
  CHECK(points[0].dir_name != points[1].dir_name);
}

TEST_CASE("a sweep block in the spec adds axes and its mode", "[sweep]") {
  wei::testing::TempDir tmp;
  const auto spec = tmp.path() / "s.yaml";
  std::ofstream(spec) << "trainer: x\nsweep:\n  mode: zip\n  params:\n    seed: range(0, 2)\n    optim.lr: [0.1, 0.2]\n";
  const auto plan = wei::make_sweep_plan(spec.string(), {"method=gd"}, "");
  CHECK(plan.mode == SweepMode::kZip);
  REQUIRE(plan.points.size() == 2);
  CHECK(plan.points[1].overrides == std::vector<std::string>{"method=gd", "seed=1", "optim.lr=0.2"});
  const auto grid = wei::make_sweep_plan(spec.string(), {"method=gd,sgd"}, "grid");
  CHECK(grid.points.size() == 8);
  CHECK_THROWS_AS(wei::make_sweep_plan(spec.string(), {"seed=5,6"}, ""), wei::InputError);  // swept twice

  std::ofstream(spec) << "trainer: x\nsweep:\n  params: {seed: [0, 1]}\n  slurm: {partition: gpu, cpus: 4}\n";
  const auto slurm_plan = wei::make_sweep_plan(spec.string(), {}, "");
  wei::SlurmOptions flags;
  flags.cpus_per_task = 2;
  const auto merged = flags.merged_over(slurm_plan.slurm);
  CHECK(merged.partition == "gpu");
  CHECK(merged.cpus_per_task == 2);  // the flag wins over the spec

  std::ofstream(spec) << "trainer: x\nsweep:\n  modes: grid\n";
  CHECK_THROWS_WITH(wei::make_sweep_plan(spec.string(), {}, ""), Catch::Contains("s.yaml:3:3: sweep.modes: unknown key"));
}
