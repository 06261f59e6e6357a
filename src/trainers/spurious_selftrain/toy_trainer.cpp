#include "trainers/spurious_selftrain/toy_trainer.h"

#include <cmath>

#include <torch/autograd.h>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "trainers/spurious_selftrain/gaussian_toy.h"
#include "trainers/spurious_selftrain/objectives.h"

namespace wei::spurious_selftrain {

namespace {

class ToyTrainer : public Trainer {
 public:
  ToyTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        gaussian_(options.gaussian),
        toy_(gaussian_.signal_norm, gaussian_.spurious_prob, make_generator(ctx.seed, "toy-direction")),
        batch_gen_(make_generator(ctx.seed, "toy-target-batches")),
        pseudo_label_(options.adapt.method == AdaptMethod::kPseudoLabel) {}

  void prepare() override {
    at::Generator data_gen = make_generator(ctx_.seed, "toy-data");
    source_ = toy_.sample_source(gaussian_.source_size, data_gen);
    target_ = toy_.sample_target(gaussian_.target_size, data_gen);
    source_test_ = toy_.sample_source(gaussian_.test_size, data_gen);
    target_test_ = toy_.sample_target(gaussian_.test_size, data_gen);
    at::Generator init_gen = make_generator(ctx_.seed, "init");
    w_ = torch::randn({kToySignalDims + kToySpuriousDims}, init_gen);
    project_to_unit_sphere(w_);
    w_source_ = w_.clone();
  }

  nlohmann::ordered_json data_info() const override {
    return {{"source", "synthetic"},
            {"kind", "gaussian"},
            {"source_size", source_.y.size(0)},
            {"target_size", target_.y.size(0)},
            {"test_size", target_test_.y.size(0)},
            {"signal_mean", std::vector<float>(toy_.signal_mean().data_ptr<float>(),
                                               toy_.signal_mean().data_ptr<float>() + kToySignalDims)},
            {"source_positive_fraction", source_.y.mean().item<double>()}};
  }

  int64_t num_epochs() const override { return source_epochs() + target_epochs(); }

  nlohmann::ordered_json train_epoch(int64_t epoch) override {
    nlohmann::ordered_json row;
    if (epoch < source_epochs()) {
      const int64_t first = epoch * gaussian_.log_every;
      const int64_t steps = std::min(gaussian_.log_every, gaussian_.source_steps - first);
      const double loss = run_steps(first, steps, [&] { return logistic_loss(source_.x.matmul(w_), source_.y); });
      if (epoch + 1 == source_epochs()) w_source_ = w_.detach().clone();
      row["phase"] = "source";
      row["step"] = first + steps;
      row["train_loss"] = loss;
    } else if (pseudo_label_) {
      const int64_t round = epoch - source_epochs();
      const ToyBatch batch = gaussian_.fresh_batches ? toy_.sample_target(gaussian_.target_size, batch_gen_) : target_;
      const auto [labels, kept] = confident_binary_labels(batch.x.matmul(w_), gaussian_.pl_threshold);
      if (kept.size(0) == 0) {
        throw RunError("pseudo-label round " + std::to_string(round + 1) + " kept no target point: no |w.x| is above " +
                       "gaussian.pl_threshold = " + std::to_string(gaussian_.pl_threshold) + "; lower it");
      }
      const torch::Tensor x = batch.x.index_select(0, kept);
      const double loss = run_steps(round * gaussian_.pl_steps, gaussian_.pl_steps, [&] { return logistic_loss(x.matmul(w_), labels); });
      row["phase"] = "pseudo_label";
      row["round"] = round + 1;
      row["kept_fraction"] = static_cast<double>(kept.size(0)) / static_cast<double>(batch.y.size(0));
      row["train_loss"] = loss;
    } else {
      const int64_t first = (epoch - source_epochs()) * gaussian_.log_every;
      const int64_t steps = std::min(gaussian_.log_every, gaussian_.target_steps - first);
      const double loss = run_steps(first, steps, [&] {
        const torch::Tensor x = gaussian_.fresh_batches ? toy_.sample_target(gaussian_.target_size, batch_gen_).x : target_.x;
        return binary_entropy(x.matmul(w_));
      });
      row["phase"] = "entropy";
      row["step"] = first + steps;
      row["train_loss"] = loss;
    }
    return row;
  }

  nlohmann::ordered_json evaluate(int64_t epoch) override {
    return {{"source_acc", linear_accuracy(w_, source_test_)},
            {"target_acc", linear_accuracy(w_, target_test_)},
            {"spurious_norm", spurious_norm(w_)}};
  }

  nlohmann::ordered_json final_metrics(const nlohmann::ordered_json& last_row) override {
    return {{"source_acc", linear_accuracy(w_source_, source_test_)},
            {"target_acc_before", linear_accuracy(w_source_, target_test_)},
            {"target_acc_after", linear_accuracy(w_, target_test_)},
            {"bayes_acc", toy_.target_bayes_accuracy()},
            {"spurious_norm_before", spurious_norm(w_source_)},
            {"spurious_norm_after", spurious_norm(w_)},
            {"source_acc_after", linear_accuracy(w_, source_test_)},
            {"w_before", tensor_values(w_source_)},
            {"w_after", tensor_values(w_)}};
  }

  HeadlineMetric headline() const override { return {"target_acc", false}; }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_tensor("w", w_);
    bundle.add_tensor("w_source", w_source_);
    bundle.add_generator("target_batches", batch_gen_);
  }

 private:
  int64_t source_epochs() const { return ceil_div(gaussian_.source_steps, gaussian_.log_every); }
  int64_t target_epochs() const { return pseudo_label_ ? gaussian_.pl_rounds : ceil_div(gaussian_.target_steps, gaussian_.log_every); }

  static std::vector<float> tensor_values(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
  }

  // `steps` projected gradient steps on loss_fn(); returns the mean loss over them.
  template <typename LossFn>
  double run_steps(int64_t first_step, int64_t steps, LossFn loss_fn) {
    constexpr int64_t kPollEvery = 100;
    double total = 0;
    for (int64_t i = 0; i < steps; ++i) {
      if (i % kPollEvery == 0) ctx_.stop.throw_if_requested();
      w_.requires_grad_(true);
      const torch::Tensor loss = loss_fn();
      const double value = loss.item<double>();
      if (!std::isfinite(value)) throw DivergedError(first_step + i, "non-finite loss in the Gaussian toy");
      const torch::Tensor grad = torch::autograd::grad({loss}, {w_})[0];
      w_ = w_.detach() - gaussian_.lr * grad;
      project_to_unit_sphere(w_);
      total += value;
    }
    return total / static_cast<double>(steps);
  }

  RunContext ctx_;
  const Options::Gaussian gaussian_;
  GaussianToy toy_;
  at::Generator batch_gen_;
  const bool pseudo_label_;
  ToyBatch source_, target_, source_test_, target_test_;
  torch::Tensor w_, w_source_;
};

}  // namespace

std::unique_ptr<Trainer> make_toy_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<ToyTrainer>(ctx, options);
}

}  // namespace wei::spurious_selftrain
