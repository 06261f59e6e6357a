#include "trainers/label_noise_sgd/label_noise_sgd_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "trainers/label_noise_sgd/label_noise_sgd_options.h"
#include "trainers/label_noise_sgd/quadratic_model.h"

namespace wei {

namespace {

using json = nlohmann::ordered_json;
using label_noise_sgd::Method;
using label_noise_sgd::Options;
using label_noise_sgd::Problem;

// A fresh distribution per draw keeps all randomness in the engine's state, which checkpoints
// save and restore exactly (std::normal_distribution caches a second variate otherwise).
double standard_normal(std::mt19937_64& rng) { return std::normal_distribution<double>(0.0, 1.0)(rng); }

constexpr int64_t kStopPollSteps = 4096;
// A coordinate counts as recovered support when v_j^2 is above this (w* entries are 0 or 1).
constexpr double kSupportThreshold = 0.5;

class LabelNoiseSgdTrainer : public Trainer {
 public:
  LabelNoiseSgdTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        lr_(make_schedule(options.optim.schedule, options.optim.lr, options.optim.steps)),
        noise_rng_(make_std_rng(ctx.seed, "noise")) {}

  void prepare() override {
    problem_.dim = options_.data.dim;
    problem_.n = options_.data.n_train;
    const int64_t support = options_.data.support;
    std::mt19937_64 data_rng = make_std_rng(ctx_.seed, "data");
    problem_.w_star.assign(static_cast<size_t>(problem_.dim), 0.0);
    std::fill_n(problem_.w_star.begin(), support, 1.0);
    problem_.x.resize(static_cast<size_t>(problem_.n * problem_.dim));
    for (double& xij : problem_.x) xij = standard_normal(data_rng);
    problem_.y.resize(static_cast<size_t>(problem_.n));
    for (int64_t i = 0; i < problem_.n; ++i) {
      double yi = 0.0;
      for (int64_t j = 0; j < problem_.dim; ++j) yi += problem_.x[i * problem_.dim + j] * problem_.w_star[j];
      problem_.y[i] = yi;
    }
    v_.assign(static_cast<size_t>(problem_.dim), options_.init.alpha);
    indices_.resize(static_cast<size_t>(problem_.n));
  }

  json data_info() const override {
    json info;
    info["source"] = "synthetic";
    info["description"] = "x ~ N(0, I), y = <w*, x>, w* = ones on the first `support` coordinates";
    info["dim"] = problem_.dim;
    info["train_size"] = problem_.n;
    info["support"] = options_.data.support;
    return info;
  }

  int64_t num_epochs() const override { return ceil_div(options_.optim.steps, options_.log_every); }

  json train_epoch(int64_t epoch) override {
    const int64_t begin = epoch * options_.log_every;
    const int64_t end = std::min(options_.optim.steps, begin + options_.log_every);
    double lr = 0.0;
    for (int64_t step = begin; step < end; ++step) {
      if ((step - begin) % kStopPollSteps == kStopPollSteps - 1) ctx_.stop.throw_if_requested();
      lr = schedule_value(lr_, step);
      label_noise_sgd::residuals(problem_, v_, residuals_);
      const double loss = label_noise_sgd::train_loss(residuals_);
      if (!std::isfinite(loss)) throw DivergedError(step, "non-finite train loss at step " + std::to_string(step));
      label_noise_sgd::full_gradient(problem_, v_, residuals_, grad_);
      add_noise();
      for (int64_t j = 0; j < problem_.dim; ++j) v_[j] -= lr * grad_[j];
    }
    label_noise_sgd::residuals(problem_, v_, residuals_);
    json row;
    row["step"] = end;
    row["lr"] = lr;
    row["train_loss"] = label_noise_sgd::train_loss(residuals_);
    row["test_error"] = label_noise_sgd::parameter_error(problem_, v_);
    if (ctx_.meter) ctx_.meter->steps_done = end;
    return row;
  }

  json final_metrics(const json& last_row) override {
    label_noise_sgd::residuals(problem_, v_, residuals_);
    std::vector<int64_t> support;
    std::vector<int64_t> truth;
    for (int64_t j = 0; j < problem_.dim; ++j) {
      if (v_[j] * v_[j] > kSupportThreshold) support.push_back(j);
      if (problem_.w_star[j] != 0.0) truth.push_back(j);
    }
    double off_support_mass = 0.0;
    for (int64_t j = 0; j < problem_.dim; ++j) {
      if (problem_.w_star[j] == 0.0) off_support_mass += v_[j] * v_[j];
    }
    json final_block;
    final_block["test_error"] = label_noise_sgd::parameter_error(problem_, v_);
    final_block["train_loss"] = label_noise_sgd::train_loss(residuals_);
    final_block["off_support_mass"] = off_support_mass;
    final_block["support"] = support;
    final_block["true_support"] = truth;
    final_block["support_recovered"] = support == truth;
    final_block["steps"] = options_.optim.steps;
    return final_block;
  }

  HeadlineMetric headline() const override { return {"test_error", true}; }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_value("v", v_);
    bundle.add_rng("noise_rng", noise_rng_);
  }

 private:
  // Mean per-sample gradient r_i v .* x_i over `batch_size_` samples drawn without replacement,
  // scaled by `sign * delta` and added to grad_.
  void add_minibatch_term(double sign) {
    std::iota(indices_.begin(), indices_.end(), int64_t{0});
    const double scale = sign * options_.noise.delta / static_cast<double>(options_.noise.batch_size);
    for (int64_t k = 0; k < options_.noise.batch_size; ++k) {
      std::uniform_int_distribution<int64_t> pick(k, problem_.n - 1);
      std::swap(indices_[k], indices_[pick(noise_rng_)]);
      const int64_t i = indices_[k];
      label_noise_sgd::add_sample_direction(problem_, v_, i, scale * residuals_[i], grad_);
    }
  }

  void add_noise() {
    switch (options_.method) {
      case Method::kGd:
        return;
      case Method::kSgd:
        // Two independent mini-batches: their gradient difference has the covariance of
        // mini-batch noise and mean zero.
        add_minibatch_term(+1.0);
        add_minibatch_term(-1.0);
        return;
      case Method::kLabelNoise: {
        const int64_t i = std::uniform_int_distribution<int64_t>(0, problem_.n - 1)(noise_rng_);
        label_noise_sgd::add_sample_direction(problem_, v_, i, -options_.noise.delta * standard_normal(noise_rng_), grad_);
        return;
      }
      case Method::kGaussianNoise:
        for (double& g : grad_) g += options_.noise.delta * standard_normal(noise_rng_);
        return;
    }
  }

  RunContext ctx_;
  const Options options_;
  const Schedule lr_;
  std::mt19937_64 noise_rng_;
  Problem problem_;
  std::vector<double> v_;
  std::vector<double> residuals_;
  std::vector<double> grad_;
  std::vector<int64_t> indices_;
};

}  // namespace

TrainerInfo label_noise_sgd_trainer_info() {
  return trainer_info(
      "label_noise_sgd",
      "sparse regression with f(x) = <v*v, x>: label noise recovers the sparse truth, GD and Gaussian noise do not "
      "(HaoChen, Wei, Lee, Ma, COLT 2021)",
      label_noise_sgd::options_schema(), [](const RunContext& ctx, const label_noise_sgd::Options& o) {
        return std::make_unique<LabelNoiseSgdTrainer>(ctx, o);
      });
}

}  // namespace wei
