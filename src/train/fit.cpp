#include "train/fit.h"

#include <string>
#include <utility>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/finite_json.h"
#include "base/stopwatch.h"

namespace wei {

using json = nlohmann::ordered_json;

void register_fit_record(CheckpointBundle& bundle, FitRecord& record, std::function<void(json&)> save_extra,
                         std::function<void(const json&)> load_extra) {
  bundle.add_json(
      "runner",
      [&record, save_extra] {
        json doc;
        doc["epochs_done"] = record.epochs_done;
        doc["history"] = record.history;
        doc["best"] = record.best;
        doc["epoch_timing"] = record.epoch_timing;
        doc["steps_done"] = record.steps_done;
        if (save_extra) save_extra(doc);
        return doc;
      },
      [&record, load_extra](const json& doc) {
        record.epochs_done = doc.at("epochs_done").get<int64_t>();
        record.history.assign(doc.at("history").begin(), doc.at("history").end());
        record.best = doc.at("best");
        record.epoch_timing = doc.at("epoch_timing");
        record.steps_done = doc.value("steps_done", int64_t{0});  // absent in checkpoints of older versions
        if (load_extra) load_extra(doc);
      });
}

namespace {

void update_best(json& best, const json& row, const HeadlineMetric& headline) {
  if (!row.contains(headline.key) || !row[headline.key].is_number()) return;
  const double value = row[headline.key].get<double>();
  const bool better = !best.contains(headline.key) ||
                      (headline.lower_is_better ? value < best[headline.key].get<double>()
                                                : value > best[headline.key].get<double>());
  if (better) {
    best = json::object();
    best[headline.key] = value;
    best["epoch"] = row["epoch"];
  }
}

// Trains and evaluates epoch `epoch` (0-based): its history row, and its volatile figures in `timing`.
json run_epoch(Trainer& trainer, int64_t epoch, EpochMeter& meter, json& timing) {
  const Stopwatch epoch_watch;
  meter.start_epoch();
  json row;
  row["epoch"] = epoch + 1;
  const Stopwatch train_watch;
  row.update(trainer.train_epoch(epoch));
  const double train_seconds = train_watch.seconds();
  const Stopwatch eval_watch;
  row.update(trainer.evaluate(epoch));
  const double eval_seconds = eval_watch.seconds();

  timing["epoch"] = epoch + 1;
  timing["seconds"] = epoch_watch.seconds();
  timing["train_seconds"] = train_seconds;
  timing["eval_seconds"] = eval_seconds;
  if (meter.examples > 0 || meter.data_seconds > 0) timing["data_seconds"] = meter.data_seconds;
  if (meter.examples > 0) timing["train_images_per_second"] = static_cast<double>(meter.examples) / train_seconds;
  if (const std::string bad = first_non_finite(row); !bad.empty()) {
    throw DivergedError(meter.steps_done, "non-finite " + bad + " in epoch " + std::to_string(epoch + 1));
  }
  return row;
}

}  // namespace

json fit(Trainer& trainer, FitRecord& record, EpochMeter& meter, const FitHooks& hooks) {
  const HeadlineMetric headline = trainer.headline();
  meter.steps_done = record.steps_done;
  for (int64_t epoch = record.epochs_done; epoch < trainer.num_epochs() && !trainer.done_early(); ++epoch) {
    if (hooks.stop_requested && hooks.stop_requested()) throw InterruptedError();
    json timing;
    const json row = run_epoch(trainer, epoch, meter, timing);
    if (hooks.add_timing) hooks.add_timing(timing);

    // What the checkpoint on disk holds, if this one fails: the epoch's rows come off again, and
    // the few scalars are restored (the history itself is not copied each epoch).
    const int64_t epochs_before = record.epochs_done, steps_before = record.steps_done;
    const json best_before = record.best;
    record.history.push_back(row);
    record.epoch_timing.push_back(timing);
    record.epochs_done = epoch + 1;
    record.steps_done = meter.steps_done;
    update_best(record.best, row, headline);
    try {
      if (hooks.save_checkpoint) hooks.save_checkpoint();
    } catch (const WriteError&) {
      record.history.pop_back();
      record.epoch_timing.erase(record.epoch_timing.end() - 1);
      record.epochs_done = epochs_before;
      record.steps_done = steps_before;
      record.best = best_before;
      throw;
    }
    if (hooks.epoch_committed) hooks.epoch_committed(epoch, row);
  }
  const json last_row = record.history.empty() ? json::object() : record.history.back();
  json final_block = trainer.final_metrics(last_row);
  if (const std::string bad = first_non_finite(final_block); !bad.empty()) {
    throw DivergedError(meter.steps_done, "non-finite final metric " + bad);
  }
  return final_block;
}

}  // namespace wei
