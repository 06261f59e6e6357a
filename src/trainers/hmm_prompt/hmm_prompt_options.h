#pragma once
// The spec keys of trainer "hmm_prompt", one field each. Defaults: the paper's HMM, task and tuning
// settings with a CPU-sized encoder and pretraining (configs/hmm_prompt/paper_cuda.yaml has the
// paper's BERT-base scale).
#include <cstdint>

#include "spec/option_schema.h"

namespace wei::hmm_prompt {

enum class HmmKind { kVanilla, kMemory };
enum class HeadChoice { kAuto, kLinear, kAttention };
// Label matrix: `nonzeros` distinct cells with a minority class of at least 10% (ours), or the
// reference code's cells drawn with replacement, redrawn only while a class is empty.
enum class LabelDraw { kDistinct, kReference };
// Which tuning epoch's test accuracy final.* reports: the best validation epoch (ours), or the
// last epoch (the reference code).
enum class Report { kBestVal, kFinal };

struct Options {
  // Paper Section 5 / Appendix: V = 10, T = T_e = 0.01.
  struct Hmm {
    HmmKind kind = HmmKind::kVanilla;
    int64_t states = 4;
    int64_t memory = 2;
    int64_t vocab = 10;
    double start_temperature = 10.0;
    double transition_temperature = 0.01;
    double emission_temperature = 0.01;
  } hmm;
  struct Model {
    int64_t layers = 2;
    int64_t width = 32;
    int64_t heads = 2;
    int64_t ff_width = 128;
    double dropout = 0.0;
  } model;
  // Paper: 5,000 sequences x 10,240 tokens.
  struct Pretrain {
    int64_t sequences = 1000;
    int64_t sequence_length = 1280;
    int64_t block_length = 80;
    double mask_prob = 0.15;
    int64_t steps = 300;
    int64_t batch_size = 32;
    double lr = 1e-3;
    double warmup_fraction = 0.05;
    double weight_decay = 0.01;
    double grad_clip = 1.0;
    int64_t log_every = 100;
  } pretrain;
  // Paper: length 128, 79 input tokens, 20-token prompt, 5000/500/1000 examples.
  struct Task {
    int64_t sequence_length = 128;
    int64_t input_tokens = 79;
    int64_t prompt_length = 20;
    int64_t train_size = 5000;
    int64_t val_size = 500;
    int64_t test_size = 1000;
    int64_t nonzeros = 6;
    LabelDraw label_draw = LabelDraw::kDistinct;
  } task;
  // Paper: Adam-style, lr 0.01, 100 epochs, batch 128, warm-up then linear decay.
  struct Tune {
    HeadChoice head = HeadChoice::kAuto;
    double lr = 0.01;
    int64_t batch_size = 128;
    double warmup_fraction = 0.06;
    int64_t head_epochs = 100;
    int64_t prompt_epochs = 3;
    Report report = Report::kBestVal;
  } tune;
};

const OptionSchema<Options>& options_schema();

}  // namespace wei::hmm_prompt
