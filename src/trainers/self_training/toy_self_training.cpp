#include "trainers/self_training/toy_self_training.h"

#include <optional>

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/activation.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/endless_order.h"
#include "models/module_parameters.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "train/weight_average.h"
#include "trainers/self_training/consistency_losses.h"
#include "trainers/self_training/teacher_student_metrics.h"
#include "trainers/self_training/toy_manifolds.h"

namespace wei::self_training {

namespace {

using json = nlohmann::ordered_json;

class ToySelfTrainingTrainer final : public Trainer {
 public:
  ToySelfTrainingTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        manifolds_(options.toy, derive_seed(ctx.seed, "toy")),
        lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.steps)),
        order_(options.toy.train_size, derive_seed(ctx.seed, "order")) {}

  void prepare() override {
    auto gen = make_generator(ctx_.seed, "toy-train");
    train_ = manifolds_.sample(options_.toy.train_size, gen);
    train_x_ = manifolds_.embed(train_).to(ctx_.device);
    train_teacher_ = manifolds_.teacher_labels(train_).to(ctx_.device);
    grid_ = manifolds_.grid(options_.toy.test_points);
    grid_x_ = manifolds_.embed(grid_).to(ctx_.device);
    grid_teacher_ = manifolds_.teacher_labels(grid_);

    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    const int64_t width = options_.toy.hidden;
    model_ = torch::nn::Sequential(torch::nn::Linear(options_.toy.dim, width), torch::nn::ReLU(),
                                   torch::nn::Linear(width, width), torch::nn::ReLU(),
                                   torch::nn::Linear(width, options_.toy.classes));
    model_->to(ctx_.device);
    optimizer_ = make_sgd(*model_, options_.optim.sgd);
    if (options_.optim.ema > 0) average_ = std::make_unique<WeightAverage>(*model_, options_.optim.ema);

    const double half_width = neighbourhood_half_width();
    const double c = manifolds_.expansion_constant(half_width);
    theory_ = {{"neighbourhood_half_width", half_width},
               {"expansion_c", c},
               {"error_set_expansion", manifolds_.error_set_expansion(half_width)},
               {"bound_applies", false}};
    if (const auto bound = manifolds_.error_bound(c)) {
      theory_["bound_applies"] = true;
      theory_["error_bound"] = 100.0 * *bound;
    }
    if (options_.consistency.neighbourhood == Neighbourhood::kL2) {
      theory_["ground_truth_robust"] = options_.consistency.radius < options_.toy.separation - 2.0;
    }
    data_info_ = {{"source", "toy"},
                  {"classes", options_.toy.classes},
                  {"dim", options_.toy.dim},
                  {"train_size", options_.toy.train_size},
                  {"grid_points", grid_.classes.size(0)},
                  {"teacher_error", 100.0 * options_.toy.teacher_error},
                  {"error_arcs", options_.toy.error_arcs},
                  {"model_parameters", models::parameter_count(*model_)}};
    ctx_.log.info("self_training toy: {} classes on circles in R^{}, teacher error {:.1f}%, neighbourhood +-{:.3f} "
                  "of the circle: expansion c = {:.3f}{}",
                  options_.toy.classes, options_.toy.dim, 100.0 * options_.toy.teacher_error, half_width, c,
                  theory_.contains("error_bound")
                      ? fmt::format(", bound on the student's error {:.2f}%", theory_["error_bound"].get<double>())
                      : std::string(" (<= 3: Theorem 4.3 gives no bound)"));
  }

