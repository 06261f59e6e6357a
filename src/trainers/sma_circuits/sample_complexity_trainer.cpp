#include "trainers/sma_circuits/sample_complexity_trainer.h"

#include <tuple>

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/endless_order.h"
#include "models/module_parameters.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"

namespace wei::sma_circuits {

namespace {

using json = nlohmann::ordered_json;

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& network, const Options::Optim& o) {
  if (o.optimizer == OptimizerKind::kAdam) {
    return std::make_unique<torch::optim::Adam>(network.parameters(),
                                                torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  }
  return std::make_unique<torch::optim::SGD>(
      network.parameters(), torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

class SampleComplexityTrainer final : public Trainer {
 public:
  SampleComplexityTrainer(const RunContext& ctx, const Options& options, ProblemBuilder build)
      : ctx_(ctx),
        options_(options),
        build_(std::move(build)),
        lr_(make_schedule(options.optim.schedule, options.optim.lr, options.optim.max_steps)),
        order_(options.train_size(), derive_seed(ctx.seed, "order")),
        batch_size_(std::min(options.optim.batch_size, options.train_size())) {}

  void prepare() override {
    problem_ = build_(ctx_, options_);
    models::copy_weights(*problem_.network, *problem_.best);
    optimizer_ = make_optimizer(*problem_.network, options_.optim);
  }

  json data_info() const override {
    json info = problem_.data;
    info["n"] = options_.data.n;
    info["train"] = problem_.train.size();
    info["validation"] = problem_.validation.size();
    info["test"] = problem_.test.size();
    info["model_parameters"] = models::parameter_count(*problem_.network);
    return info;
  }

  int64_t num_epochs() const override { return ceil_div(options_.optim.max_steps, options_.optim.eval_every); }
  // No validation error can come below 0: the run stops there too.
  bool done_early() const override { return best_error_ == 0 || rows_since_best_ >= options_.optim.patience; }
  HeadlineMetric headline() const override { return {"validation_error", true}; }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("network", *problem_.network);
    bundle.add_module("best_network", *problem_.best);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_json(
        "early_stopping",
        [this] {
          return json{{"best_validation_error", best_error_}, {"best_step", best_step_}, {"rows_since_best", rows_since_best_}};
        },
        [this](const json& j) {
          best_error_ = j.at("best_validation_error").get<double>();
          best_step_ = j.at("best_step").get<int64_t>();
          rows_since_best_ = j.at("rows_since_best").get<int64_t>();
        });
  }

  json train_epoch(int64_t epoch) override {
    problem_.network->train();
    const int64_t first = epoch * options_.optim.eval_every;
    steps_done_ = first + std::min(options_.optim.eval_every, options_.optim.max_steps - first);
    DriverOptions driver;
    driver.lr_per_step = [this](int64_t step) { return schedule_value(lr_, step); };
    const EpochTotals totals =
        EpochDriver(*optimizer_, ctx_, driver)
            .run(EpochPlan::step_range(steps_done_ - first, epoch, first), [this](const StepBatch& b) { return step(b); });
    return {{"step", steps_done_},
            {"lr", totals.lr},
            {"train_loss", totals.mean_loss()},
            {"train_batch_error", 100.0 * (1.0 - totals.accuracy())}};
  }

  json evaluate(int64_t) override {
    const double error = error_of(*problem_.network, problem_.validation);
    if (error < best_error_) {
      best_error_ = error;
      best_step_ = steps_done_;
      rows_since_best_ = 0;
      models::copy_weights(*problem_.network, *problem_.best);
    } else {
      ++rows_since_best_;
    }
    return {{"validation_error", error}, {"best_validation_error", best_error_}};
  }

  json final_metrics(const json& last_row) override {
    const torch::Tensor train_logits = logits_of(*problem_.best, problem_.train.x);
    json final;
    final["test_error"] = error_of(*problem_.best, problem_.test);
    final["train_error"] = error_from_logits(train_logits, problem_.train.y);
    final["validation_error"] = best_error_;
    final["best_step"] = best_step_;
    final["steps_trained"] = last_row.value("step", int64_t{0});
    final["stopped_early"] = done_early();
    final["n"] = options_.data.n;
    final["model_parameters"] = models::parameter_count(*problem_.best);
    if (problem_.final_extras) final.update(problem_.final_extras(train_logits));
    final["function"] = problem_.function;
    return final;
  }

 private:
  torch::Tensor predictions(const torch::Tensor& logits) const {
    return problem_.classes == 2 ? (logits > 0).to(torch::kLong) : logits.argmax(1);
  }

  double error_from_logits(const torch::Tensor& logits, const torch::Tensor& y) const {
    return 100.0 * predictions(logits).ne(y).to(torch::kDouble).mean().item<double>();
  }

  torch::Tensor logits_of(torch::nn::Module& network, const torch::Tensor& x) {
    return evaluate_in_batches({&network}, x.size(0), options_.eval.batch_size, ctx_.stop,
                               [&](int64_t start, int64_t length) {
                                 return problem_.forward(network, x.narrow(0, start, length));
                               });
  }

  double error_of(torch::nn::Module& network, const LabelledSet& set) {
    return error_from_logits(logits_of(network, set.x), set.y);
  }

  StepLoss step(const StepBatch& b) {
    torch::Tensor x, y;
    {
      const auto loading = b.time_loading();
      const torch::Tensor chosen = order_.take(b.step * batch_size_, batch_size_).to(ctx_.device);
      x = problem_.train.x.index_select(0, chosen);
      y = problem_.train.y.index_select(0, chosen);
    }
    torch::Tensor loss, logits;
    if (problem_.regularised_loss) {
      std::tie(loss, logits) = problem_.regularised_loss(*problem_.network, x, y);
    } else {
      logits = problem_.forward(*problem_.network, x);
      loss = training_loss(logits, y, problem_.classes);
    }
    const torch::Tensor correct = predictions(logits.detach()).eq(y).sum();
    return StepLoss{loss, static_cast<double>(batch_size_), correct, batch_size_};
  }

  RunContext ctx_;
  const Options options_;
  const ProblemBuilder build_;
  const Schedule lr_;
  data::EndlessOrder order_;
  const int64_t batch_size_;
  LearningProblem problem_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  double best_error_ = 101;  // above any error in %: the first evaluation is always the best so far
  int64_t best_step_ = 0;
  int64_t rows_since_best_ = 0;
  int64_t steps_done_ = 0;
};

}  // namespace

std::unique_ptr<Trainer> make_sample_complexity_trainer(const RunContext& ctx, const Options& options,
                                                        ProblemBuilder build) {
  return std::make_unique<SampleComplexityTrainer>(ctx, options, std::move(build));
}

}  // namespace wei::sma_circuits
