#include "trainers/spurious_selftrain/image_trainer.h"

#include <cmath>

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "data/mnist_idx.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/spurious_selftrain/celeba_domains.h"
#include "trainers/spurious_selftrain/colored_mnist.h"
#include "trainers/spurious_selftrain/networks.h"
#include "trainers/spurious_selftrain/objectives.h"

namespace wei::spurious_selftrain {

namespace {

constexpr int64_t kPredictBatch = 1024;

struct Evaluation {
  double acc = 0;
  std::vector<std::pair<std::string, double>> group_acc;  // non-empty groups only
  double worst_group_acc = 0;
};

class ImageTrainer : public Trainer {
 public:
  ImageTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        training_(options_.image_training()),
        pseudo_label_(options_.adapt.method == AdaptMethod::kPseudoLabel),
        shuffle_gen_(make_generator(ctx.seed, "shuffle")),
        batch_gen_(make_generator(ctx.seed, "adapt-batches")) {}

  void prepare() override {
    const std::string& root = options_.data.root;
    at::Generator data_gen = make_generator(ctx_.seed, "data");
    if (options_.data.kind == DataKind::kColoredMnist) {
      MnistSplit train, test;
      if (root.empty()) {
        ctx_.log.warn("colored_mnist: no data.root given, using the synthetic digit-like stand-in (not MNIST)");
        at::Generator template_gen = make_generator(ctx_.seed, "synthetic-templates");
        train = synthetic_digits(options_.colored_mnist.synthetic_train_size, template_gen, data_gen);
        test = synthetic_digits(options_.colored_mnist.synthetic_test_size, template_gen, data_gen);
      } else {
        train = load_mnist_split(root, true);
        test = load_mnist_split(root, false);
      }
      data_ = make_colored_mnist_domains(train, test, options_.colored_mnist.correlation, data_gen);
      model_ = make_mlp(data_.source_train.x.size(1), options_.colored_mnist.hidden, data_.classes);
      source_name_ = root.empty() ? "synthetic" : "mnist";
    } else {
      CelebaDomainOptions options;
      options.dark_women = options_.celeba.quota_dark_women;
      options.blond_men = options_.celeba.quota_blond_men;
      options.test_fraction = options_.celeba.test_fraction;
      options.available_only = options_.celeba.available_only;
      data_ = make_celeba_domains(root, options, data_gen, ctx_.stop);
      model_ = make_small_cnn(options_.celeba.width, data_.classes);
      source_name_ = "celeba";
    }
    at::Generator init_gen = make_generator(ctx_.seed, "init");
    reinitialise(*model_, init_gen);
    model_->to(ctx_.device);
    for (LabelledSet* set : {&data_.source_train, &data_.source_test, &data_.target_train, &data_.target_test})
      *set = set->to(ctx_.device);
    source_opt_ = make_optimizer(training_.lr);
    adapt_opt_ = make_optimizer(training_.adapt_lr);
  }

  nlohmann::ordered_json data_info() const override {
    nlohmann::ordered_json info = {
        {"source", source_name_}, {"kind", name_of(data_kind_names(), options_.data.kind)}, {"root", options_.data.root}};
    info.update(data_.info);
    return info;
  }

  int64_t num_epochs() const override { return training_.source_epochs + adapt_epochs(); }

  nlohmann::ordered_json train_epoch(int64_t epoch) override {
    nlohmann::ordered_json row;
    if (epoch < training_.source_epochs) {
      row["phase"] = "source";
      row["train_loss"] = supervised_epoch(data_.source_train.x, data_.source_train.y, *source_opt_, epoch);
    } else if (pseudo_label_) {
      row["phase"] = "pseudo_label";
      row["round"] = epoch - training_.source_epochs + 1;
      pseudo_label_round(epoch, row);
    } else {
      const int64_t first = (epoch - training_.source_epochs) * training_.log_every;
      const int64_t steps = std::min(training_.log_every, training_.adapt_steps - first);
      row["phase"] = "entropy";
      row["step"] = first + steps;
      row["train_loss"] = entropy_steps(epoch, steps);
    }
    return row;
  }

  // Source and target test accuracy after every row; the source model's are kept for the final block.
  nlohmann::ordered_json evaluate(int64_t epoch) override {
    nlohmann::ordered_json row;
    const Evaluation source = score(data_.source_test);
    const Evaluation target = score(data_.target_test);
    row["source_acc"] = source.acc;
    row["target_acc"] = target.acc;
    if (!data_.group_names.empty()) row["worst_group_acc"] = target.worst_group_acc;
    if (epoch + 1 == training_.source_epochs) before_ = summary(source, target, "_before");
    return row;
  }

