#pragma once
// Builds a trainer the way the runner would — its spec loaded and validated from overrides of the
// trainer's defaults, a CPU RunContext — without the CLI or the runner, so trainer tests can drive
// prepare, `fit` (train/fit.h) and checkpoints directly.
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
#include "train/fit.h"
#include "train/registry.h"

namespace wei::testing {

class TrainerFixture {
 public:
  TrainerFixture(TrainerInfo info, const std::map<std::string, ParamValue>& overrides, uint64_t seed = 0,
                 std::function<bool()> stop = {})
      : registry_(single(std::move(info))),
        spec_(load(registry_, overrides)),
        log_(std::make_shared<spdlog::logger>(registry_.names().front() + "-test")),
        meter_(std::make_shared<EpochMeter>()),
        ctx_{torch::Device(torch::kCPU), seed, *log_, StopToken(std::move(stop)), meter_.get()} {}

  const RunContext& ctx() const { return ctx_; }
  // The meter in ctx(): pass it to `fit` for the epoch timing (examples, batch-building seconds).
  EpochMeter& meter() const { return *meter_; }
  const Spec& spec() const { return spec_; }
  std::unique_ptr<Trainer> trainer() const { return registry_.trainers().front().create(spec_, ctx_); }

 private:
  static TrainerRegistry single(TrainerInfo info) {
    TrainerRegistry registry;
    registry.add(std::move(info));
    return registry;
  }
  // The overrides go through the spec loader as `key=value` arguments, so a test spec is validated
  // (types, bounds, conditions, constraints) exactly as a user's under --strict: a test spec that
  // sets a key its method does not read is refused.
  static Spec load(const TrainerRegistry& registry, const std::map<std::string, ParamValue>& overrides) {
    std::vector<std::string> args;
    for (const auto& [path, value] : overrides) args.push_back(path + "=" + param_value_text(value));
    return load_spec_text("trainer: " + registry.names().front() + "\n", "<test>", args, registry,
                          UnreadKeys::kRefuse);
  }

  TrainerRegistry registry_;
  Spec spec_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<EpochMeter> meter_;
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

// The history rows that `fit` records from epoch `first` on (up to num_epochs(), or until the
// trainer is done early, or after `stop_after` epochs in all), the trainer's final block in `final`
// when it ran to the end.
inline std::vector<nlohmann::ordered_json> run_epochs(Trainer& trainer, int64_t first = 0,
                                                      int64_t stop_after = -1,
                                                      nlohmann::ordered_json* final = nullptr) {
  FitRecord record;
  record.epochs_done = first;
  EpochMeter meter;
  FitHooks hooks;
  if (stop_after >= 0) hooks.stop_requested = [&] { return record.epochs_done >= stop_after; };
  try {
    const auto final_block = fit(trainer, record, meter, hooks);
    if (final) *final = final_block;
  } catch (const InterruptedError&) {
    // stopped after `stop_after` epochs, as asked
  }
  return record.history;
}

// The rows and the final block of a run of `trainer` from epoch `first` to its end.
struct FitResult {
  std::vector<nlohmann::ordered_json> rows;
  nlohmann::ordered_json final;
};
inline FitResult fit_to_end(Trainer& trainer, int64_t first = 0) {
  FitResult result;
  result.rows = run_epochs(trainer, first, -1, &result.final);
  return result;
}

// The CPU determinism contract every trainer keeps: two fresh trainers give identical rows, and one
// checkpointed after `resume_after` epochs and resumed in a fresh trainer gives the same remaining
// rows and final metrics. Returns the rows of the uninterrupted run for further checks.
inline std::vector<nlohmann::ordered_json> check_repeats_and_resumes(const TrainerFixture& fixture,
                                                                     int64_t resume_after) {
  auto first = fixture.trainer();
  first->prepare();
  nlohmann::ordered_json first_final;
  const auto rows = run_epochs(*first, 0, -1, &first_final);
  REQUIRE(static_cast<int64_t>(rows.size()) > resume_after);
  auto second = fixture.trainer();
  second->prepare();
  CHECK(run_epochs(*second) == rows);

  auto interrupted = fixture.trainer();
  interrupted->prepare();
  CHECK(run_epochs(*interrupted, 0, resume_after).size() == static_cast<size_t>(resume_after));
  const std::string checkpoint = save_checkpoint(*interrupted);
  auto resumed = fixture.trainer();
  resumed->prepare();
  load_checkpoint(*resumed, checkpoint);
  nlohmann::ordered_json resumed_final;
  CHECK(run_epochs(*resumed, resume_after, -1, &resumed_final) ==
        std::vector<nlohmann::ordered_json>(rows.begin() + resume_after, rows.end()));
  CHECK(resumed_final == first_final);
  return rows;
}

}  // namespace wei::testing
