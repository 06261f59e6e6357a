#pragma once
// The one epoch loop of every trainer, run by the runner (run/runner.h) and by the trainer tests
// alike. For each epoch from the record's next one up to Trainer::num_epochs() (or until the
// trainer is done early) it asks whether to stop, runs Trainer::train_epoch and Trainer::evaluate,
// times both, checks the row for non-finite values, adds it to the record (history, best, timing),
// has the caller save the checkpoint and publish the row, and at the end returns
// Trainer::final_metrics of the last row.
//
// The record is what a checkpoint holds of the loop (register_fit_record); a run resumed from one
// continues where it stopped. An epoch whose checkpoint cannot be written (WriteError) is taken out
// of the record again, so the record always matches the checkpoint on disk.
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/checkpoint_bundle.h"
#include "train/epoch_meter.h"
#include "train/trainer.h"

namespace wei {

struct FitRecord {
  int64_t epochs_done = 0;
  std::vector<nlohmann::ordered_json> history;         // one row per epoch, "epoch" (1-based) first
  nlohmann::ordered_json best = nlohmann::ordered_json::object();  // {headline key: value, "epoch": n}
  nlohmann::ordered_json epoch_timing = nlohmann::ordered_json::array();  // volatile: metrics.json run.epoch_timing
  int64_t steps_done = 0;  // optimizer updates, for the step of a divergence after a resume
};

// Registers the record under "runner" beside `extra` (the runner's own JSON state: it saves and
// loads its keys in the same object), so one checkpoint entry holds both.
void register_fit_record(CheckpointBundle& bundle, FitRecord& record,
                         std::function<void(nlohmann::ordered_json&)> save_extra = {},
                         std::function<void(const nlohmann::ordered_json&)> load_extra = {});

struct FitHooks {
  // Asked before each epoch; true ends the loop with InterruptedError (a data-parallel run agrees
  // on it between the ranks). Unset: never.
  std::function<bool()> stop_requested;
  // After an epoch is in the record: persist the checkpoint (may throw WriteError).
  std::function<void()> save_checkpoint;
  // After the checkpoint: publish the row (history.jsonl, progress line).
  std::function<void(int64_t epoch, const nlohmann::ordered_json& row)> epoch_committed;
  // Volatile figures of the epoch added by the caller (data-parallel communication seconds).
  std::function<void(nlohmann::ordered_json& timing)> add_timing;
};

// Runs the remaining epochs and returns the "final" block. Throws DivergedError (a non-finite value
// in a row or in the final block; its step is meter.steps_done), InterruptedError, WriteError, or
// whatever the trainer throws. `meter` is the one in the trainer's RunContext.
nlohmann::ordered_json fit(Trainer& trainer, FitRecord& record, EpochMeter& meter, const FitHooks& hooks = {});

}  // namespace wei
