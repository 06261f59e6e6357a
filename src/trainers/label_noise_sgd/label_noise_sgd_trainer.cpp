#include "trainers/label_noise_sgd/label_noise_sgd_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/checkpoint_io.h"
#include "core/errors.h"
#include "core/seeding.h"
#include "trainers/label_noise_sgd/quadratic_model.h"

namespace wei {

namespace {

using json = nlohmann::ordered_json;
using label_noise::Problem;

enum class Method { kGd, kSgd, kLabelNoise, kGaussianNoise };

Method parse_method(const std::string& name) {
  if (name == "gd") return Method::kGd;
  if (name == "sgd") return Method::kSgd;
  if (name == "label_noise") return Method::kLabelNoise;
  return Method::kGaussianNoise;
}

// A fresh distribution per draw keeps all randomness in the engine's state, which checkpoints
// save and restore exactly (std::normal_distribution caches a second variate otherwise).
double standard_normal(std::mt19937_64& rng) { return std::normal_distribution<double>(0.0, 1.0)(rng); }

constexpr int64_t kStopPollSteps = 4096;
// A coordinate counts as recovered support when v_j^2 is above this (w* entries are 0 or 1).
constexpr double kSupportThreshold = 0.5;

ParamSchema make_schema() {
  ParamSchema s;
  s.add_choice("method", "label_noise", {"gd", "sgd", "label_noise", "gaussian_noise"},
               "noise added to the full-batch gradient: none, mini-batch, label noise, or spherical Gaussian");
  s.add_int("data.dim", 100, "input dimension d").at_least(1);
  s.add_int("data.n_train", 40, "number of training points x ~ N(0, I)").at_least(1);
  s.add_int("data.support", 5, "ground truth w* = ones on the first `support` coordinates").at_least(1);
  s.add_float("init.alpha", 1.0, "initialisation v = alpha * ones").greater_than(0);
  s.add_float("optim.lr", 0.01, "learning rate").greater_than(0);
  s.add_int("optim.steps", 300000, "number of steps (the paper: 300k; 1.2M for Gaussian noise)").at_least(1);
  s.add_int_list("optim.lr_milestones", {}, "steps at which lr is multiplied by lr_decay (label noise: [100000, 200000])")
      .at_least(0);
  s.add_float("optim.lr_decay", 0.1, "lr factor at each milestone").greater_than(0);
  s.add_float("noise.delta", 1.0, "noise scale: label-noise std, mini-batch noise weight, or Gaussian std").at_least(0);
  s.add_int("noise.batch_size", 1, "mini-batch size of the sgd noise term (samples drawn without replacement)")
      .at_least(1);
  s.add_int("log_every", 1000, "steps per history row (one 'epoch' of the run)").at_least(1);
  return s;
}

class LabelNoiseSgdTrainer : public Trainer {
 public:
  explicit LabelNoiseSgdTrainer(const RunContext& ctx)
      : ctx_(ctx),
        method_(parse_method(ctx.spec.get_string("method"))),
        steps_(ctx.spec.get_int("optim.steps")),
        log_every_(ctx.spec.get_int("log_every")),
        lr_(ctx.spec.get_float("optim.lr")),
        lr_decay_(ctx.spec.get_float("optim.lr_decay")),
        milestones_(ctx.spec.get_int_list("optim.lr_milestones")),
        delta_(ctx.spec.get_float("noise.delta")),
        batch_size_(ctx.spec.get_int("noise.batch_size")),
        noise_rng_(make_std_rng(ctx.seed, "noise")) {}

  void prepare() override {
    problem_.dim = ctx_.spec.get_int("data.dim");
    problem_.n = ctx_.spec.get_int("data.n_train");
    const int64_t support = ctx_.spec.get_int("data.support");
    if (support > problem_.dim) {
      throw InputError(ctx_.spec.source() + ": data.support: " + std::to_string(support) +
                       " exceeds data.dim " + std::to_string(problem_.dim));
    }
    if (batch_size_ > problem_.n) {
      throw InputError(ctx_.spec.source() + ": noise.batch_size: " + std::to_string(batch_size_) +
                       " exceeds data.n_train " + std::to_string(problem_.n));
    }
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
    v_.assign(static_cast<size_t>(problem_.dim), ctx_.spec.get_float("init.alpha"));
    indices_.resize(static_cast<size_t>(problem_.n));
  }

  json data_info() const override {
    json info;
    info["source"] = "synthetic";
    info["description"] = "x ~ N(0, I), y = <w*, x>, w* = ones on the first `support` coordinates";
    info["dim"] = problem_.dim;
    info["train_size"] = problem_.n;
    info["support"] = ctx_.spec.get_int("data.support");
    return info;
  }

