#pragma once
// Builds a trainer the way the runner would — its spec loaded and validated from overrides of the
// trainer's defaults, a CPU RunContext — without the CLI or the runner, so trainer tests can drive
// prepare/train_epoch and checkpoints directly.
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "base/errors.h"
#include "spec/spec_loader.h"
#include "train/checkpoint_bundle.h"
#include "train/registry.h"

namespace wei::testing {

class TrainerFixture {
 public:
  TrainerFixture(TrainerInfo info, const std::map<std::string, ParamValue>& overrides, uint64_t seed = 0,
                 std::function<bool()> stop = {})
      : registry_(single(std::move(info))),
        spec_(load(registry_, overrides)),
        log_(std::make_shared<spdlog::logger>(registry_.names().front() + "-test")),
        ctx_{torch::Device(torch::kCPU), seed, *log_, StopToken(std::move(stop))} {}

  const RunContext& ctx() const { return ctx_; }
  const Spec& spec() const { return spec_; }
  std::unique_ptr<Trainer> trainer() const { return registry_.trainers().front().create(spec_, ctx_); }

 private:
  static TrainerRegistry single(TrainerInfo info) {
    TrainerRegistry registry;
    registry.add(std::move(info));
    return registry;
  }
  // The overrides go through the spec loader as `key=value` arguments, so a test spec is validated
  // (types, bounds, conditions, constraints) exactly as a user's.
  static Spec load(const TrainerRegistry& registry, const std::map<std::string, ParamValue>& overrides) {
    std::vector<std::string> args;
    for (const auto& [path, value] : overrides) args.push_back(path + "=" + param_value_text(value));
    return load_spec_text("trainer: " + registry.names().front() + "\n", "<test>", args, registry);
  }

  TrainerRegistry registry_;
  Spec spec_;
  std::shared_ptr<spdlog::logger> log_;
  RunContext ctx_;
};

// The diagnostics that the spec loader gives for a spec of `info`'s trainer built from `overrides`,
// a line each, or "accepted": for checking what a bad spec is told, not just that it is refused.
inline std::string spec_refusal(const TrainerInfo& info, const std::map<std::string, ParamValue>& overrides) {
  try {
    TrainerFixture(info, overrides);
  } catch (const SpecError& e) {
    std::string all;
    for (const auto& d : e.diagnostics()) all += d + "\n";
    return all;
  }
  return "accepted";
}

// The state that `register_state` registers, as the bytes of a checkpoint (what the runner saves
// after an epoch), and back into the objects it registers (what the runner does on resume).
using Registration = std::function<void(CheckpointBundle&)>;

inline std::string save_registered(const Registration& register_state) {
  CheckpointBundle bundle;
  register_state(bundle);
  torch::serialize::OutputArchive archive;
  bundle.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

inline void load_registered(const Registration& register_state, const std::string& bytes) {
  CheckpointBundle bundle;
  register_state(bundle);
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  bundle.load(archive);
}

inline std::string save_checkpoint(Trainer& trainer) {
  return save_registered([&](CheckpointBundle& bundle) { trainer.register_state(bundle); });
}

// Into a prepared trainer.
inline void load_checkpoint(Trainer& trainer, const std::string& bytes) {
  load_registered([&](CheckpointBundle& bundle) { trainer.register_state(bundle); }, bytes);
}

// The history rows the runner would record from epoch `first` on (up to num_epochs(), or until the
// trainer is done early), each without its volatile "timing" object.
inline std::vector<nlohmann::ordered_json> run_epochs(Trainer& trainer, int64_t first = 0) {
  std::vector<nlohmann::ordered_json> rows;
  for (int64_t e = first; e < trainer.num_epochs() && !trainer.done_early(); ++e) {
    auto row = trainer.train_epoch(e);
    row.erase("timing");
    rows.push_back(row);
  }
  return rows;
}

// The CPU determinism contract every trainer keeps: two fresh trainers give identical rows, and one
// checkpointed after `resume_after` epochs and resumed in a fresh trainer gives the same remaining
// rows and final metrics. Returns the rows of the uninterrupted run for further checks.
inline std::vector<nlohmann::ordered_json> check_repeats_and_resumes(const TrainerFixture& fixture,
                                                                     int64_t resume_after) {
  auto first = fixture.trainer();
  first->prepare();
  const auto rows = run_epochs(*first);
  REQUIRE(static_cast<int64_t>(rows.size()) > resume_after);
  auto second = fixture.trainer();
  second->prepare();
  CHECK(run_epochs(*second) == rows);

  auto interrupted = fixture.trainer();
  interrupted->prepare();
  for (int64_t e = 0; e < resume_after; ++e) interrupted->train_epoch(e);
  const std::string checkpoint = save_checkpoint(*interrupted);
  auto resumed = fixture.trainer();
  resumed->prepare();
  load_checkpoint(*resumed, checkpoint);
  CHECK(run_epochs(*resumed, resume_after) == std::vector<nlohmann::ordered_json>(rows.begin() + resume_after, rows.end()));
  CHECK(resumed->final_metrics() == first->final_metrics());
  return rows;
}

}  // namespace wei::testing
