#include "metrics/progress.h"

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
  wei::ProgressReporter progress(log, 10, 0, /*live=*/false, headline_key);
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
