#pragma once
// The contract between the runner (core/runner.h) and a trainer.
//
// The runner owns everything generic: the run directory, metrics.json/history.jsonl, checkpoints,
// resume, signals, divergence bookkeeping and progress output. A trainer owns its data, model and
// optimisation, and exposes its work as a fixed number of "epochs" (history rows). For step-based
// methods an epoch is a logging interval of steps; multi-phase methods number their epochs across
// phases and say which phase a row belongs to.
//
// Life cycle: create -> prepare() -> [load_state() when resuming] -> train_epoch(e) for
// e = first..num_epochs()-1 -> final_metrics(). save_state() is called after each completed epoch.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include "spec/param_schema.h"
#include "spec/spec.h"

namespace wei {

// Polled by trainers inside long epochs; when it returns true, throw InterruptedError.
using StopRequested = std::function<bool()>;

struct RunContext {
  const Spec& spec;
  torch::Device device;
  uint64_t seed;  // spec "seed"; derive independent streams with core/seeding.h
  spdlog::logger& log;
  StopRequested stop_requested;
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
  virtual int64_t num_epochs() const = 0;
  // Runs epoch `epoch` (0-based) and returns its history row; the runner adds "epoch" (1-based).
  // Values must be finite: throw DivergedError on a non-finite loss. Volatile measurements (seconds,
  // images/s) go in a nested "timing" object: the runner moves it to metrics.json run.epoch_timing,
  // keeping history identical between runs of the same spec and seed.
  virtual nlohmann::ordered_json train_epoch(int64_t epoch) = 0;
  // The metrics.json "final" block, called once after the last epoch.
  virtual nlohmann::ordered_json final_metrics() = 0;
  virtual HeadlineMetric headline() const = 0;
  // Estimated relative cost of epoch `epoch` (any unit; only ratios matter), for the ETA of the
  // progress line. Trainers whose phases differ in speed override it; valid after prepare().
  virtual double epoch_cost(int64_t epoch) const { return 1.0; }
  // Everything needed to continue bit-identically: parameters, optimiser, RNG streams.
  virtual void save_state(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load_state(torch::serialize::InputArchive& archive) = 0;
};

struct TrainerInfo {
  std::string name;
  std::string help;  // one line for `wei-run list`
  std::function<ParamSchema()> schema;
  std::function<std::unique_ptr<Trainer>(const RunContext&)> create;
};

}  // namespace wei
