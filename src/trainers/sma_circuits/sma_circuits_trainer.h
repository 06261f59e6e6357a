#pragma once
// Trainer "sma_circuits": Wei, Chen & Ma, "Statistically Meaningful Approximation: a Case Study on
// Approximating Turing Machines with Transformers" (NeurIPS 2022) prove that the sample complexity
// of learning a boolean circuit with an overparameterized MLP is polynomial in the circuit's size,
// not in the network's, and that a Transformer learns what a Turing machine computes in T steps
// with a sample complexity polynomial in its alphabet and state sizes and in log T. The paper runs
// no experiment; this trainer measures both: `setting: circuit` (circuit_problem.h) and `setting:
// turing` (turing_problem.h), one run learning one target from n examples
// (sample_complexity_trainer.h); sweeps over n give n*(eps), the smallest n reaching test error eps
// (`wei-run threshold`).
#include "train/trainer.h"

namespace wei {

TrainerInfo sma_circuits_trainer_info();

}  // namespace wei
