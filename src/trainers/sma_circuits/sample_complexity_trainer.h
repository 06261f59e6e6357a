#pragma once
// Trainer sma_circuits, both settings: a network learns the problem's target from its training part
// (SGD or Adam, batches from a seeded endless shuffle), evaluating the held-out validation part every
// optim.eval_every steps and stopping after optim.patience evaluations without a lower validation
// error, or at a validation error of 0. The weights of the lowest validation error are the result:
// their train, validation and test error, the step they come from, the parameter count and the
// setting's own figures.
#include <functional>
#include <memory>

#include "train/trainer.h"
#include "trainers/sma_circuits/learning_problem.h"
#include "trainers/sma_circuits/sma_circuits_options.h"

namespace wei::sma_circuits {

// `build` makes the problem in prepare() (it may throw InputError: nothing is on disk yet).
using ProblemBuilder = std::function<LearningProblem(const RunContext& ctx, const Options& options)>;

std::unique_ptr<Trainer> make_sample_complexity_trainer(const RunContext& ctx, const Options& options,
                                                        ProblemBuilder build);

}  // namespace wei::sma_circuits