  nlohmann::ordered_json final_metrics(const nlohmann::ordered_json& last_row) override {
    nlohmann::ordered_json final = {{"source_acc", before_.at("source_acc_before")},
                                    {"target_acc_before", before_.at("target_acc_before")}};
    const nlohmann::ordered_json after = summary(score(data_.source_test), score(data_.target_test), "_after");
    final["target_acc_after"] = after.at("target_acc_after");
    final["source_acc_after"] = after.at("source_acc_after");
    if (!data_.group_names.empty()) {
      final["group_acc_before"] = before_.at("group_acc_before");
      final["group_acc_after"] = after.at("group_acc_after");
      final["worst_group_acc_before"] = before_.at("worst_group_acc_before");
      final["worst_group_acc"] = after.at("worst_group_acc_after");
    }
    return final;
  }

  HeadlineMetric headline() const override { return {"target_acc", false}; }
  bool supports_data_parallel() const override { return true; }

  // Examples through the model, a backward pass counting twice a forward one; every row also
  // evaluates the source and target test sets.
  double epoch_cost(int64_t epoch) const override {
    const auto n = [](const LabelledSet& set) { return static_cast<double>(set.size()); };
    const double eval = n(data_.source_test) + n(data_.target_test);
    const double target = n(data_.target_train);
    const double source_batch =
        training_.source_weight > 0 ? static_cast<double>(std::min(training_.batch_size, data_.source_train.size())) : 0.0;
    if (epoch < training_.source_epochs) return 3.0 * n(data_.source_train) + eval;
    if (pseudo_label_) {  // predict the target, then pl_epochs over (at most) all of it
      const double batches = std::ceil(target / static_cast<double>(training_.batch_size));
      return target + static_cast<double>(training_.pl_epochs) * 3.0 * (target + batches * source_batch) + eval;
    }
    const int64_t first = (epoch - training_.source_epochs) * training_.log_every;
    const int64_t steps = std::min(training_.log_every, training_.adapt_steps - first);
    const int64_t batch = training_.adapt_batch_size;
    const double per_step = batch > 0 && batch < data_.target_train.size() ? static_cast<double>(batch) : target;
    return static_cast<double>(steps) * 3.0 * (per_step + source_batch) + eval;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("source_optimizer", *source_opt_);
    bundle.add_optimizer("adapt_optimizer", *adapt_opt_);
    bundle.add_generator("shuffle", shuffle_gen_);
    bundle.add_generator("adapt_batches", batch_gen_);
    bundle.add_value("before", before_);
    bundle.add_value("steps_done", steps_done_);
  }

 private:
  int64_t adapt_epochs() const { return pseudo_label_ ? training_.pl_rounds : ceil_div(training_.adapt_steps, training_.log_every); }

  std::unique_ptr<torch::optim::Optimizer> make_optimizer(double lr) const {
    if (training_.optimizer == OptimizerKind::kAdam)
      return std::make_unique<torch::optim::Adam>(
          model_->parameters(),
          torch::optim::AdamOptions(lr).betas({training_.momentum, 0.999}).weight_decay(training_.weight_decay));
    return std::make_unique<torch::optim::SGD>(
        model_->parameters(), torch::optim::SGDOptions(lr).momentum(training_.momentum).weight_decay(training_.weight_decay));
  }

  // source_weight * CE of a random source batch (0 when the weight is 0).
  torch::Tensor source_term() {
    if (training_.source_weight == 0) return torch::zeros({}, torch::TensorOptions().device(ctx_.device));
    const LabelledSet& s = data_.source_train;
    const int64_t batch = std::min(training_.batch_size, s.size());
    const torch::Tensor idx = torch::randint(s.size(), {batch}, batch_gen_).to(ctx_.device);
    return training_.source_weight *
           torch::cross_entropy_loss(model_->forward(s.x.index_select(0, idx)), s.y.index_select(0, idx));
  }

  // Runs `plan` on `optimizer`, counting its steps into steps_done_ (the global step of messages).
  EpochTotals drive(torch::optim::Optimizer& optimizer, const EpochPlan& plan, const StepFunction& step) {
    const EpochTotals totals = EpochDriver(optimizer, ctx_).run(plan, step);
    steps_done_ += totals.steps;
    return totals;
  }

