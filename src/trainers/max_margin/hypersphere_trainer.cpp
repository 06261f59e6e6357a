#include "trainers/max_margin/hypersphere_trainer.h"

#include <algorithm>

#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/max_margin/hypersphere_data.h"
#include "trainers/max_margin/relu_network.h"

namespace wei::max_margin {

namespace {

using json = nlohmann::ordered_json;

constexpr int64_t kEvalBatch = 4096;
constexpr int64_t kFiniteCheckEvery = 256;

class HypersphereTrainer : public Trainer {
 public:
  HypersphereTrainer(const RunContext& ctx, const Options& options) : ctx_(ctx), hypersphere_(options.hypersphere) {}

  void prepare() override {
    at::Generator train_gen = make_generator(ctx_.seed, "sphere-train");
    at::Generator test_gen = make_generator(ctx_.seed, "sphere-test");
    train_ = sample_spheres(hypersphere_.n_train, hypersphere_.dim, hypersphere_.inner_radius, hypersphere_.outer_radius, train_gen);
    test_ = sample_spheres(hypersphere_.n_test, hypersphere_.dim, hypersphere_.inner_radius, hypersphere_.outer_radius, test_gen);
    s_prime_ = project_to_other_sphere(train_, hypersphere_.inner_radius, hypersphere_.outer_radius);
    for (SphereSet* set : {&train_, &test_, &s_prime_}) {
      set->x = set->x.to(ctx_.device);
      set->labels = set->labels.to(ctx_.device);
    }
    net_ = TwoLayerRelu(hypersphere_.dim, hypersphere_.width);
    at::Generator init_gen = make_generator(ctx_.seed, "init");
    glorot_uniform_init(*net_, init_gen);
    net_->to(ctx_.device);
    optimizer_ = std::make_unique<torch::optim::SGD>(net_->parameters(), torch::optim::SGDOptions(hypersphere_.lr));
    order_ = torch::arange(hypersphere_.n_train, torch::TensorOptions().dtype(torch::kInt64).device(ctx_.device));
  }

  json data_info() const override {
    return {{"source", "synthetic"},
            {"setting", "hypersphere"},
            {"description", "uniform on two concentric spheres, label 0 inner, label 1 outer"},
            {"dim", hypersphere_.dim},
            {"train_size", hypersphere_.n_train},
            {"test_size", hypersphere_.n_test},
            {"outer_fraction", train_.labels.to(torch::kDouble).mean().item<double>()}};
  }

  int64_t num_epochs() const override { return ceil_div(hypersphere_.max_passes, hypersphere_.passes_per_row); }
  // The notebook's stopping rule: enough training points have the margin.
  bool done_early() const override { return reached_; }

  json train_epoch(int64_t epoch) override {
    const int64_t last_pass = std::min(hypersphere_.max_passes, (epoch + 1) * hypersphere_.passes_per_row);
    double loss_sum = 0, weight_sum = 0, margin_error = 1, train_error = 1;
    for (int64_t pass = epoch * hypersphere_.passes_per_row; pass < last_pass && !reached_; ++pass) {
      const EpochTotals totals = train_pass(pass);
      loss_sum += totals.loss_sum;
      weight_sum += totals.weight_sum;
      passes_ = pass + 1;
      const torch::Tensor margins = margins_of(train_);
      margin_error = margins.lt(hypersphere_.margin).to(torch::kDouble).mean().item<double>();
      train_error = margins.lt(0).to(torch::kDouble).mean().item<double>();
      reached_ = margin_error <= hypersphere_.threshold;
    }
    json row;
    row["pass"] = passes_;
    row["step"] = steps_;
    row["train_loss"] = loss_sum / weight_sum;
    row["train_margin_error"] = margin_error;
    row["train_error"] = train_error;
    row["test_error"] = margins_of(test_).lt(0).to(torch::kDouble).mean().item<double>();
    row["s_prime_error"] = margins_of(s_prime_).lt(0).to(torch::kDouble).mean().item<double>();
    row["reached_margin"] = reached_;
    if (!reached_ && passes_ == hypersphere_.max_passes) {
      ctx_.log.warn("hypersphere: a fraction {} of the training points is still below margin {} after {} passes",
                    margin_error, hypersphere_.margin, hypersphere_.max_passes);
    }
    return row;
  }

  json final_metrics(const json& last_row) override {
    return {{"test_error", last_row.at("test_error")},
            {"s_prime_error", last_row.at("s_prime_error")},
            {"train_margin_error", last_row.at("train_margin_error")},
            {"train_error", last_row.at("train_error")},
            {"reached_margin", reached_},
            {"passes", passes_},
            {"steps", steps_}};
  }

  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }

  // Each pass: forward + backward of every training point and a forward of them all; each row
  // then a forward of S' and the test set.
  double epoch_cost(int64_t epoch) const override {
    const double passes = static_cast<double>(std::min(hypersphere_.max_passes, (epoch + 1) * hypersphere_.passes_per_row) -
                                              epoch * hypersphere_.passes_per_row);
    return passes * 4.0 * static_cast<double>(hypersphere_.n_train) + static_cast<double>(hypersphere_.n_train + hypersphere_.n_test);
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("network", *net_);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_value("passes", passes_);
    bundle.add_value("steps", steps_);
    bundle.add_value("reached_margin", reached_);
  }

 private:
  // One pass of SGD over the training set in its fixed order (the notebook does not shuffle).
  EpochTotals train_pass(int64_t pass) {
    net_->train();
    DriverOptions driver;
    driver.finite_check_every = kFiniteCheckEvery;
    const EpochTotals totals =
        EpochDriver(*optimizer_, ctx_, driver)
            .run(EpochPlan::batches(order_, hypersphere_.batch_size, pass, steps_), [&](const StepBatch& b) {
              const torch::Tensor x = train_.x.index_select(0, b.indices);
              const torch::Tensor labels = train_.labels.index_select(0, b.indices);
              const torch::Tensor loss = two_logit_sigmoid_loss(net_->forward(x), labels);
              return StepLoss{loss, static_cast<double>(b.indices.size(0))};
            });
    steps_ += totals.steps;
    return totals;
  }

  torch::Tensor margins_of(const SphereSet& set) {
    const torch::Tensor logits =
        evaluate_in_batches({net_.get()}, set.x.size(0), kEvalBatch, ctx_.stop,
                            [&](int64_t start, int64_t length) { return net_->forward(set.x.narrow(0, start, length)); });
    return logit_margins(logits, set.labels).to(torch::kCPU);
  }

  RunContext ctx_;
  const Options::Hypersphere hypersphere_;
  SphereSet train_, test_, s_prime_;
  TwoLayerRelu net_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  torch::Tensor order_;
  int64_t passes_ = 0;
  int64_t steps_ = 0;
  bool reached_ = false;
};

}  // namespace

std::unique_ptr<Trainer> make_hypersphere_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<HypersphereTrainer>(ctx, options);
}

}  // namespace wei::max_margin
