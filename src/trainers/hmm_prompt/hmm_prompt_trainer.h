#pragma once
// Trainer "hmm_prompt": Wei, Xie, Ma, "Why Do Pretrained Language Models Help in Downstream
// Tasks? An Analysis of Head and Prompt Tuning" (NeurIPS 2021).
//
// One run draws an HMM, pretrains an MLM Transformer on its sequences, then on the frozen model
// trains (1) a head on its [MASK] prediction and the exact-posterior "oracle" head side by side,
// and (2) prompt vectors plus the same kind of head. History rows, numbered across phases:
//   phase "pretrain": ceil(pretrain.steps / pretrain.log_every) rows of MLM loss/accuracy;
//   phase "head":     tune.head_epochs rows (head and oracle head accuracies);
//   phase "prompt":   tune.prompt_epochs rows.
// final: head_tuning_acc, prompt_tuning_acc and oracle_head_acc, each the test accuracy at the
// epoch of best validation accuracy. Keys: hmm_prompt_options.h.
#include "train/trainer.h"

namespace wei {

TrainerInfo hmm_prompt_trainer_info();

}  // namespace wei