  // One shuffled pass of minibatch cross-entropy over (x, y); returns the mean of the batch losses.
  double supervised_epoch(const torch::Tensor& x, const torch::Tensor& y, torch::optim::Optimizer& opt, int64_t epoch,
                          bool with_source_term = false) {
    model_->train();
    const torch::Tensor order = torch::randperm(x.size(0), shuffle_gen_).to(ctx_.device);
    return drive(opt, EpochPlan::batches(order, training_.batch_size, epoch, steps_done_),
                 [&](const StepBatch& b) {
                   torch::Tensor loss = torch::cross_entropy_loss(model_->forward(x.index_select(0, b.indices)),
                                                                  y.index_select(0, b.indices));
                   if (with_source_term) loss = loss + source_term();
                   return StepLoss{loss};
                 })
        .mean_loss();
  }

  // `steps` entropy-minimisation steps on the target; returns their mean loss.
  double entropy_steps(int64_t epoch, int64_t steps) {
    model_->train();
    const LabelledSet& t = data_.target_train;
    const int64_t batch = training_.adapt_batch_size;
    return drive(*adapt_opt_, EpochPlan::step_range(steps, epoch, steps_done_),
                 [&](const StepBatch&) {
                   torch::Tensor x = t.x;
                   if (batch > 0 && batch < t.size())
                     x = t.x.index_select(0, torch::randint(t.size(), {batch}, batch_gen_).to(ctx_.device));
                   return StepLoss{training_.entropy_weight * softmax_entropy(model_->forward(x)) + source_term()};
                 })
        .mean_loss();
  }

  void pseudo_label_round(int64_t epoch, nlohmann::ordered_json& row) {
    const LabelledSet& t = data_.target_train;
    const auto [labels, kept] = confident_pseudo_labels(predict_logits(t.x), training_.pl_threshold);
    row["kept_fraction"] = static_cast<double>(kept.size(0)) / static_cast<double>(t.size());
    row["pseudo_label_acc"] =
        kept.size(0) == 0 ? 0.0 : labels.eq(t.y.index_select(0, kept)).to(torch::kDouble).mean().item<double>();
    const torch::Tensor x = t.x.index_select(0, kept);
    double loss = 0;
    for (int64_t e = 0; e < training_.pl_epochs; ++e)
      loss = supervised_epoch(x, labels, *adapt_opt_, epoch, /*with_source_term=*/true);
    row["train_loss"] = loss;
  }

  torch::Tensor predict_logits(const torch::Tensor& x) {
    return evaluate_in_batches({model_.get()}, x.size(0), kPredictBatch, ctx_.stop,
                               [&](int64_t start, int64_t length) { return model_->forward(x.narrow(0, start, length)); });
  }

  Evaluation score(const LabelledSet& set) {
    const torch::Tensor correct = predict_logits(set.x).argmax(1).eq(set.y).to(torch::kDouble).cpu();
    Evaluation ev;
    ev.acc = correct.mean().item<double>();
    if (data_.group_names.empty()) return ev;
    ev.worst_group_acc = 1.0;
    const torch::Tensor group = set.group.cpu();
    for (size_t g = 0; g < data_.group_names.size(); ++g) {
      const torch::Tensor in_group = group.eq(static_cast<int64_t>(g));
      if (!in_group.any().item<bool>()) continue;
      const double acc = correct.masked_select(in_group).mean().item<double>();
      ev.group_acc.emplace_back(data_.group_names[g], acc);
      ev.worst_group_acc = std::min(ev.worst_group_acc, acc);
    }
    return ev;
  }

  nlohmann::ordered_json summary(const Evaluation& source, const Evaluation& target, const std::string& suffix) const {
    nlohmann::ordered_json out = {{"source_acc" + suffix, source.acc}, {"target_acc" + suffix, target.acc}};
    if (!data_.group_names.empty()) {
      nlohmann::ordered_json groups = nlohmann::ordered_json::object();
      for (const auto& [name, acc] : target.group_acc) groups[name] = acc;
      out["group_acc" + suffix] = groups;
      out["worst_group_acc" + suffix] = target.worst_group_acc;
    }
    return out;
  }

  RunContext ctx_;
  const Options options_;
  const ImageTraining& training_;  // the section of options_ that data.kind picks
  const bool pseudo_label_;
  std::string source_name_;
  at::Generator shuffle_gen_, batch_gen_;
  DomainData data_;
  torch::nn::Sequential model_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> source_opt_, adapt_opt_;
  nlohmann::ordered_json before_ = nlohmann::ordered_json::object();
  int64_t steps_done_ = 0;  // optimizer steps of both phases so far
};

}  // namespace

std::unique_ptr<Trainer> make_image_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<ImageTrainer>(ctx, options);
}

}  // namespace wei::spurious_selftrain
