#pragma once
// The `turing` setting of sma_circuits: a Turing machine (turing_machine.h) drawn from turing.seed
// until its labels are balanced (the most frequent label's share within turing.balance of
// 1 / classes), n uniform initial tapes labelled with the symbol under the head after T steps (or
// the state), and the BERT-style encoder of hmm_prompt reading the tape, its logits taken at cell 0
// (where the head starts). Wei, Chen & Ma's claim: a sample complexity polynomial in the alphabet
// and state sizes and in log T.
#include "train/trainer.h"
#include "trainers/sma_circuits/learning_problem.h"
#include "trainers/sma_circuits/sma_circuits_options.h"

namespace wei::sma_circuits {

LearningProblem make_turing_problem(const RunContext& ctx, const Options& options);

}  // namespace wei::sma_circuits
