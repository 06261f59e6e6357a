#include "trainers/max_margin/linear_trainer.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "trainers/max_margin/classifier_metrics.h"
#include "trainers/max_margin/hard_margin_svm.h"
#include "trainers/max_margin/linear_classifier.h"
#include "trainers/max_margin/linear_problem.h"
#include "trainers/max_margin/logistic_descent.h"
#include "trainers/max_margin/monte_carlo.h"

namespace wei::max_margin {

namespace {

using json = nlohmann::ordered_json;

constexpr int64_t kConstructedRows = 3;  // near_max_margin, memoriser, half_margin
// Coordinate-ascent sweeps the SVM is guessed to take, for the ETA (13 at n = 200, d = 20,000).
constexpr double kSvmSweepsGuess = 50;

class LinearTrainer : public Trainer {
 public:
  LinearTrainer(const RunContext& ctx, const Options& options) : ctx_(ctx), options_(options.linear) {}

  void prepare() override {
    at::Generator data_gen = make_generator(ctx_.seed, "linear-data");
    problem_ = make_linear_problem(options_.mu_norm, options_.sigma, options_.dim, options_.n_train, data_gen);
    kernel_ = label_kernel(problem_);
    logistic_lr_ = options_.logistic_step_size / logistic_smoothness(kernel_);
    logistic_ = std::make_unique<LogisticDescent>(kernel_, logistic_lr_);
  }

  json data_info() const override {
    return {{"source", "synthetic"},
            {"setting", "linear"},
            {"description", "y uniform in {-1, +1}, x = y mu + xi, xi ~ N(0, sigma^2 I) orthogonal to mu"},
            {"dim", problem_.dim},
            {"train_size", problem_.n},
            {"positive_fraction", problem_.labels.gt(0).to(torch::kDouble).mean().item<double>()},
            {"signal_to_noise", signal_to_noise(problem_)},
            {"logistic_lr", logistic_lr_}};
  }

  int64_t num_epochs() const override { return 1 + logistic_rows() + kConstructedRows; }

  json train_epoch(int64_t epoch) override {
    json row;
    if (epoch == 0) {
      row = solve_svm();
    } else if (epoch <= logistic_rows()) {
      row = logistic_row(epoch - 1);
    } else if (epoch == logistic_rows() + 1) {
      const LinearClassifier svm = from_dual(problem_, svm_alpha_);
      row = removed_signal_row("near_max_margin", svm, (1.0 - options_.epsilon) * max_margin());
    } else if (epoch == logistic_rows() + 2) {
      row = classifier_row("memoriser", noise_memoriser(problem_), true);
    } else {
      row = removed_signal_row("half_margin", noise_memoriser(problem_), 0.5 * max_margin());
    }
    json report = row;
    report.erase("classifier");
    reports_[row["classifier"].get<std::string>()] = report;
    return row;
  }

  json final_metrics(const json& last_row) override {
    const json& svm = reports_.at("max_margin");
    json final_block = {{"test_error", svm.at("test_error")},
                        {"s_prime_error", svm.at("s_prime_error")},
                        {"max_margin", max_margin()},
                        {"signal_to_noise", signal_to_noise(problem_)}};
    final_block["classifiers"] = reports_;
    return final_block;
  }

  // Every row has its classifier's test error: "best" names the row (classifier) with the lowest.
  HeadlineMetric headline() const override { return {"test_error", true}; }

  double epoch_cost(int64_t epoch) const override {
    const double n2 = static_cast<double>(options_.n_train) * static_cast<double>(options_.n_train);
    const double mc = static_cast<double>(options_.mc_points) *
                      (options_.mc_sampling == McSampling::kFull ? static_cast<double>(options_.dim) : 1.0);
    if (epoch == 0) return kSvmSweepsGuess * n2 + mc;
    if (epoch <= logistic_rows()) return static_cast<double>(logistic_steps_in(epoch - 1)) * n2;
    return mc + n2;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_value("svm_alpha", svm_alpha_);
    bundle.add_value("logistic_beta", logistic_beta_);
    bundle.add_value("reports", reports_);
  }