  json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return ceil_div(options_.optim.steps, options_.optim.eval_every); }
  HeadlineMetric headline() const override { return {"test_error", true}; }
  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("optimizer", *optimizer_);
    if (average_) average_->register_state(bundle, "weight_average");
  }

  json train_epoch(int64_t epoch) override {
    model_->train();
    const int64_t first = epoch * options_.optim.eval_every;
    const int64_t steps = std::min(options_.optim.eval_every, options_.optim.steps - first);
    consistency_sum_ = torch::zeros({}, torch::TensorOptions(ctx_.device).dtype(torch::kDouble));
    DriverOptions driver;
    driver.lr_per_step = [this](int64_t step) { return schedule_value(lr_, step); };
    if (average_) driver.after_step = [this](const StepBatch&) { average_->update(); };
    const EpochTotals totals = EpochDriver(*optimizer_, ctx_, driver)
                                   .run(EpochPlan::step_range(steps, epoch, first),
                                        [this](const StepBatch& b) { return step(b); });
    json row;
    row["step"] = first + steps;
    row["lr"] = totals.lr;
    row["train_loss"] = totals.mean_loss();
    if (options_.consistency.neighbourhood != Neighbourhood::kNone) {
      row["consistency_loss"] = consistency_sum_.item<double>() / static_cast<double>(steps);
    }
    return row;
  }

  json evaluate(int64_t) override {
    const TeacherComparison c = compare_to_teacher(grid_teacher_, grid_predictions(), grid_.classes);
    json row;
    row["test_error"] = c.student_error;
    row["teacher_test_error"] = c.teacher_error;
    row["teacher_errors_corrected"] = c.corrected;
    row["teacher_right_broken"] = c.broken;
    return row;
  }

  json final_metrics(const json&) override {
    json final;
    const TeacherComparison c = compare_to_teacher(grid_teacher_, grid_predictions(), grid_.classes);
    final["test_error"] = c.student_error;
    final["teacher_student"] = c.to_json();
    final["theory"] = theory_;
    if (theory_.contains("error_bound")) {
      final["within_bound"] = c.student_error <= theory_["error_bound"].get<double>();
    }
    final["method"] = "teacher_student";
    final["neighbourhood"] = name_of(neighbourhood_names(), options_.consistency.neighbourhood);
    return final;
  }

 private:
  double neighbourhood_half_width() const {
    switch (options_.consistency.neighbourhood) {
      case Neighbourhood::kL2: return ToyManifolds::l2_half_width(options_.consistency.radius);
      case Neighbourhood::kAugment:
      case Neighbourhood::kNone: break;
    }
    // none: no regulariser is trained, but the data's neighbourhood is still the augmentation's.
    return options_.toy.shift;
  }

  torch::Tensor grid_predictions() {
    std::optional<WeightAverage::Swap> use_average;
    if (average_) use_average.emplace(*average_);
    return evaluate_in_batches({model_.ptr().get()}, grid_x_.size(0), 65536, ctx_.stop,
                               [this](int64_t start, int64_t length) {
                                 return model_->forward(grid_x_.narrow(0, start, length));
                               })
        .argmax(1)
        .cpu();
  }

  StepLoss step(const StepBatch& b) {
    const int64_t batch = options_.optim.batch_size;
    torch::Tensor chosen, x;
    {
      const auto loading = b.time_loading();
      chosen = b.shard(order_.take(b.step * batch, batch));
      x = train_x_.index_select(0, chosen.to(ctx_.device));
    }
    const torch::Tensor logits = model_->forward(x);
    const torch::Tensor targets = train_teacher_.index_select(0, chosen.to(ctx_.device));
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, targets);
    const Neighbourhood neighbourhood = options_.consistency.neighbourhood;
    if (neighbourhood == Neighbourhood::kNone) return StepLoss{loss};
    auto gen = make_generator(derive_seed(ctx_.seed, "neighbour") + static_cast<uint64_t>(b.step), "toy");
    torch::Tensor consistency;
    if (neighbourhood == Neighbourhood::kAugment) {
      // A neighbour of each point, moved along its circle by up to toy.shift, must take its label.
      const ToyPoints points{train_.classes.index_select(0, chosen), train_.t.index_select(0, chosen)};
      const torch::Tensor move = (torch::rand({chosen.size(0)}, gen, torch::kDouble) * 2 - 1) * options_.toy.shift;
      const torch::Tensor neighbours = manifolds_.embed(ToyManifolds::moved(points, move)).to(ctx_.device);
      consistency = masked_pseudo_label_loss(logits, model_->forward(neighbours), 0.0).loss;
    } else {
      const LogitsOf logits_of = [this](const torch::Tensor& in) { return model_->forward(in); };
      const torch::Tensor r = vat_perturbation(logits_of, x, logits, options_.consistency.radius, 1e-6, gen);
      consistency = mean_kl_divergence(logits, model_->forward(x + r));
    }
    consistency_sum_ += consistency.detach().to(torch::kDouble);
    return StepLoss{loss + options_.consistency.weight * consistency};
  }

  RunContext ctx_;
  const Options options_;
  const ToyManifolds manifolds_;
  const Schedule lr_;
  data::EndlessOrder order_;
  ToyPoints train_, grid_;
  torch::Tensor train_x_, train_teacher_, grid_x_, grid_teacher_;
  torch::nn::Sequential model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<WeightAverage> average_;
  json theory_, data_info_;
  torch::Tensor consistency_sum_;
};

}  // namespace

std::unique_ptr<Trainer> make_toy_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<ToySelfTrainingTrainer>(ctx, options);
}

}  // namespace wei::self_training
