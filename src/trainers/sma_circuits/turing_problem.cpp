#include "trainers/sma_circuits/turing_problem.h"

#include "base/seeding.h"
#include "models/module_parameters.h"
#include "models/transformer_mlm.h"
#include "trainers/sma_circuits/balanced_draw.h"
#include "trainers/sma_circuits/turing_machine.h"

namespace wei::sma_circuits {

namespace {

using json = nlohmann::ordered_json;

torch::Tensor uniform_tapes(int64_t n, const Options::Turing& t, uint64_t seed, std::string_view stream) {
  auto gen = make_generator(seed, stream);
  return torch::randint(t.alphabet, {n, t.tape}, gen, torch::kLong);
}

torch::Tensor labels_of(const TuringMachine& machine, const torch::Tensor& tapes, const Options::Turing& t) {
  const MachineOutcome out = machine.run(tapes, t.steps);
  return t.target == TuringTarget::kHeadSymbol ? out.head_symbol : out.state;
}

// The most frequent label's share.
double largest_share(const torch::Tensor& labels, int64_t classes) {
  return torch::bincount(labels, {}, classes).max().item<double>() / static_cast<double>(labels.size(0));
}

}  // namespace

LearningProblem make_turing_problem(const RunContext& ctx, const Options& options) {
  const Options::Turing& t = options.turing;
  const int64_t classes = t.classes();
  const torch::Tensor sample = uniform_tapes(t.balance_sample, t, t.seed, "balance-sample");
  auto machine_rng = make_std_rng(t.seed, "machine");
  const auto balanced = draw_balanced<TuringMachine>(
      [&t](std::mt19937_64& rng) { return draw_machine(t.states, t.alphabet, rng); },
      [&](const TuringMachine& m) { return largest_share(labels_of(m, sample, t), classes); },
      1.0 / static_cast<double>(classes), {t.balance, t.max_draws, "turing"}, machine_rng);
  const TuringMachine& machine = balanced.value;

  LearningProblem p;
  p.classes = classes;
  const torch::Tensor labelled = uniform_tapes(options.data.n, t, ctx.seed, "data");
  const torch::Tensor labels = labels_of(machine, labelled, t);
  const int64_t train = options.train_size();
  p.train = {labelled.narrow(0, 0, train).to(ctx.device), labels.narrow(0, 0, train).to(ctx.device)};
  p.validation = {labelled.narrow(0, train, options.validation_size()).to(ctx.device),
                  labels.narrow(0, train, options.validation_size()).to(ctx.device)};
  const torch::Tensor test = uniform_tapes(options.data.test_size, t, ctx.seed, "test");
  p.test = {test.to(ctx.device), labels_of(machine, test, t).to(ctx.device)};

  models::TransformerMlmOptions encoder;
  encoder.input_vocab = t.alphabet;
  encoder.output_vocab = classes == 2 ? 1 : classes;
  encoder.max_length = t.tape;
  encoder.width = options.encoder.width;
  encoder.heads = options.encoder.heads;
  encoder.layers = options.encoder.layers;
  encoder.ff_width = options.encoder.ff_width;
  torch::manual_seed(derive_seed(ctx.seed, "init"));
  models::TransformerMlm network(encoder);
  models::TransformerMlm best(encoder);
  network->to(ctx.device);
  best->to(ctx.device);
  p.network = network.ptr();
  p.best = best.ptr();
  p.forward = [binary = classes == 2](torch::nn::Module& net, const torch::Tensor& tapes) {
    const torch::Tensor at_start = static_cast<models::TransformerMlmImpl&>(net).forward(tapes).select(1, 0);
    return binary ? at_start.reshape({-1}) : at_start;
  };
  const std::string target = name_of(turing_target_names(), t.target);
  p.function = {{"setting", "turing"},
                {"target", target},
                {"steps", t.steps},
                {"tape", t.tape},
                {"seed", t.seed},
                {"draws", balanced.draws},
                {"largest_label_share", balanced.statistic}};
  p.function.update(machine.describe());
  p.data = {{"source", "turing_machine"}, {"tape", t.tape}, {"alphabet", t.alphabet}, {"classes", classes}};
  ctx.log.info("sma_circuits: a {}-state machine over {} symbols, {} after T = {} steps on a tape of {} ({} draws to "
               "a largest label share of {:.3f}), encoder {}x{} ({} parameters), n = {} ({} train, {} validation), "
               "{} test tapes",
               t.states, t.alphabet, target, t.steps, t.tape, balanced.draws, balanced.statistic,
               options.encoder.layers, options.encoder.width, models::parameter_count(*network), options.data.n,
               train, options.validation_size(), options.data.test_size);
  return p;
}

}  // namespace wei::sma_circuits
