#include "trainers/hmm_prompt/hmm_prompt_trainer.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <ATen/CPUGeneratorImpl.h>

#include "core/checkpoint_io.h"
#include "core/errors.h"
#include "core/seeding.h"
#include "models/transformer_mlm.h"
#include "trainers/hmm_prompt/downstream_task.h"
#include "trainers/hmm_prompt/hmm.h"
#include "trainers/hmm_prompt/pretraining.h"
#include "trainers/hmm_prompt/tuning.h"

namespace wei {
namespace {

using hmm::HeadKind;

// Test accuracy at the epoch of best validation accuracy (first one on ties).
struct BestSoFar {
  double val_acc = -1.0;
  double test_acc = 0.0;
  int64_t epoch = 0;

  void offer(double val, double test, int64_t at) {
    if (val > val_acc) {
      val_acc = val;
      test_acc = test;
      epoch = at;
    }
  }
  void save(torch::serialize::OutputArchive& ar, const std::string& key) const {
    write_tensor(ar, key, torch::tensor({val_acc, test_acc, static_cast<double>(epoch)}, torch::kFloat64));
  }
  void load(torch::serialize::InputArchive& ar, const std::string& key) {
    auto t = torch::zeros({3}, torch::kFloat64);
    read_tensor_into(ar, key, t);
    val_acc = t[0].item<double>();
    test_acc = t[1].item<double>();
    epoch = static_cast<int64_t>(t[2].item<double>());
  }
};

class HmmPromptTrainer : public Trainer {
 public:
  explicit HmmPromptTrainer(const RunContext& ctx);

  void prepare() override;
  nlohmann::ordered_json data_info() const override;
  int64_t num_epochs() const override { return pretrain_rows_ + head_epochs_ + prompt_epochs_; }
  nlohmann::ordered_json train_epoch(int64_t epoch) override;
  nlohmann::ordered_json final_metrics() override;
  HeadlineMetric headline() const override { return {"val_acc", false}; }
  double epoch_cost(int64_t epoch) const override;
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  nlohmann::ordered_json pretrain_row(int64_t row);
  nlohmann::ordered_json head_row(int64_t epoch);
  nlohmann::ordered_json prompt_row(int64_t epoch);
  void compute_head_features();
  torch::Tensor shuffled(int64_t n);
  bool stop() const { return ctx_.stop_requested && ctx_.stop_requested(); }

  RunContext ctx_;
  const Spec& spec_;
  bool memory_;
  HeadKind head_kind_;
  int64_t vocab_;
  int64_t input_tokens_;
  int64_t prompt_length_;
  int64_t pretrain_steps_;
  int64_t log_every_;
  int64_t pretrain_rows_;
  int64_t head_epochs_;
  int64_t prompt_epochs_;
  hmm::TuneOptions tune_;

