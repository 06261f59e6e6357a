#include <catch2/catch.hpp>

#include <filesystem>

#include "support/trainer_fixture.h"
#include "train/registry.h"
#include "spec/spec_loader.h"
#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

namespace fs = std::filesystem;

namespace {
wei::TrainerRegistry spurious_registry() {
  wei::TrainerRegistry registry;
  registry.add(wei::spurious_selftrain_trainer_info());
  return registry;
}
}  // namespace

TEST_CASE("every configs/spurious_selftrain spec validates against the schema", "[spurious_selftrain]") {
  const wei::TrainerRegistry registry = spurious_registry();
  const fs::path dir = fs::path(WEI_SOURCE_DIR) / "configs" / "spurious_selftrain";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    const wei::Spec spec = wei::load_spec(entry.path().string(), {}, registry);
    const std::string stem = entry.path().stem().string();
    const std::string kind = spec.get_string("data.kind");
    CHECK(stem.rfind(kind == "gaussian" ? "toy" : kind, 0) == 0);
    if (stem.find("pseudo_label") != std::string::npos) CHECK(spec.get_string("adapt.method") == "pseudo_label");
    ++count;
  }
  CHECK(count == 8);
}

TEST_CASE("toy_entropy.yaml, shortened by overrides, reproduces the paper's toy result", "[spurious_selftrain]") {
  const wei::TrainerRegistry registry = spurious_registry();
  const std::string path = std::string(WEI_SOURCE_DIR) + "/configs/spurious_selftrain/toy_entropy.yaml";
  const wei::Spec spec = wei::load_spec(
      path, {"gaussian.lr=0.01", "gaussian.source_steps=2000", "gaussian.target_steps=1000", "gaussian.log_every=1000"},
      registry);
  auto log = std::make_shared<spdlog::logger>("spurious-test");
  const wei::RunContext ctx{torch::Device(torch::kCPU), 0, *log, wei::StopToken()};
  auto trainer = registry.get("spurious_selftrain").create(spec, ctx);
  trainer->prepare();
  const nlohmann::ordered_json final = wei::testing::fit_to_end(*trainer).final;
  CHECK(final["spurious_norm_before"].get<double>() > 0.35);
  CHECK(final["spurious_norm_after"].get<double>() < 0.05);
  CHECK(final["target_acc_after"].get<double>() > 0.972);
}
