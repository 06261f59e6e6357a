#include "trainers/sma_circuits/circuit_problem.h"

#include "base/seeding.h"
#include "models/mlp.h"
#include "models/module_parameters.h"
#include "train/all_layer_margin_step.h"
#include "trainers/sma_circuits/balanced_draw.h"
#include "trainers/sma_circuits/bit_columns.h"
#include "trainers/sma_circuits/boolean_circuit.h"
#include "trainers/sma_circuits/junta_functions.h"
#include "trainers/sma_circuits/output_margin.h"

namespace wei::sma_circuits {

namespace {

using json = nlohmann::ordered_json;

// A drawn function: its labels of any inputs, and what it is (described only once it is kept: a
// draw may take thousands of tries).
struct LabellingFunction {
  std::function<BitColumn(const BitColumns&)> evaluate;
  std::function<json()> describe;
};

LabellingFunction draw_function(const Options::Circuit& c, std::mt19937_64& rng) {
  if (c.family == Family::kRandom) {
    auto circuit = std::make_shared<BooleanCircuit>(draw_circuit(c.inputs, c.size, c.depth, rng));
    return {[circuit](const BitColumns& x) { return circuit->evaluate(x); }, [circuit] { return circuit->describe(); }};
  }
  auto junta = std::make_shared<Junta>(
      draw_junta(c.family == Family::kParity ? JuntaKind::kParity : JuntaKind::kMajority, c.inputs, c.k, rng));
  return {[junta](const BitColumns& x) { return junta->evaluate(x); }, [junta] { return junta->describe(); }};
}

LabelledSet label(const BitColumns& inputs, const LabellingFunction& f, const torch::Device& device) {
  return {to_signs(inputs).to(device), to_labels(f.evaluate(inputs), inputs.examples).to(device)};
}

}  // namespace

LearningProblem make_circuit_problem(const RunContext& ctx, const Options& options) {
  const Options::Circuit& c = options.circuit;
  auto sample_rng = make_std_rng(c.seed, "balance-sample");
  const BitColumns sample = draw_uniform_inputs(c.balance_sample, c.inputs, sample_rng);
  auto function_rng = make_std_rng(c.seed, "function");
  const auto balanced = draw_balanced<LabellingFunction>(
      [&c](std::mt19937_64& rng) { return draw_function(c, rng); },
      [&sample](const LabellingFunction& f) {
        return static_cast<double>(count_ones(f.evaluate(sample), sample.examples)) /
               static_cast<double>(sample.examples);
      },
      0.5, {c.balance, c.max_draws, "circuit"}, function_rng);
  const LabellingFunction& f = balanced.value;

  LearningProblem p;
  auto data_rng = make_std_rng(ctx.seed, "data");
  const LabelledSet labelled = label(draw_uniform_inputs(options.data.n, c.inputs, data_rng), f, ctx.device);
  // The inputs are i.i.d., so the first train_size of them are a uniformly random training part.
  const int64_t train = options.train_size();
  p.train = {labelled.x.narrow(0, 0, train), labelled.y.narrow(0, 0, train)};
  p.validation = {labelled.x.narrow(0, train, options.validation_size()),
                  labelled.y.narrow(0, train, options.validation_size())};
  auto test_rng = make_std_rng(ctx.seed, "test");
  p.test = label(draw_uniform_inputs(options.data.test_size, c.inputs, test_rng), f, ctx.device);

  torch::manual_seed(derive_seed(ctx.seed, "init"));
  models::Mlp network(c.inputs, options.model.width, options.model.depth, 1);
  models::Mlp best(c.inputs, options.model.width, options.model.depth, 1);
  network->to(ctx.device);
  best->to(ctx.device);
  p.network = network.ptr();
  p.best = best.ptr();
  p.forward = [](torch::nn::Module& net, const torch::Tensor& x) {
    return static_cast<models::MlpImpl&>(net).forward(x).reshape({-1});
  };
  if (options.regulariser == Regulariser::kAllLayerMargin) {
    const AmoSettings amo{options.amo.inner_steps, options.amo.inner_lr, options.amo.inner_weight_decay, true};
    p.regularised_loss = [amo](torch::nn::Module& net, const torch::Tensor& x, const torch::Tensor& y) {
      auto& mlp = static_cast<models::MlpImpl&>(net);
      const PerturbedForward forward = [&mlp](const torch::Tensor& in, std::vector<torch::Tensor>& deltas, bool create) {
        return mlp.forward(in, &deltas, create).reshape({-1});
      };
      const LossOfLogits logistic = [](const torch::Tensor& logits, const torch::Tensor& labels) {
        return training_loss(logits, labels, 2);
      };
      AmoLoss step = amo_loss(mlp, forward, logistic, x, y, amo);
      return std::make_pair(step.loss, step.clean_logits);
    };
  }
  p.final_extras = [best, train_y = p.train.y](const torch::Tensor& train_logits) mutable {
    return json{{"normalised_margin", normalised_margins(train_logits, train_y, best)}};
  };
  const std::string family = name_of(family_names(), c.family);
  p.function = {{"family", family}, {"seed", c.seed}, {"draws", balanced.draws}, {"ones_fraction", balanced.statistic}};
  p.function.update(f.describe());
  p.data = {{"source", "boolean_function"},
            {"inputs", c.inputs},
            {"test_ones_fraction", p.test.y.to(torch::kDouble).mean().item<double>()}};
  ctx.log.info("sma_circuits: {} over {} bits ({} draws to a fraction of ones {:.3f}), MLP {}x{} ({} parameters), "
               "n = {} ({} train, {} validation), {} test inputs",
               family, c.inputs, balanced.draws, balanced.statistic, options.model.depth, options.model.width,
               models::parameter_count(*network), options.data.n, options.train_size(), options.validation_size(),
               options.data.test_size);
  return p;
}

}  // namespace wei::sma_circuits
