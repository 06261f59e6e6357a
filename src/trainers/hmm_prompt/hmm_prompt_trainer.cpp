#include "trainers/hmm_prompt/hmm_prompt_trainer.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "models/transformer_mlm.h"
#include "train/epoch_driver.h"
#include "trainers/hmm_prompt/downstream_task.h"
#include "trainers/hmm_prompt/hmm.h"
#include "trainers/hmm_prompt/hmm_prompt_options.h"
#include "trainers/hmm_prompt/pretraining.h"
#include "trainers/hmm_prompt/tuning.h"

namespace wei {
namespace {

using hmm_prompt::HeadChoice;
using hmm_prompt::HeadKind;
using hmm_prompt::HmmKind;
using hmm_prompt::Options;

// The tuning epoch whose accuracies final.* reports: the one of best validation accuracy (first
// one on ties), or with `last` (tune.report: final, the reference code's protocol) the last one
// offered.
struct ReportedEpoch {
  bool last = false;
  double val_acc = -1.0;
  double test_acc = 0.0;
  int64_t epoch = 0;

  void offer(double val, double test, int64_t at) {
    if (last || val > val_acc) {
      val_acc = val;
      test_acc = test;
      epoch = at;
    }
  }
  void register_state(CheckpointBundle& bundle, const std::string& key) {
    bundle.add_json(
        key, [this] { return nlohmann::ordered_json{{"val_acc", val_acc}, {"test_acc", test_acc}, {"epoch", epoch}}; },
        [this](const nlohmann::ordered_json& j) {
          val_acc = j.at("val_acc").get<double>();
          test_acc = j.at("test_acc").get<double>();
          epoch = j.at("epoch").get<int64_t>();
        });
  }
};

// A classifier head tuned on fixed features [N, L, F]: the frozen MLM's predictions (head
// tuning), the exact posterior of the label's hidden variable (oracle head) or the exact
// conditionals a perfect MLM would output (ideal head).
struct FixedFeatureHead {
  hmm_prompt::ClassifierHead module{nullptr};
  std::optional<torch::optim::Adam> optimizer;
  torch::Tensor train, val, test;
  ReportedEpoch reported;

  struct Epoch {
    hmm_prompt::EpochStats stats;
    double val_acc = 0.0;
    double test_acc = 0.0;
  };

  explicit FixedFeatureHead(bool report_last) { reported.last = report_last; }
  void create(HeadKind kind, int64_t features, double lr, const torch::Device& device) {
    module = hmm_prompt::ClassifierHead(kind, features, hmm_prompt::kNumClasses);
    module->to(device);
    optimizer.emplace(module->parameters(), torch::optim::AdamOptions(lr));
  }
  // One epoch on the training features in the order `perm`, then the validation and test
  // accuracies, offered to `reported` as epoch `epoch + 1`.
  Epoch run_epoch(const torch::Tensor& y_train, const torch::Tensor& y_val, const torch::Tensor& y_test,
                  const torch::Tensor& perm, const hmm_prompt::TuneOptions& tune, int64_t epoch, int64_t epochs,
                  const StopToken& stop) {
    Epoch out;
    out.stats = hmm_prompt::train_head_epoch(module, *optimizer, train, y_train, perm, tune, epoch, epochs, stop);
    out.val_acc = hmm_prompt::head_accuracy(module, val, y_val);
    out.test_acc = hmm_prompt::head_accuracy(module, test, y_test);
    reported.offer(out.val_acc, out.test_acc, epoch + 1);
    return out;
  }
  void register_state(CheckpointBundle& bundle, const std::string& module_key, const std::string& optimizer_key,
                      const std::string& reported_key) {
    bundle.add_module(module_key, *module);
    bundle.add_optimizer(optimizer_key, *optimizer);
    reported.register_state(bundle, reported_key);
  }
};

class HmmPromptTrainer : public Trainer {
 public:
  HmmPromptTrainer(const RunContext& ctx, const Options& options);

