#pragma once
// Trainer "sma_circuits": Wei, Chen & Ma, "Statistically Meaningful Approximation: a Case Study on
// Approximating Turing Machines with Transformers" (NeurIPS 2022) prove that the sample complexity
// of learning a boolean circuit with an overparameterized MLP is polynomial in the circuit's size,
// not in the network's. The paper runs no experiment; this trainer measures it. `setting: circuit`
// (circuit_trainer.h): one run learns one function from n examples; sweeps over n, the circuit's
// size and the width give n*(eps), the smallest n reaching test error eps.
#include "train/trainer.h"

namespace wei {

TrainerInfo sma_circuits_trainer_info();

}  // namespace wei
