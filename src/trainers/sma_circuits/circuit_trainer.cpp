#include "trainers/sma_circuits/circuit_trainer.h"

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/endless_order.h"
#include "models/mlp.h"
#include "models/module_parameters.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/sma_circuits/bit_columns.h"
#include "trainers/sma_circuits/boolean_circuit.h"
#include "trainers/sma_circuits/junta_functions.h"
#include "trainers/sma_circuits/labelling_function.h"
#include "trainers/sma_circuits/output_margin.h"

namespace wei::sma_circuits {

namespace {

using json = nlohmann::ordered_json;

// Inputs as +-1 and their 0/1 labels, on the run's device.
struct LabelledSet {
  torch::Tensor x, y;
  int64_t size() const { return x.size(0); }
};

LabelledSet label(const BitColumns& inputs, const LabellingFunction& f, const torch::Device& device) {
  return {to_signs(inputs).to(device), to_targets(f.evaluate(inputs), inputs.examples).to(device)};
}

// The first `count` examples of `inputs` from example `first` on.
BitColumns slice(const BitColumns& inputs, int64_t first, int64_t count) {
  BitColumns out;
  out.examples = count;
  for (const BitColumn& column : inputs.columns) {
    BitColumn part((static_cast<size_t>(count) + 63) / 64, 0);
    for (int64_t e = 0; e < count; ++e) {
      if (bit_of(column, first + e)) part[static_cast<size_t>(e / 64)] |= uint64_t{1} << (e % 64);
    }
    out.columns.push_back(std::move(part));
  }
  return out;
}

LabellingFunction draw_function(const Options::Circuit& c, std::mt19937_64& rng) {
  if (c.family == Family::kRandom) {
    auto circuit = std::make_shared<BooleanCircuit>(draw_circuit(c.inputs, c.size, c.depth, rng));
    json description = circuit->describe();
    return {[circuit](const BitColumns& x) { return circuit->evaluate(x); }, std::move(description)};
  }
  auto junta = std::make_shared<Junta>(
      draw_junta(c.family == Family::kParity ? JuntaKind::kParity : JuntaKind::kMajority, c.inputs, c.k, rng));
  json description = junta->describe();
  return {[junta](const BitColumns& x) { return junta->evaluate(x); }, std::move(description)};
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(models::Mlp& network, const Options::Optim& o) {
  if (o.optimizer == OptimizerKind::kAdam) {
    return std::make_unique<torch::optim::Adam>(network->parameters(),
                                                torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  }
  return std::make_unique<torch::optim::SGD>(
      network->parameters(), torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

class CircuitTrainer final : public Trainer {
 public:
  CircuitTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        lr_(make_schedule(options.optim.schedule, options.optim.lr, options.optim.max_steps)),
        order_(options.train_size(), derive_seed(ctx.seed, "order")),
        batch_size_(std::min(options.optim.batch_size, options.train_size())) {}

  void prepare() override {
    const Options::Circuit& c = options_.circuit;
    auto sample_rng = make_std_rng(c.seed, "balance-sample");
    const BitColumns sample = draw_uniform_inputs(c.balance_sample, c.inputs, sample_rng);
    auto function_rng = make_std_rng(c.seed, "function");
    balanced_ = draw_balanced([&c](std::mt19937_64& rng) { return draw_function(c, rng); }, sample,
                              {c.balance, c.balance_sample, c.max_draws}, function_rng);

    auto data_rng = make_std_rng(ctx_.seed, "data");
    const BitColumns labelled = draw_uniform_inputs(options_.data.n, c.inputs, data_rng);
    // The inputs are i.i.d., so the first train_size of them are a uniformly random training part.
    train_ = label(slice(labelled, 0, options_.train_size()), balanced_.function, ctx_.device);
    validation_ = label(slice(labelled, options_.train_size(), options_.validation_size()), balanced_.function,
                        ctx_.device);
    auto test_rng = make_std_rng(ctx_.seed, "test");
    test_ = label(draw_uniform_inputs(options_.data.test_size, c.inputs, test_rng), balanced_.function, ctx_.device);

    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    network_ = models::Mlp(c.inputs, options_.model.width, options_.model.depth, 1);
    best_ = models::Mlp(c.inputs, options_.model.width, options_.model.depth, 1);
    network_->to(ctx_.device);
    best_->to(ctx_.device);
    copy_weights(network_, best_);
    optimizer_ = make_optimizer(network_, options_.optim);

    ctx_.log.info("sma_circuits: {} over {} bits ({} draws to a fraction of ones {:.3f}), MLP {}x{} ({} parameters), "
                  "n = {} ({} train, {} validation), {} test inputs",
                  describe_family(), c.inputs, balanced_.draws, balanced_.ones_fraction, options_.model.depth,
                  options_.model.width, models::parameter_count(*network_), options_.data.n, options_.train_size(),
                  options_.validation_size(), options_.data.test_size);
  }

  json data_info() const override {
    return {{"source", "boolean_function"},
            {"inputs", options_.circuit.inputs},
            {"n", options_.data.n},
            {"train", train_.size()},
            {"validation", validation_.size()},
            {"test", test_.size()},
            {"test_ones_fraction", test_.y.mean().item<double>()},
            {"model_parameters", models::parameter_count(*network_)}};
  }

  int64_t num_epochs() const override { return ceil_div(options_.optim.max_steps, options_.optim.eval_every); }
  // No validation error can come below 0: the run stops there too.
  bool done_early() const override { return best_error_ == 0 || rows_since_best_ >= options_.optim.patience; }
  HeadlineMetric headline() const override { return {"validation_error", true}; }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("network", *network_);
    bundle.add_module("best_network", *best_);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_json(
        "early_stopping",
        [this] { return json{{"best_validation_error", best_error_}, {"best_step", best_step_}, {"rows_since_best", rows_since_best_}}; },
        [this](const json& j) {
          best_error_ = j.at("best_validation_error").get<double>();
          best_step_ = j.at("best_step").get<int64_t>();
          rows_since_best_ = j.at("rows_since_best").get<int64_t>();
        });
  }

  json train_epoch(int64_t epoch) override {
    network_->train();
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
    const double error = error_of(network_, validation_);
    if (error < best_error_) {
      best_error_ = error;
      best_step_ = steps_done_;
      rows_since_best_ = 0;
      copy_weights(network_, best_);
    } else {
      ++rows_since_best_;
    }
    return {{"validation_error", error}, {"best_validation_error", best_error_}};
  }

  json final_metrics(const json& last_row) override {
    const torch::Tensor train_logits = logits_of(best_, train_.x);
    json final;
    final["test_error"] = error_of(best_, test_);
    final["train_error"] = error_from_logits(train_logits, train_.y);
    final["validation_error"] = best_error_;
    final["best_step"] = best_step_;
    final["steps_trained"] = last_row.value("step", int64_t{0});
    final["stopped_early"] = done_early();
    final["n"] = options_.data.n;
    final["model_parameters"] = models::parameter_count(*best_);
    final["normalised_margin"] = normalised_margins(train_logits, train_.y, best_, derive_seed(ctx_.seed, "margin"));
    json function = {{"family", describe_family()},
                     {"seed", options_.circuit.seed},
                     {"draws", balanced_.draws},
                     {"ones_fraction", balanced_.ones_fraction}};
    function.update(balanced_.function.description);
    final["function"] = function;
    return final;
  }

 private:
  std::string describe_family() const { return name_of(family_names(), options_.circuit.family); }

  static void copy_weights(models::Mlp& from, models::Mlp& to) {
    torch::NoGradGuard no_grad;
    const auto source = from->parameters();
    auto target = to->parameters();
    for (size_t i = 0; i < source.size(); ++i) target[i].copy_(source[i]);
  }

  torch::Tensor logits_of(models::Mlp& network, const torch::Tensor& x) {
    return evaluate_in_batches({network.ptr().get()}, x.size(0), options_.eval.batch_size, ctx_.stop,
                               [&](int64_t start, int64_t length) { return network->forward(x.narrow(0, start, length)); })
        .reshape({-1});
  }

  static double error_from_logits(const torch::Tensor& logits, const torch::Tensor& y) {
    return 100.0 * ((logits > 0) != (y > 0.5)).to(torch::kDouble).mean().item<double>();
  }

  double error_of(models::Mlp& network, const LabelledSet& set) { return error_from_logits(logits_of(network, set.x), set.y); }

  StepLoss step(const StepBatch& b) {
    torch::Tensor x, y;
    {
      const auto loading = b.time_loading();
      const torch::Tensor chosen = order_.take(b.step * batch_size_, batch_size_).to(ctx_.device);
      x = train_.x.index_select(0, chosen);
      y = train_.y.index_select(0, chosen);
    }
    const torch::Tensor logits = network_->forward(x).reshape({-1});
    const torch::Tensor loss = torch::nn::functional::binary_cross_entropy_with_logits(logits, y);
    const torch::Tensor correct = ((logits.detach() > 0) == (y > 0.5)).sum();
    return StepLoss{loss, static_cast<double>(batch_size_), correct, batch_size_};
  }

  RunContext ctx_;
  const Options options_;
  const Schedule lr_;
  data::EndlessOrder order_;
  const int64_t batch_size_;
  BalancedFunction balanced_;
  LabelledSet train_, validation_, test_;
  models::Mlp network_{nullptr}, best_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  double best_error_ = 101;  // above any error in %: the first evaluation is always the best so far
  int64_t best_step_ = 0;
  int64_t rows_since_best_ = 0;
  int64_t steps_done_ = 0;
};

}  // namespace

std::unique_ptr<Trainer> make_circuit_trainer(const RunContext& ctx, const Options& options) {
  return std::make_unique<CircuitTrainer>(ctx, options);
}

}  // namespace wei::sma_circuits
