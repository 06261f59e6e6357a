#include "trainers/spurious_selftrain/toy_trainer.h"

#include <cmath>

#include "core/checkpoint_io.h"
#include "core/errors.h"
#include "core/seeding.h"
#include "trainers/spurious_selftrain/gaussian_toy.h"
#include "trainers/spurious_selftrain/objectives.h"

namespace wei::spurious {

void add_toy_params(ParamSchema& s) {
  s.add_int("gaussian.source_size", 10000, "labelled source points (paper: 10,000)").greater_than(0);
  s.add_int("gaussian.target_size", 10000, "target points per batch (paper: 10,000)").greater_than(0);
  s.add_int("gaussian.test_size", 10000, "held-out source and target points for accuracies").greater_than(0);
  s.add_float("gaussian.signal_norm", 2.0, "||c||, the class-mean offset of the signal dims").greater_than(0);
  s.add_float("gaussian.spurious_prob", 0.8, "source: chance a spurious coordinate follows the label")
      .at_least(0).at_most(1);
  s.add_float("gaussian.lr", 1e-3, "step size of both phases (paper: 1e-3)").greater_than(0);
  s.add_int("gaussian.source_steps", 20000, "full-batch logistic steps on the source").greater_than(0);
  s.add_int("gaussian.target_steps", 10000, "entropy-minimisation steps on the target").greater_than(0);
  s.add_bool("gaussian.fresh_batches", true,
             "draw a new target batch for every step / round (false: reuse one fixed target set)");
  s.add_int("gaussian.pl_rounds", 10, "pseudo-label rounds").greater_than(0);
  s.add_int("gaussian.pl_steps", 1000, "logistic steps on the pseudo-labels of each round").greater_than(0);
  s.add_float("gaussian.pl_threshold", 0.1, "keep target points with |w.x| above this").at_least(0);
  s.add_int("gaussian.log_every", 1000, "steps per history row").greater_than(0);
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

class ToyTrainer : public Trainer {
 public:
  explicit ToyTrainer(const RunContext& ctx)
      : ctx_(ctx),
        toy_(ctx.spec.get_float("gaussian.signal_norm"), ctx.spec.get_float("gaussian.spurious_prob"),
             make_generator(ctx.seed, "toy-direction")),
        batch_gen_(make_generator(ctx.seed, "toy-target-batches")),
        pseudo_label_(ctx.spec.get_string("adapt.method") == "pseudo_label"),
        lr_(ctx.spec.get_float("gaussian.lr")),
        source_steps_(ctx.spec.get_int("gaussian.source_steps")),
        target_steps_(ctx.spec.get_int("gaussian.target_steps")),
        target_size_(ctx.spec.get_int("gaussian.target_size")),
        log_every_(ctx.spec.get_int("gaussian.log_every")),
        pl_rounds_(ctx.spec.get_int("gaussian.pl_rounds")),
        pl_steps_(ctx.spec.get_int("gaussian.pl_steps")),
        pl_threshold_(ctx.spec.get_float("gaussian.pl_threshold")),
        fresh_batches_(ctx.spec.get_bool("gaussian.fresh_batches")) {}

  void prepare() override {
    at::Generator data_gen = make_generator(ctx_.seed, "toy-data");
    const int64_t test_size = ctx_.spec.get_int("gaussian.test_size");
    source_ = toy_.sample_source(ctx_.spec.get_int("gaussian.source_size"), data_gen);
    target_ = toy_.sample_target(target_size_, data_gen);
    source_test_ = toy_.sample_source(test_size, data_gen);
    target_test_ = toy_.sample_target(test_size, data_gen);
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
      const int64_t first = epoch * log_every_;
      const int64_t steps = std::min(log_every_, source_steps_ - first);
      const double loss = run_steps(first, steps, [&] { return logistic_loss(source_.x.matmul(w_), source_.y); });
      if (epoch + 1 == source_epochs()) w_source_ = w_.detach().clone();
      row["phase"] = "source";
      row["step"] = first + steps;
      row["train_loss"] = loss;
    } else if (pseudo_label_) {
      const int64_t round = epoch - source_epochs();
      const ToyBatch batch = fresh_batches_ ? toy_.sample_target(target_size_, batch_gen_) : target_;
      const auto [labels, kept] = confident_binary_labels(batch.x.matmul(w_), pl_threshold_);
      const torch::Tensor x = batch.x.index_select(0, kept);
      const double loss = run_steps(round * pl_steps_, pl_steps_, [&] { return logistic_loss(x.matmul(w_), labels); });
      row["phase"] = "pseudo_label";
      row["round"] = round + 1;
      row["kept_fraction"] = static_cast<double>(kept.size(0)) / static_cast<double>(batch.y.size(0));
      row["train_loss"] = loss;
    } else {
      const int64_t first = (epoch - source_epochs()) * log_every_;
      const int64_t steps = std::min(log_every_, target_steps_ - first);
      const double loss = run_steps(first, steps, [&] {
        const torch::Tensor x = fresh_batches_ ? toy_.sample_target(target_size_, batch_gen_).x : target_.x;
        return binary_entropy(x.matmul(w_));
      });
      row["phase"] = "entropy";
      row["step"] = first + steps;
      row["train_loss"] = loss;
    }
    row["source_acc"] = linear_accuracy(w_, source_test_);
    row["target_acc"] = linear_accuracy(w_, target_test_);
    row["spurious_norm"] = spurious_norm(w_);
    return row;
  }

  nlohmann::ordered_json final_metrics() override {
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

  void save_state(torch::serialize::OutputArchive& ar) const override {
    write_tensor(ar, "w", w_);
    write_tensor(ar, "w_source", w_source_);
    write_generator(ar, "target_batches", batch_gen_);
  }

  void load_state(torch::serialize::InputArchive& ar) override {
    read_tensor_into(ar, "w", w_);
    read_tensor_into(ar, "w_source", w_source_);
    read_generator(ar, "target_batches", batch_gen_);
  }

 private:
  int64_t source_epochs() const { return ceil_div(source_steps_, log_every_); }
  int64_t target_epochs() const { return pseudo_label_ ? pl_rounds_ : ceil_div(target_steps_, log_every_); }

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
      if (i % kPollEvery == 0 && ctx_.stop_requested && ctx_.stop_requested()) throw InterruptedError();
      w_.requires_grad_(true);
      const torch::Tensor loss = loss_fn();
      const double value = loss.item<double>();
      if (!std::isfinite(value)) throw DivergedError(first_step + i + 1, "non-finite loss in the Gaussian toy");
      const torch::Tensor grad = torch::autograd::grad({loss}, {w_})[0];
      w_ = w_.detach() - lr_ * grad;
      project_to_unit_sphere(w_);
      total += value;
    }
    return total / static_cast<double>(steps);
  }

  RunContext ctx_;
  GaussianToy toy_;
  at::Generator batch_gen_;
  bool pseudo_label_;
  double lr_;
  int64_t source_steps_, target_steps_, target_size_, log_every_, pl_rounds_, pl_steps_;
  double pl_threshold_;
  bool fresh_batches_;
  ToyBatch source_, target_, source_test_, target_test_;
  torch::Tensor w_, w_source_;
};

}  // namespace

std::unique_ptr<Trainer> make_toy_trainer(const RunContext& ctx) { return std::make_unique<ToyTrainer>(ctx); }

}  // namespace wei::spurious