  int64_t num_epochs() const override { return (steps_ + log_every_ - 1) / log_every_; }

  json train_epoch(int64_t epoch) override {
    const int64_t begin = epoch * log_every_;
    const int64_t end = std::min(steps_, begin + log_every_);
    double lr = 0.0;
    for (int64_t step = begin; step < end; ++step) {
      if ((step - begin) % kStopPollSteps == kStopPollSteps - 1 && ctx_.stop_requested()) throw InterruptedError();
      lr = lr_at(step);
      label_noise::residuals(problem_, v_, r_);
      const double loss = label_noise::train_loss(r_);
      if (!std::isfinite(loss)) throw DivergedError(step, "non-finite train loss at step " + std::to_string(step));
      label_noise::full_gradient(problem_, v_, r_, grad_);
      add_noise();
      for (int64_t j = 0; j < problem_.dim; ++j) v_[j] -= lr * grad_[j];
    }
    label_noise::residuals(problem_, v_, r_);
    json row;
    row["step"] = end;
    row["lr"] = lr;
    row["train_loss"] = label_noise::train_loss(r_);
    row["test_error"] = label_noise::parameter_error(problem_, v_);
    if (!std::isfinite(row["train_loss"].get<double>()) || !std::isfinite(row["test_error"].get<double>())) {
      throw DivergedError(end, "non-finite loss after step " + std::to_string(end));
    }
    return row;
  }

  json final_metrics() override {
    label_noise::residuals(problem_, v_, r_);
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
    final_block["test_error"] = label_noise::parameter_error(problem_, v_);
    final_block["train_loss"] = label_noise::train_loss(r_);
    final_block["off_support_mass"] = off_support_mass;
    final_block["support"] = support;
    final_block["true_support"] = truth;
    final_block["support_recovered"] = support == truth;
    final_block["steps"] = steps_;
    return final_block;
  }

  HeadlineMetric headline() const override { return {"test_error", true}; }

  void save_state(torch::serialize::OutputArchive& archive) const override {
    write_tensor(archive, "label_noise/v", torch::tensor(v_, torch::kFloat64));
    write_std_rng(archive, "label_noise/noise_rng", noise_rng_);
  }

  void load_state(torch::serialize::InputArchive& archive) override {
    torch::Tensor v = torch::zeros({problem_.dim}, torch::kFloat64);
    read_tensor_into(archive, "label_noise/v", v);
    std::copy_n(v.data_ptr<double>(), problem_.dim, v_.begin());
    read_std_rng(archive, "label_noise/noise_rng", noise_rng_);
  }

 private:
  double lr_at(int64_t step) const {
    double lr = lr_;
    for (const int64_t milestone : milestones_) {
      if (step >= milestone) lr *= lr_decay_;
    }
    return lr;
  }

  // Mean per-sample gradient r_i v .* x_i over `batch_size_` samples drawn without replacement,
  // scaled by `sign * delta` and added to grad_.
  void add_minibatch_term(double sign) {
    std::iota(indices_.begin(), indices_.end(), int64_t{0});
    const double scale = sign * delta_ / static_cast<double>(batch_size_);
    for (int64_t k = 0; k < batch_size_; ++k) {
      std::uniform_int_distribution<int64_t> pick(k, problem_.n - 1);
      std::swap(indices_[k], indices_[pick(noise_rng_)]);
      const int64_t i = indices_[k];
      label_noise::add_sample_direction(problem_, v_, i, scale * r_[i], grad_);
    }
  }

  void add_noise() {
    switch (method_) {
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
        label_noise::add_sample_direction(problem_, v_, i, -delta_ * standard_normal(noise_rng_), grad_);
        return;
      }
      case Method::kGaussianNoise:
        for (double& g : grad_) g += delta_ * standard_normal(noise_rng_);
        return;
    }
  }

  const RunContext& ctx_;
  const Method method_;
  const int64_t steps_;
  const int64_t log_every_;
  const double lr_;
  const double lr_decay_;
  const std::vector<int64_t> milestones_;
  const double delta_;
  const int64_t batch_size_;
  std::mt19937_64 noise_rng_;
  Problem problem_;
  std::vector<double> v_;
  std::vector<double> r_;
  std::vector<double> grad_;
  std::vector<int64_t> indices_;
};

}  // namespace

TrainerInfo label_noise_sgd_trainer_info() {
  return TrainerInfo{
      "label_noise_sgd",
      "sparse regression with f(x) = <v*v, x>: label noise recovers the sparse truth, GD and Gaussian noise do not "
      "(HaoChen, Wei, Lee, Ma, COLT 2021)",
      make_schema,
      [](const RunContext& ctx) { return std::make_unique<LabelNoiseSgdTrainer>(ctx); }};
}

}  // namespace wei
