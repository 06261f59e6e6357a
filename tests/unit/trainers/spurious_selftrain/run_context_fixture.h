#pragma once
// Builds the RunContext a trainer of spurious_selftrain sees, from the trainer's schema defaults
// plus overrides, without going through the CLI or the runner.
#include <map>
#include <memory>
#include <string>

#include "support/trainer_fixture.h"
#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

namespace wei::spurious_selftrain::testing {

// The spurious_selftrain trainer built from its schema defaults plus `overrides`.
class ContextFixture : public wei::testing::TrainerFixture {
 public:
  explicit ContextFixture(const std::map<std::string, ParamValue>& overrides, uint64_t seed = 0)
      : wei::testing::TrainerFixture(spurious_selftrain_trainer_info(), overrides, seed) {}
};

// Runs every epoch and returns {last history row, final block}.
inline std::pair<nlohmann::ordered_json, nlohmann::ordered_json> run_all(Trainer& trainer) {
  trainer.prepare();
  const auto run = wei::testing::fit_to_end(trainer);
  return {run.rows.back(), run.final};
}

}  // namespace wei::spurious_selftrain::testing
