#pragma once
// The `circuit` setting of sma_circuits: a balanced boolean function of circuit.inputs = d uniform
// bits (a random circuit, a parity or a majority; balanced_draw.h), n labelled examples of it (the
// inputs as +-1), and an MLP with one logit, trained on its plain loss or, with `regulariser:
// all_layer_margin`, on AMO's perturbed loss (train/all_layer_margin_step.h). Its final figures add
// the normalised output margin (output_margin.h).
#include "train/trainer.h"
#include "trainers/sma_circuits/learning_problem.h"
#include "trainers/sma_circuits/sma_circuits_options.h"

namespace wei::sma_circuits {

LearningProblem make_circuit_problem(const RunContext& ctx, const Options& options);

}  // namespace wei::sma_circuits
