#pragma once
// data.kind: colored_mnist and celeba. A neural classifier trained on the labelled source with
// cross-entropy (source phase), then adapted on the unlabelled target (adapt phase) by
//   entropy:      adapt_steps steps on entropy_weight * H(target batch) + source_weight * CE(source batch)
//   pseudo_label: pl_rounds rounds; each relabels the target with the current model (top-class
//                 probability >= pl_threshold) and trains pl_epochs epochs on those labels
//                 (+ source_weight * CE of a source batch per step).
// Colored MNIST (paper): MLP 1568-128-64-10, SGD 0.03 momentum 0.9 wd 0.002, 30 epochs batch 64,
// then full-batch entropy minimisation (300 steps) or 3/6/30 pseudo-label rounds.
// CelebA (paper): VAT conv-small, Adam 1e-4 wd 0.002, then source + target entropy, weight 1.
// Each kind reads its own section (colored_mnist.* or celeba.*) of the same keys (spurious_options.h).
#include <memory>

#include "train/trainer.h"
#include "trainers/spurious_selftrain/spurious_options.h"

namespace wei::spurious_selftrain {

std::unique_ptr<Trainer> make_image_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::spurious_selftrain
