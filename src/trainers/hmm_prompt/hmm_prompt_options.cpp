#include "trainers/hmm_prompt/hmm_prompt_options.h"

#include <algorithm>

#include "base/int_math.h"
#include "train/trainer.h"

namespace wei::hmm_prompt {

const OptionSchema<Options>& options_schema() {
  using O = Options;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    using H = O::Hmm;
    s.enum_choice("hmm.kind", {{"vanilla", HmmKind::kVanilla}, {"memory", HmmKind::kMemory}},
                  "vanilla HMM or memory-augmented HMM (states (m, s))", &O::hmm, &H::kind);
    s.field("hmm.states", "hidden states H of the vanilla HMM (paper: 4, 8, 10, 15, 25, 30)", &O::hmm, &H::states)
        .at_least(1)
        .when("hmm.kind", {"vanilla"});
    s.field("hmm.memory", "memory values M of the memory HMM; it has 4M hidden states (paper: 2, 3, 5, 7)", &O::hmm,
            &H::memory)
        .at_least(1)
        .when("hmm.kind", {"memory"});
    s.field("hmm.vocab", "vocabulary size V (paper: 10)", &O::hmm, &H::vocab).at_least(2);
    s.field("hmm.start_temperature", "start distribution = softmax((U - 0.5) / this)", &O::hmm, &H::start_temperature)
        .greater_than(0);
    s.field("hmm.transition_temperature", "permutation-mixture weights = softmax((U - 0.5) / this)", &O::hmm,
            &H::transition_temperature)
        .greater_than(0);
    s.field("hmm.emission_temperature", "emission rows = softmax((U - 0.5) / this)", &O::hmm,
            &H::emission_temperature)
        .greater_than(0);

    using M = O::Model;
    s.field("model.layers", "Transformer encoder layers (BERT-base: 12)", &O::model, &M::layers).at_least(1);
    s.field("model.width", "model width d_model (BERT-base: 768)", &O::model, &M::width).at_least(1);
    s.field("model.heads", "attention heads (BERT-base: 12)", &O::model, &M::heads).at_least(1);
    s.field("model.ff_width", "feed-forward width (BERT-base: 3072)", &O::model, &M::ff_width).at_least(1);
    s.field("model.dropout", "dropout in the encoder during pretraining (BERT: 0.1)", &O::model, &M::dropout)
        .at_least(0)
        .less_than(1);

    using P = O::Pretrain;
    s.field("pretrain.sequences", "HMM sequences sampled for pretraining (paper: 5000)", &O::pretrain, &P::sequences)
        .at_least(1);
    s.field("pretrain.sequence_length", "tokens per pretraining sequence (paper: 10240)", &O::pretrain,
            &P::sequence_length)
        .at_least(1);
    s.field("pretrain.block_length", "pretraining window: sequences are cut into blocks of this many tokens",
            &O::pretrain, &P::block_length)
        .at_least(2);
    s.field("pretrain.mask_prob", "probability a position is selected for prediction (BERT 80/10/10 rule)",
            &O::pretrain, &P::mask_prob)
        .greater_than(0)
        .at_most(1);
    s.field("pretrain.steps", "optimizer steps", &O::pretrain, &P::steps).at_least(1);
    s.field("pretrain.batch_size", "blocks per step", &O::pretrain, &P::batch_size).at_least(1);
    s.field("pretrain.lr", "peak AdamW learning rate", &O::pretrain, &P::lr).greater_than(0);
    s.field("pretrain.warmup_fraction", "fraction of steps of linear warm-up before linear decay", &O::pretrain,
            &P::warmup_fraction)
        .at_least(0)
        .less_than(1);
    s.field("pretrain.weight_decay", "AdamW weight decay (BERT: 0.01)", &O::pretrain, &P::weight_decay).at_least(0);
    s.field("pretrain.grad_clip", "gradient-norm clip, 0 = off", &O::pretrain, &P::grad_clip).at_least(0);
    s.field("pretrain.log_every", "pretraining steps per history row", &O::pretrain, &P::log_every).at_least(1);

    using T = O::Task;
    s.field("task.sequence_length",
            "tokens per downstream sequence; the label posterior conditions on x_1..x_{T-1}", &O::task,
            &T::sequence_length)
        .at_least(2);
    s.field("task.input_tokens",
            "tokens after [MASK] in the model input (input_tokens - prompt_length with a prompt)", &O::task,
            &T::input_tokens)
        .at_least(1);
    s.field("task.prompt_length", "learned prompt vectors in prompt tuning", &O::task, &T::prompt_length).at_least(1);
    s.field("task.train_size", "downstream training examples", &O::task, &T::train_size).at_least(1);
    s.field("task.val_size", "validation examples (select the reported epoch)", &O::task, &T::val_size).at_least(1);
    s.field("task.test_size", "test examples", &O::task, &T::test_size).at_least(1);
    s.field("task.nonzeros", "nonzero N(0, 1) entries of the 2 x K label matrix (cells drawn, with label_draw: reference)",
            &O::task, &T::nonzeros)
        .at_least(1);
    s.enum_choice("task.label_draw", {{"distinct", LabelDraw::kDistinct}, {"reference", LabelDraw::kReference}},
                  "label matrix: distinct = nonzeros distinct cells, redrawn until the minority class holds 10% of "
                  "the training labels; reference = the reference code's nonzeros cells drawn with replacement, "
                  "redrawn only while a class is empty",
                  &O::task, &T::label_draw);

    using U = O::Tune;
    s.enum_choice("tune.head",
                  {{"auto", HeadChoice::kAuto}, {"linear", HeadChoice::kLinear}, {"attention", HeadChoice::kAttention}},
                  "head on the MLM outputs; auto = attention for the memory HMM, linear otherwise", &O::tune,
                  &U::head);
    s.field("tune.lr", "peak Adam learning rate of heads and prompts (paper: 0.01)", &O::tune, &U::lr)
        .greater_than(0);
    s.field("tune.batch_size", "tuning batch size (paper: 128)", &O::tune, &U::batch_size).at_least(1);
    s.field("tune.warmup_fraction", "fraction of tuning steps of linear warm-up (not stated in the paper)", &O::tune,
            &U::warmup_fraction)
        .at_least(0)
        .less_than(1);
    s.field("tune.head_epochs", "head-tuning epochs (paper: 100)", &O::tune, &U::head_epochs).at_least(1);
    s.field("tune.prompt_epochs", "prompt-tuning epochs (paper: 100; 3 keeps the CPU default short)", &O::tune,
            &U::prompt_epochs)
        .at_least(1);
    s.enum_choice("tune.report", {{"best_val", Report::kBestVal}, {"final", Report::kFinal}},
                  "test accuracy reported in final.*: at the best validation epoch, or after the last epoch (the "
                  "reference code)",
                  &O::tune, &U::report);

    s.check({"task.input_tokens", "task.sequence_length"}, "task.input_tokens < task.sequence_length",
            [](const O& o) { return o.task.input_tokens < o.task.sequence_length; });
    s.check({"task.prompt_length", "task.input_tokens"}, "task.prompt_length < task.input_tokens",
            [](const O& o) { return o.task.prompt_length < o.task.input_tokens; });
    s.check({"pretrain.block_length", "pretrain.sequence_length"}, "pretrain.block_length <= pretrain.sequence_length",
            [](const O& o) { return o.pretrain.block_length <= o.pretrain.sequence_length; });
    s.check({"pretrain.block_length", "task.input_tokens"},
            "pretrain.block_length >= task.input_tokens + 1 (the tuning input length)",
            [](const O& o) { return o.pretrain.block_length >= o.task.input_tokens + 1; });
    s.check({"model.width", "model.heads"}, "model.width is a multiple of model.heads",
            [](const O& o) { return o.model.width % o.model.heads == 0; });
    s.memory_estimate([](const O& o) {
      const auto d = [](int64_t v) { return static_cast<double>(v); };
      const double states = o.hmm.kind == HmmKind::kVanilla ? d(o.hmm.states) : 4 * d(o.hmm.memory);
      const double examples = d(o.task.train_size + o.task.val_size + o.task.test_size);
      const double input = d(o.task.input_tokens + 1);
      const double length = std::max(d(o.pretrain.block_length), input + d(o.task.prompt_length));
      const double width = d(o.model.width), ff = d(o.model.ff_width), layers = d(o.model.layers);
      const double parameters = (2 * d(o.hmm.vocab) + 1 + length) * width + layers * (4 * width * width + 2 * width * ff);
      // Per token and layer: the saved inputs of the attention and feed-forward blocks and their
      // norms, plus the attention weights of every head.
      const auto activations = [&](double batch, double tokens) {
        return batch * tokens * layers * (12 * width + 2 * ff + 3 * d(o.model.heads) * tokens) * 4;
      };
      MemoryEstimate m;
      m.parts = {
          {"pretraining corpus", d(o.pretrain.sequences) * d(o.pretrain.sequence_length) * 8 * 2},
          // Tokens, posteriors, the MLM features and the exact ones of the ideal head.
          {"downstream data and posteriors",
           examples * (d(o.task.sequence_length) * 8 + states * 8 + 2 * input * d(o.hmm.vocab) * 4) +
               d(o.task.sequence_length) * states * 8 * 2 + states * states * 8 * 2},
          {"model and optimizers", parameters * 4 * 5},
          {"activations of one batch", std::max(activations(d(o.pretrain.batch_size), d(o.pretrain.block_length)),
                                                activations(d(o.tune.batch_size), input + d(o.task.prompt_length)))},
          {"history", d(ceil_div(o.pretrain.steps, o.pretrain.log_every) + o.tune.head_epochs + o.tune.prompt_epochs) *
                          kHistoryRowBytes}};
      return m;
    });
    return s;
  }();
  return schema;
}

}  // namespace wei::hmm_prompt
