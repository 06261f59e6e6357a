#pragma once
// Trainer self_training, setting toy: a student MLP trained on the constructed teacher's labels of
// points on the circles of toy_manifolds.h, plus consistency.weight times a consistency term over
// the known neighbourhood (augment: a move along the circle of up to toy.shift; l2: VAT's
// adversarial perturbation of radius consistency.radius; none: the control). It reports the
// student's and the teacher's error on an evenly spaced grid of every circle, the expansion
// constant c computed from the construction and Theorem 4.3's bound 2 / (c - 1) * teacher error.
#include <memory>

#include "train/trainer.h"
#include "trainers/self_training/self_training_options.h"

namespace wei::self_training {

std::unique_ptr<Trainer> make_toy_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::self_training
