#pragma once
// Trainer sma_circuits, setting circuit: an MLP with one logit learns a balanced boolean function of
// d uniform bits (labelling_function.h) from n labelled examples, by SGD or Adam on the logistic
// loss, evaluating the held-out validation part every optim.eval_every steps and stopping after
// optim.patience evaluations without a lower validation error, or at a validation error of 0. The weights of the lowest validation
// error are the result: their train, validation and test error (test: data.test_size fresh inputs),
// their normalised output margin and the parameter count.
#include <memory>

#include "train/trainer.h"
#include "trainers/sma_circuits/sma_circuits_options.h"

namespace wei::sma_circuits {

std::unique_ptr<Trainer> make_circuit_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::sma_circuits