  hmm::Hmm hmm_;
  hmm::DownstreamTask task_;
  torch::Tensor blocks_;  // pretraining corpus [num_blocks, block_length]
  TransformerMlm model_{nullptr};
  std::optional<torch::optim::AdamW> pretrain_opt_;
  at::Generator pretrain_gen_;  // batch choice and masking
  at::Generator tune_gen_;      // epoch shuffles
  torch::Tensor inputs_train_, inputs_val_, inputs_test_;         // [MASK] + input_tokens
  torch::Tensor prompt_train_, prompt_val_, prompt_test_;         // [MASK] + input_tokens - prompt
  torch::Tensor feat_train_, feat_val_, feat_test_;               // frozen MLM probabilities
  torch::Tensor oracle_train_, oracle_val_, oracle_test_;         // exact posteriors [N, 1, K]
  torch::Tensor y_train_, y_val_, y_test_;
  hmm::ClassifierHead head_{nullptr};
  hmm::ClassifierHead oracle_head_{nullptr};
  std::optional<torch::optim::Adam> head_opt_;
  std::optional<torch::optim::Adam> oracle_opt_;
  std::optional<hmm::PromptTuner> prompt_;
  BestSoFar best_head_, best_oracle_, best_prompt_;
  double last_mlm_loss_ = 0.0;
  double last_mlm_acc_ = 0.0;
};

HmmPromptTrainer::HmmPromptTrainer(const RunContext& ctx)
    : ctx_(ctx),
      spec_(ctx.spec),
      memory_(ctx.spec.get_string("hmm.kind") == "memory"),
      vocab_(ctx.spec.get_int("hmm.vocab")),
      input_tokens_(ctx.spec.get_int("task.input_tokens")),
      prompt_length_(ctx.spec.get_int("task.prompt_length")),
      pretrain_steps_(ctx.spec.get_int("pretrain.steps")),
      log_every_(ctx.spec.get_int("pretrain.log_every")),
      pretrain_rows_((pretrain_steps_ + log_every_ - 1) / log_every_),
      head_epochs_(ctx.spec.get_int("tune.head_epochs")),
      prompt_epochs_(ctx.spec.get_int("tune.prompt_epochs")),
      pretrain_gen_(make_generator(ctx.seed, "pretrain-batches")),
      tune_gen_(make_generator(ctx.seed, "tune-shuffle")) {
  const std::string& head = spec_.get_string("tune.head");
  head_kind_ = head == "attention" || (head == "auto" && memory_) ? HeadKind::kAttention : HeadKind::kLinear;
  tune_.lr = spec_.get_float("tune.lr");
  tune_.batch_size = spec_.get_int("tune.batch_size");
  tune_.warmup_fraction = spec_.get_float("tune.warmup_fraction");

  // Cross-key constraints the per-key bounds cannot express.
  std::vector<std::string> problems;
  const std::string src = spec_.source();
  if (input_tokens_ + 1 > spec_.get_int("task.sequence_length"))
    problems.push_back(src + ": task.input_tokens: must be < task.sequence_length");
  if (prompt_length_ >= input_tokens_)
    problems.push_back(src + ": task.prompt_length: must be < task.input_tokens");
  if (spec_.get_int("pretrain.block_length") > spec_.get_int("pretrain.sequence_length"))
    problems.push_back(src + ": pretrain.block_length: must be <= pretrain.sequence_length");
  if (spec_.get_int("pretrain.block_length") < input_tokens_ + 1)
    problems.push_back(src + ": pretrain.block_length: must be >= task.input_tokens + 1 (the tuning input length)");
  if (spec_.get_int("model.width") % spec_.get_int("model.heads") != 0)
    problems.push_back(src + ": model.width: must be a multiple of model.heads");
  if (!problems.empty()) throw SpecError(problems);
}

void HmmPromptTrainer::prepare() {
  hmm::HmmTemperatures temps;
  temps.start = spec_.get_float("hmm.start_temperature");
  temps.transition = spec_.get_float("hmm.transition_temperature");
  temps.emission = spec_.get_float("hmm.emission_temperature");
  auto param_rng = make_std_rng(ctx_.seed, "hmm-params");
  hmm_ = memory_ ? hmm::make_memory_hmm(spec_.get_int("hmm.memory"), vocab_, temps, param_rng)
                 : hmm::make_vanilla_hmm(spec_.get_int("hmm.states"), vocab_, temps, param_rng);

  auto corpus_rng = make_std_rng(ctx_.seed, "pretrain-corpus");
  const auto corpus = hmm::sample(hmm_, spec_.get_int("pretrain.sequences"),
                                  spec_.get_int("pretrain.sequence_length"), corpus_rng);
  blocks_ = hmm::make_blocks(corpus, spec_.get_int("pretrain.block_length"));

  hmm::TaskOptions task_options;
  task_options.sequence_length = spec_.get_int("task.sequence_length");
  task_options.train_size = spec_.get_int("task.train_size");
  task_options.val_size = spec_.get_int("task.val_size");
  task_options.test_size = spec_.get_int("task.test_size");
  task_options.nonzeros = spec_.get_int("task.nonzeros");
  auto task_rng = make_std_rng(ctx_.seed, "task");
  task_ = hmm::make_task(hmm_, task_options, task_rng);

  const auto device = ctx_.device;
  const int64_t mask = vocab_;  // token ids 0..V-1 are real, V is [MASK]
  inputs_train_ = hmm::masked_input(task_.train, input_tokens_, mask).to(device);
  inputs_val_ = hmm::masked_input(task_.val, input_tokens_, mask).to(device);
  inputs_test_ = hmm::masked_input(task_.test, input_tokens_, mask).to(device);
  const int64_t prompted = input_tokens_ - prompt_length_;
  prompt_train_ = hmm::masked_input(task_.train, prompted, mask).to(device);
  prompt_val_ = hmm::masked_input(task_.val, prompted, mask).to(device);
  prompt_test_ = hmm::masked_input(task_.test, prompted, mask).to(device);
  oracle_train_ = task_.train.posterior.unsqueeze(1).to(device);
  oracle_val_ = task_.val.posterior.unsqueeze(1).to(device);
  oracle_test_ = task_.test.posterior.unsqueeze(1).to(device);
  y_train_ = task_.train.labels.to(device);
  y_val_ = task_.val.labels.to(device);
  y_test_ = task_.test.labels.to(device);

  // Module constructors draw from the global generator: seed it from its own stream.
  torch::manual_seed(derive_seed(ctx_.seed, "init"));
  TransformerMlmOptions mo;
  mo.input_vocab = vocab_ + 1;
  mo.output_vocab = vocab_;
  mo.max_length = std::max(spec_.get_int("pretrain.block_length"), input_tokens_ + 1);
  mo.width = spec_.get_int("model.width");
  mo.heads = spec_.get_int("model.heads");
  mo.layers = spec_.get_int("model.layers");
  mo.ff_width = spec_.get_int("model.ff_width");
  mo.dropout = spec_.get_float("model.dropout");
  model_ = TransformerMlm(mo);
  model_->to(device);
  pretrain_opt_.emplace(model_->parameters(), torch::optim::AdamWOptions(spec_.get_float("pretrain.lr"))
                                                  .weight_decay(spec_.get_float("pretrain.weight_decay")));

  const int64_t k = task_.train.posterior.size(1);
  head_ = hmm::ClassifierHead(head_kind_, vocab_, hmm::kNumClasses);
  oracle_head_ = hmm::ClassifierHead(HeadKind::kLinear, k, hmm::kNumClasses);
  head_->to(device);
  oracle_head_->to(device);
  head_opt_.emplace(head_->parameters(), torch::optim::AdamOptions(tune_.lr));
  oracle_opt_.emplace(oracle_head_->parameters(), torch::optim::AdamOptions(tune_.lr));
  // Created now so that a resumed run can load into it; its prompt is set from the pretrained
  // embeddings when the prompt phase starts.
  prompt_.emplace(model_, prompt_length_, head_kind_, vocab_, hmm::kNumClasses, tune_);
}

nlohmann::ordered_json HmmPromptTrainer::data_info() const {
  const auto counts = task_.train.labels.bincount({}, hmm::kNumClasses);
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
  const int64_t train = spec_.get_int("task.train_size");
  const int64_t eval = spec_.get_int("task.val_size") + spec_.get_int("task.test_size");
  if (epoch < pretrain_rows_) {
    const int64_t steps = std::min(log_every_, pretrain_steps_ - epoch * log_every_);
    return 3.0 * static_cast<double>(steps * spec_.get_int("pretrain.batch_size") * spec_.get_int("pretrain.block_length"));
  }
  if (epoch == pretrain_rows_) return tokens(train + eval);
  if (epoch < pretrain_rows_ + head_epochs_) return 0.0;
  return 3.0 * tokens(train) + tokens(eval);
}

nlohmann::ordered_json HmmPromptTrainer::train_epoch(int64_t epoch) {
  if (epoch < pretrain_rows_) return pretrain_row(epoch);
  if (epoch < pretrain_rows_ + head_epochs_) return head_row(epoch - pretrain_rows_);
  return prompt_row(epoch - pretrain_rows_ - head_epochs_);
}

nlohmann::ordered_json HmmPromptTrainer::pretrain_row(int64_t row) {
  const int64_t first = row * log_every_;
  const int64_t last = std::min(pretrain_steps_, first + log_every_);
  const int64_t batch = spec_.get_int("pretrain.batch_size");
  const double mask_prob = spec_.get_float("pretrain.mask_prob");
  const double clip = spec_.get_float("pretrain.grad_clip");
  hmm::TuneOptions schedule{spec_.get_float("pretrain.lr"), batch, spec_.get_float("pretrain.warmup_fraction")};
  model_->train();
  double loss_sum = 0.0;
  int64_t correct = 0;
  int64_t targets = 0;
  double lr = 0.0;
  for (int64_t step = first; step < last; ++step) {
    if (stop()) throw InterruptedError();
    const auto index = torch::randint(blocks_.size(0), {batch}, pretrain_gen_, torch::TensorOptions().dtype(torch::kInt64));
    const auto masked = hmm::mask_tokens(blocks_.index_select(0, index), mask_prob, vocab_, vocab_, pretrain_gen_);
    const auto inputs = masked.inputs.to(ctx_.device);
    const auto labels = masked.targets.to(ctx_.device).view(-1);
    const auto logits = model_->forward(inputs).view({-1, vocab_});
    const auto loss = torch::nn::functional::cross_entropy(
        logits, labels, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(hmm::kIgnoreIndex));
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw DivergedError(step, "non-finite MLM loss at pretraining step " + std::to_string(step));
    lr = hmm::scheduled_lr(schedule, step, pretrain_steps_);
    for (auto& group : pretrain_opt_->param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    pretrain_opt_->zero_grad();
    loss.backward();
    if (clip > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), clip);
    pretrain_opt_->step();
    const auto selected = labels.ne(hmm::kIgnoreIndex);
    const int64_t n = selected.sum().item<int64_t>();
    loss_sum += value * static_cast<double>(n);
    correct += logits.argmax(1).eq(labels).logical_and(selected).sum().item<int64_t>();
    targets += n;
  }
  last_mlm_loss_ = loss_sum / static_cast<double>(targets);
  last_mlm_acc_ = static_cast<double>(correct) / static_cast<double>(targets);
  nlohmann::ordered_json out;
  out["phase"] = "pretrain";
  out["step"] = last;
  out["lr"] = lr;
  out["mlm_loss"] = last_mlm_loss_;
  out["mlm_masked_acc"] = last_mlm_acc_;
  return out;
}

void HmmPromptTrainer::compute_head_features() {
  const int64_t batch = std::max<int64_t>(tune_.batch_size, 256);
  // The linear head only reads the [MASK] position.
  const int64_t keep = head_kind_ == HeadKind::kLinear ? 1 : input_tokens_ + 1;
  feat_train_ = hmm::mlm_probabilities(model_, inputs_train_, batch).slice(1, 0, keep).contiguous();
  feat_val_ = hmm::mlm_probabilities(model_, inputs_val_, batch).slice(1, 0, keep).contiguous();
  feat_test_ = hmm::mlm_probabilities(model_, inputs_test_, batch).slice(1, 0, keep).contiguous();
}

torch::Tensor HmmPromptTrainer::shuffled(int64_t n) {
  return torch::randperm(n, tune_gen_, torch::TensorOptions().dtype(torch::kInt64)).to(ctx_.device);
}

nlohmann::ordered_json HmmPromptTrainer::head_row(int64_t epoch) {
  if (!feat_train_.defined()) compute_head_features();
  const auto perm = shuffled(y_train_.size(0));
  const auto stop_fn = [this] { return stop(); };
  const auto stats = hmm::train_head_epoch(head_, *head_opt_, feat_train_, y_train_, perm, tune_, epoch,
                                           head_epochs_, stop_fn);
  const auto oracle = hmm::train_head_epoch(oracle_head_, *oracle_opt_, oracle_train_, y_train_, perm, tune_,
                                            epoch, head_epochs_, stop_fn);
  const double val = hmm::head_accuracy(head_, feat_val_, y_val_);
  const double test = hmm::head_accuracy(head_, feat_test_, y_test_);
  const double oracle_val = hmm::head_accuracy(oracle_head_, oracle_val_, y_val_);
  const double oracle_test = hmm::head_accuracy(oracle_head_, oracle_test_, y_test_);
  best_head_.offer(val, test, epoch + 1);
  best_oracle_.offer(oracle_val, oracle_test, epoch + 1);
  nlohmann::ordered_json out;
  out["phase"] = "head";
  const int64_t per_epoch = (y_train_.size(0) + tune_.batch_size - 1) / tune_.batch_size;
  out["lr"] = hmm::scheduled_lr(tune_, (epoch + 1) * per_epoch - 1, head_epochs_ * per_epoch);  // last step's
  out["train_loss"] = stats.loss;
  out["train_acc"] = stats.accuracy;
  out["val_acc"] = val;
  out["test_acc"] = test;
  out["oracle_train_loss"] = oracle.loss;
  out["oracle_val_acc"] = oracle_val;
  out["oracle_test_acc"] = oracle_test;
  return out;
}

nlohmann::ordered_json HmmPromptTrainer::prompt_row(int64_t epoch) {
  if (epoch == 0) {
    auto init = make_generator(ctx_.seed, "prompt-init");
    prompt_->init_prompt(init);
  }
  const auto perm = shuffled(y_train_.size(0));
  const auto stats = prompt_->train_epoch(prompt_train_, y_train_, perm, epoch, prompt_epochs_, [this] { return stop(); });
  const double val = prompt_->accuracy(prompt_val_, y_val_);
  const double test = prompt_->accuracy(prompt_test_, y_test_);
  best_prompt_.offer(val, test, epoch + 1);
  nlohmann::ordered_json out;
  out["phase"] = "prompt";
  const int64_t per_epoch = (y_train_.size(0) + tune_.batch_size - 1) / tune_.batch_size;
  out["lr"] = hmm::scheduled_lr(tune_, (epoch + 1) * per_epoch - 1, prompt_epochs_ * per_epoch);
  out["train_loss"] = stats.loss;
  out["train_acc"] = stats.accuracy;
  out["val_acc"] = val;
  out["test_acc"] = test;
  return out;
}

nlohmann::ordered_json HmmPromptTrainer::final_metrics() {
  nlohmann::ordered_json out;
  out["head_tuning_acc"] = best_head_.test_acc;
  out["prompt_tuning_acc"] = best_prompt_.test_acc;
  out["oracle_head_acc"] = best_oracle_.test_acc;
  out["head_tuning_val_acc"] = best_head_.val_acc;
  out["prompt_tuning_val_acc"] = best_prompt_.val_acc;
  out["oracle_head_val_acc"] = best_oracle_.val_acc;
  out["head_tuning_best_epoch"] = best_head_.epoch;
  out["prompt_tuning_best_epoch"] = best_prompt_.epoch;
  out["head"] = head_kind_ == HeadKind::kLinear ? "linear" : "attention";
  out["hidden_states"] = hmm_.num_states;
  out["mlm_loss"] = last_mlm_loss_;
  out["mlm_masked_acc"] = last_mlm_acc_;
  return out;
}

void HmmPromptTrainer::save_state(torch::serialize::OutputArchive& archive) const {
  auto sub = [&](const std::string& key, auto&& save) {
    torch::serialize::OutputArchive part;
    save(part);
    archive.write(key, part);
  };
  sub("model", [&](auto& a) { model_->save(a); });
  sub("pretrain_opt", [&](auto& a) { pretrain_opt_->save(a); });
  sub("head", [&](auto& a) { head_->save(a); });
  sub("head_opt", [&](auto& a) { head_opt_->save(a); });
  sub("oracle_head", [&](auto& a) { oracle_head_->save(a); });
  sub("oracle_opt", [&](auto& a) { oracle_opt_->save(a); });
  sub("prompt", [&](auto& a) { prompt_->save(a); });
  write_generator(archive, "pretrain_gen", pretrain_gen_);
  write_generator(archive, "tune_gen", tune_gen_);
  write_generator(archive, "global_gen", at::detail::getDefaultCPUGenerator());
  best_head_.save(archive, "best_head");
  best_oracle_.save(archive, "best_oracle");
  best_prompt_.save(archive, "best_prompt");
  write_tensor(archive, "last_mlm", torch::tensor({last_mlm_loss_, last_mlm_acc_}, torch::kFloat64));
}

void HmmPromptTrainer::load_state(torch::serialize::InputArchive& archive) {
  auto sub = [&](const std::string& key, auto&& load) {
    torch::serialize::InputArchive part;
    archive.read(key, part);
    load(part);
  };
  sub("model", [&](auto& a) { model_->load(a); });
  sub("pretrain_opt", [&](auto& a) { pretrain_opt_->load(a); });
  sub("head", [&](auto& a) { head_->load(a); });
  sub("head_opt", [&](auto& a) { head_opt_->load(a); });
  sub("oracle_head", [&](auto& a) { oracle_head_->load(a); });
  sub("oracle_opt", [&](auto& a) { oracle_opt_->load(a); });
  sub("prompt", [&](auto& a) { prompt_->load(a); });
  read_generator(archive, "pretrain_gen", pretrain_gen_);
  read_generator(archive, "tune_gen", tune_gen_);
  auto global = at::detail::getDefaultCPUGenerator();
  read_generator(archive, "global_gen", global);
  best_head_.load(archive, "best_head");
  best_oracle_.load(archive, "best_oracle");
  best_prompt_.load(archive, "best_prompt");
  auto last = torch::zeros({2}, torch::kFloat64);
  read_tensor_into(archive, "last_mlm", last);
  last_mlm_loss_ = last[0].item<double>();
  last_mlm_acc_ = last[1].item<double>();
  feat_train_ = torch::Tensor();  // recomputed from the restored model when needed
}

}  // namespace

ParamSchema hmm_prompt_schema() {
  ParamSchema s;
  // The HMM (paper Section 5 / Appendix: V = 10, T = T_e = 0.01).
  s.add_choice("hmm.kind", "vanilla", {"vanilla", "memory"}, "vanilla HMM or memory-augmented HMM (states (m, s))");
  s.add_int("hmm.states", 4, "hidden states H of the vanilla HMM (paper: 4, 8, 10, 15, 25, 30)").at_least(1);
  s.add_int("hmm.memory", 2, "memory values M of the memory HMM; it has 4M hidden states (paper: 2, 3, 5, 7)").at_least(1);
  s.add_int("hmm.vocab", 10, "vocabulary size V (paper: 10)").at_least(2);
  s.add_float("hmm.start_temperature", 10.0, "start distribution = softmax((U - 0.5) / this)").greater_than(0);
  s.add_float("hmm.transition_temperature", 0.01, "permutation-mixture weights = softmax((U - 0.5) / this)").greater_than(0);
  s.add_float("hmm.emission_temperature", 0.01, "emission rows = softmax((U - 0.5) / this)").greater_than(0);
  // The MLM encoder: a small CPU default; the paper used BERT-base (configs/hmm_prompt/paper_cuda.yaml).
  s.add_int("model.layers", 2, "Transformer encoder layers (BERT-base: 12)").at_least(1);
  s.add_int("model.width", 32, "model width d_model (BERT-base: 768)").at_least(1);
  s.add_int("model.heads", 2, "attention heads (BERT-base: 12)").at_least(1);
  s.add_int("model.ff_width", 128, "feed-forward width (BERT-base: 3072)").at_least(1);
  s.add_float("model.dropout", 0.0, "dropout in the encoder during pretraining (BERT: 0.1)").at_least(0).less_than(1);
  // Pretraining (paper: 5,000 sequences x 10,240 tokens).
  s.add_int("pretrain.sequences", 1000, "HMM sequences sampled for pretraining (paper: 5000)").at_least(1);
  s.add_int("pretrain.sequence_length", 1280, "tokens per pretraining sequence (paper: 10240)").at_least(1);
  s.add_int("pretrain.block_length", 80, "pretraining window: sequences are cut into blocks of this many tokens").at_least(2);
  s.add_float("pretrain.mask_prob", 0.15, "probability a position is selected for prediction (BERT 80/10/10 rule)").greater_than(0).at_most(1);
  s.add_int("pretrain.steps", 300, "optimizer steps").at_least(1);
  s.add_int("pretrain.batch_size", 32, "blocks per step").at_least(1);
  s.add_float("pretrain.lr", 1e-3, "peak AdamW learning rate").greater_than(0);
  s.add_float("pretrain.warmup_fraction", 0.05, "fraction of steps of linear warm-up before linear decay").at_least(0).less_than(1);
  s.add_float("pretrain.weight_decay", 0.01, "AdamW weight decay (BERT: 0.01)").at_least(0);
  s.add_float("pretrain.grad_clip", 1.0, "gradient-norm clip, 0 = off").at_least(0);
  s.add_int("pretrain.log_every", 100, "pretraining steps per history row").at_least(1);
  // The downstream task (paper: length 128, 79 input tokens, 20-token prompt, 5000/500/1000).
  s.add_int("task.sequence_length", 128, "tokens per downstream sequence; the label posterior conditions on x_1..x_{T-1}").at_least(2);
  s.add_int("task.input_tokens", 79, "tokens after [MASK] in the model input (input_tokens - prompt_length with a prompt)").at_least(1);
  s.add_int("task.prompt_length", 20, "learned prompt vectors in prompt tuning").at_least(1);
  s.add_int("task.train_size", 5000, "downstream training examples").at_least(1);
  s.add_int("task.val_size", 500, "validation examples (select the reported epoch)").at_least(1);
  s.add_int("task.test_size", 1000, "test examples").at_least(1);
  s.add_int("task.nonzeros", 6, "nonzero N(0, 1) entries of the 2 x K label matrix").at_least(1);
  // Tuning (paper: Adam-style, lr 0.01, 100 epochs, batch 128, warm-up then linear decay).
  s.add_choice("tune.head", "auto", {"auto", "linear", "attention"},
               "head on the MLM outputs; auto = attention for the memory HMM, linear otherwise");
  s.add_float("tune.lr", 0.01, "peak Adam learning rate of heads and prompts (paper: 0.01)").greater_than(0);
  s.add_int("tune.batch_size", 128, "tuning batch size (paper: 128)").at_least(1);
  s.add_float("tune.warmup_fraction", 0.06, "fraction of tuning steps of linear warm-up (not stated in the paper)").at_least(0).less_than(1);
  s.add_int("tune.head_epochs", 100, "head-tuning epochs (paper: 100)").at_least(1);
  s.add_int("tune.prompt_epochs", 3, "prompt-tuning epochs (paper: 100; 3 keeps the CPU default short)").at_least(1);
  return s;
}

TrainerInfo hmm_prompt_trainer_info() {
  return {"hmm_prompt",
          "HMM pretraining, then head vs prompt tuning (Wei, Xie, Ma 2021)",
          hmm_prompt_schema,
          [](const RunContext& ctx) { return std::make_unique<HmmPromptTrainer>(ctx); }};
}

}  // namespace wei