 private:
  int64_t logistic_rows() const { return ceil_div(options_.logistic_steps, options_.log_every); }
  int64_t logistic_steps_in(int64_t row) const {
    return std::min(options_.log_every, options_.logistic_steps - row * options_.log_every);
  }
  double max_margin() const { return reports_.at("max_margin").at("normalized_margin").get<double>(); }

  // The metrics of `w`, with its Monte Carlo test error when `monte_carlo` (a stream per classifier).
  json classifier_row(const std::string& name, const LinearClassifier& w, bool monte_carlo) {
    const ClassifierMetrics m = classifier_metrics(problem_, w);
    json row;
    row["classifier"] = name;
    row["test_error"] = m.test_error;
    if (monte_carlo) {
      at::Generator gen = make_generator(ctx_.seed, "monte-carlo/" + name);
      row["test_error_mc"] = monte_carlo_test_error(problem_, w, options_.mc_points, options_.mc_sampling, gen, ctx_.stop);
    }
    row["s_prime_error"] = m.s_prime_error;
    row["train_error"] = m.train_error;
    row["normalized_margin"] = m.normalized_margin;
    row["margin_ratio"] = name == "max_margin" ? 1.0 : m.normalized_margin / max_margin();
    row["cos_mu"] = m.cos_mu;
    return row;
  }

  json solve_svm() {
    const SvmSolution svm = solve_hard_margin_svm(kernel_, options_.svm_tolerance, options_.svm_max_sweeps, ctx_.stop);
    if (!svm.converged) {
      throw RunError("hard-margin SVM: relative duality gap " + std::to_string(svm.relative_gap) + " after " +
                     std::to_string(svm.sweeps) + " sweeps, above linear.svm_tolerance " +
                     std::to_string(options_.svm_tolerance) + " (raise linear.svm_max_sweeps)");
    }
    svm_alpha_ = svm.alpha;
    reports_["max_margin"] = {{"normalized_margin", svm.normalized_margin()}};  // max_margin() for the row
    json row = classifier_row("max_margin", from_dual(problem_, svm_alpha_), true);
    row["svm_duality_gap"] = std::max(0.0, svm.relative_gap);
    row["svm_sweeps"] = svm.sweeps;
    row["support_vectors"] = svm.support_vectors();
    return row;
  }

  json logistic_row(int64_t index) {
    logistic_->set_coef(logistic_beta_.empty() ? std::vector<double>(static_cast<size_t>(options_.n_train), 0.0)
                                               : logistic_beta_);
    const int64_t steps = logistic_steps_in(index);
    logistic_->run(steps, ctx_.stop);
    logistic_beta_ = logistic_->coef();
    const double loss = logistic_->loss();
    if (!std::isfinite(loss)) throw DivergedError(index * options_.log_every + steps, "non-finite logistic loss");
    const bool last = index + 1 == logistic_rows();
    json row = classifier_row("logistic", from_dual(problem_, logistic_beta_), last);
    row["step"] = index * options_.log_every + steps;
    row["train_loss"] = loss;
    return row;
  }

  json removed_signal_row(const std::string& name, const LinearClassifier& start, double target) {
    const std::optional<SignalRemoved> built = remove_signal_to_margin(problem_, start, target);
    if (!built) {
      ctx_.log.warn("{}: no classifier of the form w - t mu/||mu|| has normalised margin {}", name, target);
      return {{"classifier", name}, {"exists", false}};
    }
    json row = classifier_row(name, built->classifier, true);
    row["signal_removed"] = built->removed;
    return row;
  }

  RunContext ctx_;
  const Options::Linear options_;
  LinearProblem problem_;
  torch::Tensor kernel_;
  double logistic_lr_ = 0;
  std::unique_ptr<LogisticDescent> logistic_;
  std::vector<double> svm_alpha_;
  std::vector<double> logistic_beta_;
  json reports_ = json::object();  // classifier -> its last row
};

}  // namespace

std::unique_ptr<Trainer> make_linear_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<LinearTrainer>(ctx, options);
}

}  // namespace wei::max_margin