  void prepare() override;
  nlohmann::ordered_json data_info() const override;
  int64_t num_epochs() const override { return pretrain_rows_ + options_.tune.head_epochs + options_.tune.prompt_epochs; }
  nlohmann::ordered_json train_epoch(int64_t epoch) override;
  nlohmann::ordered_json final_metrics(const nlohmann::ordered_json& last_row) override;
  HeadlineMetric headline() const override { return {"val_acc", false}; }
  bool supports_data_parallel() const override { return true; }
  double epoch_cost(int64_t epoch) const override;
  void register_state(CheckpointBundle& bundle) override;

 private:
  nlohmann::ordered_json pretrain_row(int64_t row);
  nlohmann::ordered_json head_row(int64_t epoch);
  nlohmann::ordered_json prompt_row(int64_t epoch);
  int64_t head_feature_positions() const;
  void compute_head_features();
  torch::Tensor shuffled(int64_t n);

  RunContext ctx_;
  const Options options_;
  const bool memory_;
  const HeadKind head_kind_;
  const int64_t vocab_;
  const int64_t input_tokens_;
  const int64_t pretrain_rows_;
  const hmm_prompt::TuneOptions tune_;

  hmm_prompt::Hmm hmm_;
  hmm_prompt::DownstreamTask task_;
  torch::Tensor blocks_;  // pretraining corpus [num_blocks, block_length]
  models::TransformerMlm model_{nullptr};
  std::optional<torch::optim::AdamW> pretrain_opt_;
  at::Generator pretrain_gen_;  // batch choice and masking
  at::Generator tune_gen_;      // epoch shuffles
  torch::Tensor inputs_train_, inputs_val_, inputs_test_;         // [MASK] + input_tokens
  torch::Tensor prompt_train_, prompt_val_, prompt_test_;         // [MASK] + input_tokens - prompt
  torch::Tensor y_train_, y_val_, y_test_;
  FixedFeatureHead head_;    // on the frozen MLM's probabilities, computed when head tuning starts
  FixedFeatureHead oracle_;  // on the exact posteriors [N, 1, K]
  FixedFeatureHead ideal_;   // on the exact MLM conditionals [N, 1 or 1 + input_tokens, V]
  std::optional<hmm_prompt::PromptTuner> prompt_;
  ReportedEpoch best_prompt_;
  double last_mlm_loss_ = 0.0;
  double last_mlm_acc_ = 0.0;
};

HmmPromptTrainer::HmmPromptTrainer(const RunContext& ctx, const Options& options)
    : ctx_(ctx),
      options_(options),
      memory_(options_.hmm.kind == HmmKind::kMemory),
      head_kind_(options_.tune.head == HeadChoice::kAttention || (options_.tune.head == HeadChoice::kAuto && memory_)
                     ? HeadKind::kAttention
                     : HeadKind::kLinear),
      vocab_(options_.hmm.vocab),
      input_tokens_(options_.task.input_tokens),
      pretrain_rows_(ceil_div(options_.pretrain.steps, options_.pretrain.log_every)),
      tune_{options_.tune.lr, options_.tune.batch_size, options_.tune.warmup_fraction},
      pretrain_gen_(make_generator(ctx.seed, "pretrain-batches")),
      tune_gen_(make_generator(ctx.seed, "tune-shuffle")),
      head_(options_.tune.report == hmm_prompt::Report::kFinal),
      oracle_(options_.tune.report == hmm_prompt::Report::kFinal),
      ideal_(options_.tune.report == hmm_prompt::Report::kFinal) {
  best_prompt_.last = options_.tune.report == hmm_prompt::Report::kFinal;
}

void HmmPromptTrainer::prepare() {
  hmm_prompt::HmmTemperatures temps;
  temps.start = options_.hmm.start_temperature;
  temps.transition = options_.hmm.transition_temperature;
  temps.emission = options_.hmm.emission_temperature;
  auto param_rng = make_std_rng(ctx_.seed, "hmm-params");
  hmm_ = memory_ ? hmm_prompt::make_memory_hmm(options_.hmm.memory, vocab_, temps, param_rng)
                 : hmm_prompt::make_vanilla_hmm(options_.hmm.states, vocab_, temps, param_rng);

  auto corpus_rng = make_std_rng(ctx_.seed, "pretrain-corpus");
  const auto corpus = hmm_prompt::sample(hmm_, options_.pretrain.sequences,
                                  options_.pretrain.sequence_length, corpus_rng, ctx_.stop);
  blocks_ = hmm_prompt::make_blocks(corpus, options_.pretrain.block_length);

  hmm_prompt::TaskOptions task_options;
  task_options.sequence_length = options_.task.sequence_length;
  task_options.train_size = options_.task.train_size;
  task_options.val_size = options_.task.val_size;
  task_options.test_size = options_.task.test_size;
  task_options.nonzeros = options_.task.nonzeros;
  task_options.reference_label_draw = options_.task.label_draw == hmm_prompt::LabelDraw::kReference;
  auto task_rng = make_std_rng(ctx_.seed, "task");
  task_ = hmm_prompt::make_task(hmm_, task_options, task_rng, ctx_.stop);

  const auto device = ctx_.device;
  const int64_t mask = vocab_;  // token ids 0..V-1 are real, V is [MASK]
  inputs_train_ = hmm_prompt::masked_input(task_.train, input_tokens_, mask).to(device);
  inputs_val_ = hmm_prompt::masked_input(task_.val, input_tokens_, mask).to(device);
  inputs_test_ = hmm_prompt::masked_input(task_.test, input_tokens_, mask).to(device);
  const int64_t prompted = input_tokens_ - options_.task.prompt_length;
  prompt_train_ = hmm_prompt::masked_input(task_.train, prompted, mask).to(device);
  prompt_val_ = hmm_prompt::masked_input(task_.val, prompted, mask).to(device);
  prompt_test_ = hmm_prompt::masked_input(task_.test, prompted, mask).to(device);
  oracle_.train = task_.train.posterior.unsqueeze(1).to(device);
  oracle_.val = task_.val.posterior.unsqueeze(1).to(device);
  oracle_.test = task_.test.posterior.unsqueeze(1).to(device);
  // The ideal head reads what the tuned head reads, from a perfect MLM.
  const int64_t positions = head_feature_positions();
  ideal_.train = hmm_prompt::exact_mlm_probabilities(hmm_, task_.train, input_tokens_, positions, ctx_.stop).to(device);
  ideal_.val = hmm_prompt::exact_mlm_probabilities(hmm_, task_.val, input_tokens_, positions, ctx_.stop).to(device);
  ideal_.test = hmm_prompt::exact_mlm_probabilities(hmm_, task_.test, input_tokens_, positions, ctx_.stop).to(device);
  y_train_ = task_.train.labels.to(device);
  y_val_ = task_.val.labels.to(device);
  y_test_ = task_.test.labels.to(device);

  // Module constructors draw from the global generator: seed it from its own stream.
  torch::manual_seed(derive_seed(ctx_.seed, "init"));
  models::TransformerMlmOptions mo;
  mo.input_vocab = vocab_ + 1;
  mo.output_vocab = vocab_;
  mo.max_length = std::max(options_.pretrain.block_length, input_tokens_ + 1);
  mo.width = options_.model.width;
  mo.heads = options_.model.heads;
  mo.layers = options_.model.layers;
  mo.ff_width = options_.model.ff_width;
  mo.dropout = options_.model.dropout;
  model_ = models::TransformerMlm(mo);
  model_->to(device);
  pretrain_opt_.emplace(model_->parameters(), torch::optim::AdamWOptions(options_.pretrain.lr)
                                                  .weight_decay(options_.pretrain.weight_decay));

  const int64_t k = task_.train.posterior.size(1);
  head_.create(head_kind_, vocab_, tune_.lr, device);
  oracle_.create(HeadKind::kLinear, k, tune_.lr, device);
  // Created now so that a resumed run can load into it; its prompt is set from the pretrained
  // embeddings when the prompt phase starts.
  prompt_.emplace(model_, options_.task.prompt_length, head_kind_, vocab_, hmm_prompt::kNumClasses, tune_);
  // The ideal head's initialisation has its own stream, and the global generator (dropout in
  // pretraining) continues as if it did not exist.
  auto global = at::detail::getDefaultCPUGenerator();
  const auto global_state = global.get_state();
  {
    std::lock_guard<std::mutex> lock(global.mutex());
    global.set_current_seed(derive_seed(ctx_.seed, "ideal-head-init"));
  }
  ideal_.create(head_kind_, vocab_, tune_.lr, device);
  {
    std::lock_guard<std::mutex> lock(global.mutex());
    global.set_state(global_state);
  }
}

nlohmann::ordered_json HmmPromptTrainer::data_info() const {
  const auto counts = task_.train.labels.bincount({}, hmm_prompt::kNumClasses);
  const double ones = task_.test.labels.to(torch::kFloat64).mean().item<double>();
  nlohmann::ordered_json info;
  info["source"] = "synthetic";
  info["hmm"] = memory_ ? "memory" : "vanilla";
  info["hidden_states"] = hmm_.num_states;
  info["memory"] = hmm_.memory;
  info["vocab"] = vocab_;
  info["pretrain_blocks"] = blocks_.size(0);
  info["pretrain_tokens"] = blocks_.numel();
  info["train_size"] = task_.train.labels.size(0);
  info["val_size"] = task_.val.labels.size(0);
  info["test_size"] = task_.test.labels.size(0);
  info["class_counts"] = {counts[0].item<int64_t>(), counts[1].item<int64_t>()};
  info["test_majority_acc"] = std::max(ones, 1.0 - ones);
  return info;
}

// Tokens through the model, a backward pass counting twice a forward one: a pretraining row is
// log_every steps of batch x block_length tokens; a prompt epoch trains on the train set and
// evaluates val and test; head epochs only read cached features (the first one computes them).
double HmmPromptTrainer::epoch_cost(int64_t epoch) const {
  const auto tokens = [this](int64_t examples) { return static_cast<double>(examples * (input_tokens_ + 1)); };
  const int64_t train = options_.task.train_size;
  const int64_t eval = options_.task.val_size + options_.task.test_size;
  if (epoch < pretrain_rows_) {
    const int64_t steps = std::min(options_.pretrain.log_every, options_.pretrain.steps - epoch * options_.pretrain.log_every);
    return 3.0 * static_cast<double>(steps * options_.pretrain.batch_size * options_.pretrain.block_length);
  }
  if (epoch == pretrain_rows_) return tokens(train + eval);
  if (epoch < pretrain_rows_ + options_.tune.head_epochs) return 0.0;
  return 3.0 * tokens(train) + tokens(eval);
}

nlohmann::ordered_json HmmPromptTrainer::train_epoch(int64_t epoch) {
  if (epoch < pretrain_rows_) return pretrain_row(epoch);
  if (epoch < pretrain_rows_ + options_.tune.head_epochs) return head_row(epoch - pretrain_rows_);
  return prompt_row(epoch - pretrain_rows_ - options_.tune.head_epochs);
}

nlohmann::ordered_json HmmPromptTrainer::pretrain_row(int64_t row) {
  const auto& p = options_.pretrain;
  const int64_t first = row * p.log_every;
  const int64_t last = std::min(p.steps, first + p.log_every);
  const hmm_prompt::TuneOptions schedule{p.lr, p.batch_size, p.warmup_fraction};
  model_->train();
  DriverOptions driver_options;
  driver_options.lr_per_step = [&](int64_t step) { return hmm_prompt::scheduled_lr(schedule, step, p.steps); };
  if (p.grad_clip > 0) {
    driver_options.after_backward = [&] { torch::nn::utils::clip_grad_norm_(model_->parameters(), p.grad_clip); };
  }
  driver_options.loss_name = "MLM";
  const EpochTotals totals = EpochDriver(*pretrain_opt_, ctx_, driver_options)
                                 .run(EpochPlan::step_range(last - first, row, first), [&](const StepBatch& b) {
                                   const auto index = torch::randint(blocks_.size(0), {p.batch_size}, pretrain_gen_,
                                                                     torch::TensorOptions().dtype(torch::kInt64));
                                   const auto masked = hmm_prompt::mask_tokens(blocks_.index_select(0, index), p.mask_prob,
                                                                        vocab_, vocab_, pretrain_gen_);
                                   // The global batch is drawn on every rank; each trains on its shard.
                                   const auto inputs = b.shard(masked.inputs).to(ctx_.device);
                                   const auto labels = b.shard(masked.targets).to(ctx_.device).view(-1);
                                   const auto logits = model_->forward(inputs).view({-1, vocab_});
                                   const auto loss = torch::nn::functional::cross_entropy(
                                       logits, labels,
                                       torch::nn::functional::CrossEntropyFuncOptions().ignore_index(hmm_prompt::kIgnoreIndex));
                                   const auto selected = labels.ne(hmm_prompt::kIgnoreIndex);
                                   const int64_t targets = selected.sum().item<int64_t>();
                                   return StepLoss{loss, static_cast<double>(targets),
                                                   logits.argmax(1).eq(labels).logical_and(selected).sum(), targets};
                                 });
  last_mlm_loss_ = totals.mean_loss();
  last_mlm_acc_ = totals.accuracy();
  nlohmann::ordered_json out;
  out["phase"] = "pretrain";
  out["step"] = last;
  out["lr"] = totals.lr;
  out["mlm_loss"] = last_mlm_loss_;
  out["mlm_masked_acc"] = last_mlm_acc_;
  return out;
}

int64_t HmmPromptTrainer::head_feature_positions() const {
  // The linear head only reads the [MASK] position.
  return head_kind_ == HeadKind::kLinear ? 1 : input_tokens_ + 1;
}

void HmmPromptTrainer::compute_head_features() {
  const int64_t batch = std::max<int64_t>(tune_.batch_size, 256);
  const int64_t keep = head_feature_positions();
  head_.train = hmm_prompt::mlm_probabilities(model_, inputs_train_, batch, ctx_.stop).slice(1, 0, keep).contiguous();
  head_.val = hmm_prompt::mlm_probabilities(model_, inputs_val_, batch, ctx_.stop).slice(1, 0, keep).contiguous();
  head_.test = hmm_prompt::mlm_probabilities(model_, inputs_test_, batch, ctx_.stop).slice(1, 0, keep).contiguous();
}

torch::Tensor HmmPromptTrainer::shuffled(int64_t n) {
  return torch::randperm(n, tune_gen_, torch::TensorOptions().dtype(torch::kInt64)).to(ctx_.device);
}

nlohmann::ordered_json HmmPromptTrainer::head_row(int64_t epoch) {
  if (!head_.train.defined()) compute_head_features();
  const auto perm = shuffled(y_train_.size(0));
  const int64_t epochs = options_.tune.head_epochs;
  const auto run = [&](FixedFeatureHead& h) {
    return h.run_epoch(y_train_, y_val_, y_test_, perm, tune_, epoch, epochs, ctx_.stop);
  };
  const auto tuned = run(head_);
  const auto oracle = run(oracle_);
  const auto ideal = run(ideal_);
  nlohmann::ordered_json out;
  out["phase"] = "head";
  const int64_t per_epoch = ceil_div(y_train_.size(0), tune_.batch_size);
  out["lr"] = hmm_prompt::scheduled_lr(tune_, (epoch + 1) * per_epoch - 1, epochs * per_epoch);  // last step's
  out["train_loss"] = tuned.stats.loss;
  out["train_acc"] = tuned.stats.accuracy;
  out["val_acc"] = tuned.val_acc;
  out["test_acc"] = tuned.test_acc;
  out["oracle_train_loss"] = oracle.stats.loss;
  out["oracle_val_acc"] = oracle.val_acc;
  out["oracle_test_acc"] = oracle.test_acc;
  out["ideal_train_loss"] = ideal.stats.loss;
  out["ideal_val_acc"] = ideal.val_acc;
  out["ideal_test_acc"] = ideal.test_acc;
  return out;
}

nlohmann::ordered_json HmmPromptTrainer::prompt_row(int64_t epoch) {
  if (epoch == 0) {
    auto init = make_generator(ctx_.seed, "prompt-init");
    prompt_->init_prompt(init);
  }
  const auto perm = shuffled(y_train_.size(0));
  const int64_t epochs = options_.tune.prompt_epochs;
  const auto stats = prompt_->train_epoch(prompt_train_, y_train_, perm, epoch, epochs, ctx_.stop);
  const double val = prompt_->accuracy(prompt_val_, y_val_, ctx_.stop);
  const double test = prompt_->accuracy(prompt_test_, y_test_, ctx_.stop);
  best_prompt_.offer(val, test, epoch + 1);
  nlohmann::ordered_json out;
  out["phase"] = "prompt";
  const int64_t per_epoch = ceil_div(y_train_.size(0), tune_.batch_size);
  out["lr"] = hmm_prompt::scheduled_lr(tune_, (epoch + 1) * per_epoch - 1, epochs * per_epoch);
  out["train_loss"] = stats.loss;
  out["train_acc"] = stats.accuracy;
  out["val_acc"] = val;
  out["test_acc"] = test;
  return out;
}

nlohmann::ordered_json HmmPromptTrainer::final_metrics(const nlohmann::ordered_json& last_row) {
  nlohmann::ordered_json out;
  out["head_tuning_acc"] = head_.reported.test_acc;
  out["prompt_tuning_acc"] = best_prompt_.test_acc;
  out["oracle_head_acc"] = oracle_.reported.test_acc;
  out["ideal_head_acc"] = ideal_.reported.test_acc;
  out["head_tuning_val_acc"] = head_.reported.val_acc;
  out["prompt_tuning_val_acc"] = best_prompt_.val_acc;
  out["oracle_head_val_acc"] = oracle_.reported.val_acc;
  out["ideal_head_val_acc"] = ideal_.reported.val_acc;
  out["head_tuning_best_epoch"] = head_.reported.epoch;
  out["prompt_tuning_best_epoch"] = best_prompt_.epoch;
  out["head"] = head_kind_ == HeadKind::kLinear ? "linear" : "attention";
  out["hidden_states"] = hmm_.num_states;
  out["mlm_loss"] = last_mlm_loss_;
  out["mlm_masked_acc"] = last_mlm_acc_;
  return out;
}

void HmmPromptTrainer::register_state(CheckpointBundle& bundle) {
  bundle.add_module("model", *model_);
  bundle.add_optimizer("pretrain_opt", *pretrain_opt_);
  head_.register_state(bundle, "head", "head_opt", "best_head");
  oracle_.register_state(bundle, "oracle_head", "oracle_opt", "best_oracle");
  ideal_.register_state(bundle, "ideal_head", "ideal_opt", "best_ideal");
  prompt_->register_state(bundle, "prompt");
  bundle.add_generator("pretrain_gen", pretrain_gen_);
  bundle.add_generator("tune_gen", tune_gen_);
  // Dropout in pretraining draws from torch's global generator.
  bundle.add_generator("global_gen", at::detail::getDefaultCPUGenerator());
  best_prompt_.register_state(bundle, "best_prompt");
  bundle.add_value("last_mlm_loss", last_mlm_loss_);
  bundle.add_value("last_mlm_acc", last_mlm_acc_);
}

}  // namespace

TrainerInfo hmm_prompt_trainer_info() {
  return trainer_info("hmm_prompt", "HMM pretraining, then head vs prompt tuning (Wei, Xie, Ma 2021)",
                      hmm_prompt::options_schema(), [](const RunContext& ctx, const hmm_prompt::Options& o) {
                        return std::make_unique<HmmPromptTrainer>(ctx, o);
                      });
}

}  // namespace wei
