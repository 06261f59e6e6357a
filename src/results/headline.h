#pragma once
// The headline metric of the runs' trainer (Trainer::headline(), the key the progress line leads
// with). Results hold no trainer object, but the runner keeps the best value of exactly that
// history key in metrics.json: "best": {<headline>: value, "epoch": e}, so its first key names it.
#include <optional>
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

// The headline history key ("test_error", "val_acc") of `runs`; nullopt when no run records a best
// value. InputError when runs of different trainers name different ones.
std::optional<std::string> headline_metric(const std::vector<RunRecord>& runs);

}  // namespace wei
