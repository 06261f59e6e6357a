#pragma once
// The contract between a trainer and `fit` (train/fit.h), which the runner (run/runner.h) and the
// trainer tests call.
//
// The runner owns everything generic: the run directory, metrics.json/history.jsonl, checkpoints,
// signals and progress output; `fit` owns the epoch loop: the history row with its timing, best
// tracking, the non-finite check, per-epoch checkpoints, stopping and resuming. A trainer owns its
// data, model and optimisation, and exposes its work as a fixed number of "epochs" (history rows).
// For step-based methods an epoch is a logging interval of steps; multi-phase methods number their
// epochs across phases and say which phase a row belongs to.
//
// What a trainer does not write itself: the epoch loop and its timing (train/fit.h), the
// mini-batch loop (train/epoch_driver.h), learning-rate schedules (train/schedule.h), batched
// evaluation (train/evaluation.h), checkpoint code (it registers its state once in a
// train/checkpoint_bundle.h), spec lookups (it receives its typed options, spec/option_schema.h).
//
// Life cycle: create(spec, context) -> prepare() -> register_state(bundle) -> [bundle loaded when
// resuming] -> for e = first..num_epochs()-1: train_epoch(e), evaluate(e), the bundle saved after
// each -> final_metrics(last row).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <torch/types.h>

#include "base/stop_token.h"
#include "spec/option_schema.h"
#include "spec/param_schema.h"
#include "spec/spec.h"
#include "train/checkpoint_bundle.h"
#include "train/epoch_meter.h"

namespace wei {

// Memory of one history row as the runner holds it (in memory, in metrics.json and in every
// checkpoint), before the row's own arrays: the unit of the "history" part of memory estimates.
inline constexpr double kHistoryRowBytes = 2048;

struct RunContext {
  torch::Device device;
  uint64_t seed;  // spec "seed"; derive independent streams with base/seeding.h
  spdlog::logger& log;
  StopToken stop;  // polled between batches and steps; throws InterruptedError when a stop is requested
  // Where the step driver reports an epoch's examples, batch-building time and steps (train/fit.h
  // reads it); null outside `fit`.
  EpochMeter* meter = nullptr;
};

// The metric that decides "best" in metrics.json, read from each history row.
struct HeadlineMetric {
  std::string key;  // e.g. "test_error"
  bool lower_is_better;
};

class Trainer {
 public:
  virtual ~Trainer() = default;

  // Loads data and builds the model. Bad or missing data files throw InputError (exit 2): this
  // runs before the run directory exists, so a bad input leaves nothing on disk.
  virtual void prepare() = 0;
  // The metrics.json "data" block: {"source": "synthetic" | "cifar10" | ..., sizes, counts ...}.
  virtual nlohmann::ordered_json data_info() const = 0;
  // The most epochs the run has; a trainer with a stopping criterion may end sooner (done_early).
  virtual int64_t num_epochs() const = 0;
  // True once the trainer has met its own stopping criterion (a margin reached, a tolerance met):
  // the runner then runs no further epoch and asks for final_metrics(). Part of the checkpointed
  // state, so a resumed run stops where the uninterrupted one did.
  virtual bool done_early() const { return false; }
  // Trains epoch `epoch` (0-based) and returns the training part of its history row (learning rate,
  // training loss and accuracy ...); `fit` puts "epoch" (1-based) first and times it. Values must be
  // finite (`fit` throws DivergedError otherwise); nothing volatile (no seconds): history is
  // identical between runs of the same spec and seed.
  virtual nlohmann::ordered_json train_epoch(int64_t epoch) = 0;
  // Evaluates the model after train_epoch(epoch): the rest of the row (test loss and accuracy ...),
  // timed by `fit` as the epoch's evaluation. Nothing by default.
  virtual nlohmann::ordered_json evaluate(int64_t epoch) { return nlohmann::ordered_json::object(); }
  // The metrics.json "final" block, called once after the last epoch with that epoch's history row
  // (an empty object when the run had no epoch).
  virtual nlohmann::ordered_json final_metrics(const nlohmann::ordered_json& last_row) = 0;
  virtual HeadlineMetric headline() const = 0;
  // Estimated relative cost of epoch `epoch` (any unit; only ratios matter), for the ETA of the
  // progress line. Trainers whose phases differ in speed override it; valid after prepare().
  virtual double epoch_cost(int64_t epoch) const { return 1.0; }
  // True when all of the trainer's training goes through the epoch driver, so that it can run
  // data-parallel (train/data_parallel.h: sharded batches, combined gradients). Closed-form and
  // full-batch solvers keep the default, and a world size above 1 is refused for them (exit 2).
  // Decided by the options alone (valid before prepare()).
  virtual bool supports_data_parallel() const { return false; }
  // Registers, once, everything needed to continue bit-identically after the last completed epoch:
  // modules, optimizers, random streams, JSON state. Called after prepare().
  virtual void register_state(CheckpointBundle& bundle) = 0;
};

struct TrainerInfo {
  std::string name;
  std::string help;  // one line for `wei-run list`
  ParamSchema schema;
  // Builds the trainer for a spec loaded against `schema` (plus the common keys).
  std::function<std::unique_ptr<Trainer>(const Spec&, const RunContext&)> create;
};

// The registry entry of a trainer with typed options: `options` (a schema with static lifetime)
// declares its keys, and `make(context, options)` builds it from the options bound from the spec.
template <typename Options, typename Make>
TrainerInfo trainer_info(std::string name, std::string help, const OptionSchema<Options>& options, Make make) {
  return {std::move(name), std::move(help), options.params(),
          [&options, make](const Spec& spec, const RunContext& ctx) -> std::unique_ptr<Trainer> {
            return make(ctx, options.bind(spec));
          }};
}

}  // namespace wei
