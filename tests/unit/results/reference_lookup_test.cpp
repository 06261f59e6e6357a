#include "results/reference_lookup.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/errors.h"
#include "support/temp_dir.h"

namespace {

// A run directory DIR holding a metrics.json whose run.argv started it from `spec_arg`.
void write_reference_run(const std::filesystem::path& dir, const std::string& spec_arg) {
  std::filesystem::create_directories(dir);
  nlohmann::ordered_json m;
  m["status"] = "ok";
  m["run"] = {{"argv", {"wei-run", "run", spec_arg, "seed=1", "--out", dir.string()}}};
  m["spec"] = {{"trainer", "toy"}, {"seed", 1}};
  m["final"] = {{"test_error", 1.0}};
  std::ofstream(dir / "metrics.json") << m.dump();
}

}  // namespace

TEST_CASE("a run's reference comes from the spec its sweep.json or its command line names", "[results]") {
  namespace fs = std::filesystem;
  wei::testing::TempDir tmp;
  const fs::path root = tmp.path();
  tmp.write("a.yaml", "trainer: toy\nreference: {final.test_error: 1.5, source: \"paper A\"}\n");
  fs::create_directories(root / "configs");
  std::ofstream(root / "configs" / "b.yaml") << "trainer: toy\nreference: {final.test_error: 2.5}\n";
  tmp.write("plain.yaml", "trainer: toy\n");

  // A sweep root: sweep.json names the spec by its absolute path.
  write_reference_run(root / "sw" / "seed=1", "elsewhere/a.yaml");
  std::ofstream(root / "sw" / "sweep.json") << nlohmann::json{{"spec", (root / "a.yaml").string()}}.dump();
  // A single run started as `wei-run run configs/b.yaml` from `root`: found from a directory above.
  write_reference_run(root / "results" / "b" / "20261203-101500", "configs/b.yaml");
  // A spec without a reference, and one that is gone.
  write_reference_run(root / "plain_run", "plain.yaml");
  write_reference_run(root / "gone_run", "gone.yaml");

  const std::vector<std::string> roots = {(root / "sw").string(), (root / "results").string(),
                                          (root / "plain_run").string(), (root / "gone_run").string()};
  auto runs = wei::collect_runs(roots);
  REQUIRE(runs.size() == 4);
  CHECK(fs::equivalent(wei::spec_file_of_run(runs[2], roots), root / "configs" / "b.yaml"));
  CHECK(fs::equivalent(wei::spec_file_of_run(runs[3], roots), root / "a.yaml"));
  CHECK(wei::spec_file_of_run(runs[0], roots).empty());
  wei::attach_references(runs, roots, "");
  // collect_runs sorts by path: gone_run, plain_run, results/..., sw/...
  CHECK_FALSE(runs[0].reference.has_value());
  CHECK_FALSE(runs[1].reference.has_value());
  REQUIRE(runs[2].reference.has_value());
  CHECK(runs[2].reference->value_of("final.test_error") == 2.5);
  REQUIRE(runs[3].reference.has_value());
  CHECK(runs[3].reference->value_of("final.test_error") == 1.5);
  CHECK(runs[3].reference->source == "paper A");

  // --reference FILE applies one spec's block to every run; --reference none drops them.
  wei::attach_references(runs, roots, (root / "a.yaml").string());
  for (const auto& run : runs) CHECK(run.reference->value_of("final.test_error") == 1.5);
  wei::attach_references(runs, roots, "none");
  for (const auto& run : runs) CHECK_FALSE(run.reference.has_value());
  CHECK_THROWS_WITH(wei::attach_references(runs, roots, (root / "plain.yaml").string()),
                    Catch::Contains("has no reference block"));
}
