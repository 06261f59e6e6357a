#include <catch2/catch.hpp>
#include <filesystem>

#include "spec/spec_loader.h"
#include "sweep/sweep_plan.h"
#include "train/registry.h"
#include "trainers/sma_circuits/sma_circuits_trainer.h"

TEST_CASE("every sma_circuits config validates strictly, at every point of its sweep", "[sma_circuits]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::sma_circuits_trainer_info());
  int configs = 0;
  size_t points = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "sma_circuits")) {
    INFO(entry.path());
    const auto spec = wei::load_spec(entry.path().string(), {}, registry, wei::UnreadKeys::kRefuse);
    CHECK(spec.get_string("name") == entry.path().stem().string());
    const auto plan = wei::make_sweep_plan(entry.path().string(), {}, "");
    for (const auto& point : plan.points) {
      INFO(point.dir_name);
      CHECK_NOTHROW(wei::load_spec(entry.path().string(), point.overrides, registry, wei::UnreadKeys::kRefuse));
    }
    points += plan.points.size();
    ++configs;
  }
  CHECK(configs == 7);
  // circuits (size x width x n x circuit), juntas (family x width x n x seed), Turing (T x n x
  // machine; states x alphabet x n x machine), parity trained long (width x seed; width x n x
  // seed), the Turing fit probe (T x machine x layers).
  CHECK(points == 4 * 4 * 7 * 3 + 2 * 4 * 7 * 3 + 6 * 6 * 3 + 3 * 2 * 6 * 3 + 2 * 3 + 2 * 5 * 3 + 2 * 2 * 2);
}
