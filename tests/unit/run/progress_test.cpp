#include "run/progress.h"

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

using nlohmann::ordered_json;

namespace {

// The plain (non-live) progress line logged for the first epoch of a run with `headline_key`.
std::string first_line(const ordered_json& row, const std::string& headline_key) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger log("progress_test", sink);
  log.set_pattern("%v");
  wei::ProgressReporter progress(log, std::vector<double>(10, 1.0), 0, /*live=*/false, headline_key);
  progress.epoch_done(0, row);
  return out.str();
}

}  // namespace

TEST_CASE("progress lines show the headline metric even when the row has many numbers before it", "[metrics]") {
  const ordered_json row = {{"lr", 0.1},         {"train_loss", 2.5}, {"train_accuracy", 80.0}, {"test_loss", 11.0},
                            {"test_accuracy", 43.0}, {"test_error", 57.0}, {"sampling", "uniform"}};
  const std::string with_headline = first_line(row, "test_error");
  CHECK(with_headline.rfind("epoch 1/10 test_error=57 lr=0.1 train_loss=2.5 train_accuracy=80 |", 0) == 0);

  const std::string without = first_line(row, "");
  CHECK(without.rfind("epoch 1/10 lr=0.1 train_loss=2.5 train_accuracy=80 test_loss=11 |", 0) == 0);
  // A headline the row lacks (pretraining rows of hmm_prompt) changes nothing.
  const std::string absent = first_line(row, "val_acc");
  CHECK(absent.substr(0, absent.find('|')) == without.substr(0, without.find('|')));
}

TEST_CASE("the ETA weighs the epochs left by their cost", "[metrics]") {
  spdlog::logger log("progress_test");
  // A slow phase (cost 10 each), a free one, then a medium one (cost 5), as in hmm_prompt.
  const std::vector<double> costs = {10, 10, 0, 0, 0, 5, 5};
  const wei::ProgressReporter fresh(log, costs, 0, false);
  CHECK(fresh.eta(0, 100.0) == Approx(100.0 * 20 / 10));  // 20 cost units left, 10 took 100 s
  CHECK(fresh.eta(1, 200.0) == Approx(200.0 * 10 / 20));
  CHECK(fresh.eta(6, 300.0) == Approx(0.0));
  // A run resumed at epoch 2 only counts what it did itself; before any costed epoch it falls back
  // to equal epochs.
  const wei::ProgressReporter resumed(log, costs, 2, false);
  CHECK(resumed.eta(2, 1.0) == Approx(4.0));
  CHECK(resumed.eta(5, 8.0) == Approx(8.0 * 5 / 5));
  // Equal costs give the plain average.
  const wei::ProgressReporter even(log, std::vector<double>(4, 1.0), 0, false);
  CHECK(even.eta(0, 3.0) == Approx(9.0));
}
