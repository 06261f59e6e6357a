#pragma once
// data.kind: gaussian. A unit-norm linear classifier w (no bias) trained on the labelled source
// with the logistic loss, then adapted on unlabelled target data by entropy minimisation or by
// rounds of pseudo-labelling; plain gradient steps, each followed by w <- w / ||w||.
// Epochs: ceil(source_steps / log_every) source rows, then ceil(target_steps / log_every)
// entropy rows or one row per pseudo-label round.
#include <memory>

#include "train/trainer.h"
#include "trainers/spurious_selftrain/spurious_options.h"

namespace wei::spurious_selftrain {

std::unique_ptr<Trainer> make_toy_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::spurious_selftrain
