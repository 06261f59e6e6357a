#include "trainers/sma_circuits/sma_circuits_options.h"

#include <cmath>

#include "base/int_math.h"
#include "train/trainer.h"
#include "trainers/sma_circuits/boolean_circuit.h"

namespace wei::sma_circuits {

namespace {

MemoryEstimate estimate_memory(const Options& o) {
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  const double w = d(o.model.width), inputs = d(o.circuit.inputs);
  const double params = inputs * w + d(o.model.depth - 1) * w * w + w + d(o.model.depth) * w + 1;
  const double examples = d(o.data.n + o.data.test_size);
  MemoryEstimate m;
  if (o.setting == Setting::kTuring) {
    const double e = d(o.encoder.width), length = d(o.turing.tape), layers = d(o.encoder.layers);
    const double encoder = layers * (4 * e * e + 2 * e * d(o.encoder.ff_width)) + (d(o.turing.alphabet) + length) * e;
    m.parts = {{"network and optimizer", encoder * 4 * 5},
               {"data", (examples + d(o.turing.balance_sample)) * length * 8 * 2},
               {"activations of one evaluation batch",
                d(o.eval.batch_size) * length * (e * 8 + d(o.encoder.ff_width) + d(o.encoder.heads) * length) * 4 * layers},
               {"history", d(ceil_div(o.optim.max_steps, o.optim.eval_every)) * kHistoryRowBytes}};
    return m;
  }
  // Network, gradients, optimizer state (Adam: two moments) and the best weights kept for early stopping.
  m.parts = {{"network and optimizer", params * 4 * 5},
             {"data", examples * (inputs * 4 + 8) + d(o.circuit.balance_sample) * inputs / 8},
             {"activations of one evaluation batch", d(o.eval.batch_size) * w * 4 * 3},
             {"history", d(ceil_div(o.optim.max_steps, o.optim.eval_every)) * kHistoryRowBytes}};
  return m;
}

}  // namespace

int64_t Options::validation_size() const {
  return static_cast<int64_t>(std::ceil(static_cast<double>(data.n) * data.validation));
}

const NamedValues<Setting>& setting_names() {
  static const NamedValues<Setting> names = {{"circuit", Setting::kCircuit}, {"turing", Setting::kTuring}};
  return names;
}

const NamedValues<Family>& family_names() {
  static const NamedValues<Family> names = {
      {"random", Family::kRandom}, {"parity", Family::kParity}, {"majority", Family::kMajority}};
  return names;
}

const NamedValues<TuringTarget>& turing_target_names() {
  static const NamedValues<TuringTarget> names = {{"head_symbol", TuringTarget::kHeadSymbol},
                                                  {"state", TuringTarget::kState}};
  return names;
}

const NamedValues<Regulariser>& regulariser_names() {
  static const NamedValues<Regulariser> names = {{"none", Regulariser::kNone},
                                                 {"all_layer_margin", Regulariser::kAllLayerMargin}};
  return names;
}

const NamedValues<OptimizerKind>& optimizer_names() {
  static const NamedValues<OptimizerKind> names = {{"sgd", OptimizerKind::kSgd}, {"adam", OptimizerKind::kAdam}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  using O = Options;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.enum_choice("setting", setting_names(),
                  "circuit: a boolean function of d bits learned by an MLP; turing: what a Turing machine leaves "
                  "under its head after T steps, learned by a Transformer encoder reading the initial tape",
                  &O::setting);

    using C = O::Circuit;
    const auto circuit = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("circuit." + name, help, &O::circuit, field).when("setting", {"circuit"});
    };
    s.enum_choice("circuit.family", family_names(),
                  "random: a random circuit of AND, OR (fan-in 2) and NOT gates; parity / majority of k inputs",
                  &O::circuit, &C::family)
        .when("setting", {"circuit"});
    circuit("inputs", "input bits d (inputs uniform on {0,1}^d)", &C::inputs).at_least(2).at_most(4096);
    circuit("size", "gates of the random circuit, every one of them live (depth <= size <= 2^depth - 1)", &C::size)
        .at_least(1)
        .when("circuit.family", {"random"});
    circuit("depth", "layers of the random circuit (the output gate alone on the top one)", &C::depth)
        .at_least(1)
        .at_most(62)
        .when("circuit.family", {"random"});
    circuit("k", "inputs that the parity or majority reads (odd for majority: no ties)", &C::k)
        .at_least(1)
        .when("circuit.family", {"parity", "majority"});
    circuit("seed", "seed of the function (the run's seed draws the data and the network): runs with one "
                    "circuit.seed learn the same function",
            &C::seed)
        .at_least(0);
    circuit("balance", "keep only functions whose fraction of ones is within this of 1/2 (redraw otherwise)",
            &C::balance)
        .at_least(0)
        .at_most(0.5);
    circuit("balance_sample", "uniform inputs the fraction of ones is measured on", &C::balance_sample).at_least(1);
    circuit("max_draws", "functions drawn at most before giving up (exit 2)", &C::max_draws).at_least(1);

    s.enum_choice("regulariser", regulariser_names(),
                  "none, or all_layer_margin: train on the loss of the all-layer-margin perturbation (AMO, Wei & Ma "
                  "2020, as the all_layer_margin trainer) at every hidden layer of the MLP",
                  &O::regulariser)
        .when("setting", {"circuit"});
    using A = O::Amo;
    const auto amo = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("amo." + name, help, &O::amo, field)
          .when("setting", {"circuit"})
          .when("regulariser", {"all_layer_margin"});
    };
    amo("inner_steps", "SGD steps on the perturbations per update (reference: 1)", &A::inner_steps).at_least(1);
    amo("inner_lr", "learning rate of the perturbation ascent (reference: 0.01)", &A::inner_lr).greater_than(0);
    amo("inner_weight_decay", "weight decay of the perturbations (reference: 0)", &A::inner_weight_decay).at_least(0);

    using T = O::Turing;
    const auto turing = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("turing." + name, help, &O::turing, field).when("setting", {"turing"});
    };
    turing("states", "states of the machine (it starts in state 0)", &T::states).at_least(1).at_most(1024);
    turing("alphabet", "symbols of the tape", &T::alphabet).at_least(2).at_most(1024);
    turing("tape", "cells of the circular tape, all of them the input (uniform symbols); the head starts on cell 0",
           &T::tape)
        .at_least(1)
        .at_most(4096);
    turing("steps", "steps T the machine runs", &T::steps).at_least(0);
    s.enum_choice("turing.target", turing_target_names(),
                  "the label: the symbol under the head after T steps (alphabet classes), or the state (states "
                  "classes)",
                  &O::turing, &T::target)
        .when("setting", {"turing"});
    turing("seed", "seed of the machine (the run's seed draws the data and the network)", &T::seed).at_least(0);
    turing("balance", "keep only machines whose most frequent label has a share within this of 1 / classes",
           &T::balance)
        .at_least(0)
        .at_most(1);
    turing("balance_sample", "uniform tapes the shares are measured on", &T::balance_sample).at_least(1);
    turing("max_draws", "machines drawn at most before giving up (exit 2)", &T::max_draws).at_least(1);
    using E = O::Encoder;
    const auto encoder = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("encoder." + name, help, &O::encoder, field).when("setting", {"turing"});
    };
    encoder("width", "d_model of the encoder (hmm_prompt's BERT-style encoder; the logits read at cell 0)",
            &E::width)
        .at_least(1);
    encoder("layers", "Transformer encoder layers", &E::layers).at_least(1);
    encoder("heads", "attention heads (dividing encoder.width)", &E::heads).at_least(1);
    encoder("ff_width", "feed-forward width of each layer", &E::ff_width).at_least(1);

    s.field("data.n", "labelled examples n (the validation part included)", &O::data, &O::Data::n).at_least(2);
    s.field("data.validation", "fraction of n held out for early stopping", &O::data, &O::Data::validation)
        .greater_than(0)
        .less_than(1);
    s.field("data.test_size", "fresh uniform inputs of the test error", &O::data, &O::Data::test_size).at_least(1);
    s.field("model.width", "units per hidden layer", &O::model, &O::Model::width).at_least(1).when("setting", {"circuit"});
    s.field("model.depth", "hidden layers (Linear + ReLU each)", &O::model, &O::Model::depth)
        .at_least(1)
        .when("setting", {"circuit"});

    using P = O::Optim;
    s.enum_choice("optim.optimizer", optimizer_names(), "sgd (with optim.momentum) or adam", &O::optim, &P::optimizer);
    s.field("optim.lr", "learning rate", &O::optim, &P::lr).greater_than(0);
    s.field("optim.momentum", "SGD momentum", &O::optim, &P::momentum)
        .at_least(0)
        .less_than(1)
        .when("optim.optimizer", {"sgd"});
    s.field("optim.weight_decay", "L2 weight decay (Adam: added to the gradient, as torch.optim.Adam)", &O::optim,
            &P::weight_decay)
        .at_least(0);
    s.field("optim.batch_size", "examples per step (at most the training part of n)", &O::optim, &P::batch_size)
        .at_least(1);
    s.field("optim.max_steps", "steps at most (early stopping usually ends the run sooner)", &O::optim, &P::max_steps)
        .at_least(1);
    s.field("optim.eval_every", "steps per history row: one validation error per row", &O::optim, &P::eval_every)
        .at_least(1);
    s.field("optim.patience",
            "rows without a lower validation error before the run stops (its best weights kept); a validation "
            "error of 0 stops it at once",
            &O::optim, &P::patience)
        .at_least(1);
    schedule_section(s, "optim", "step", &O::optim, &P::schedule);
    s.field("eval.batch_size", "evaluation batch size (no effect on results, only on speed and memory)", &O::eval,
            &O::Eval::batch_size)
        .greater_than(0);

    s.check({"circuit.size", "circuit.depth"}, "circuit.depth <= circuit.size <= 2^circuit.depth - 1 (a live "
                                               "circuit of fan-in 2 has at most 2^depth - 1 gates)",
            [](const O& o) {
              return o.setting != Setting::kCircuit || o.circuit.family != Family::kRandom ||
                     (o.circuit.depth <= o.circuit.size && o.circuit.size <= max_gates_for_depth(o.circuit.depth));
            });
    s.check({"circuit.k", "circuit.inputs"}, "circuit.k <= circuit.inputs",
            [](const O& o) {
              return o.setting != Setting::kCircuit || o.circuit.family == Family::kRandom ||
                     o.circuit.k <= o.circuit.inputs;
            });
    s.check({"circuit.k", "circuit.family"}, "circuit.k odd for majority (no ties)",
            [](const O& o) {
              return o.setting != Setting::kCircuit || o.circuit.family != Family::kMajority || o.circuit.k % 2 == 1;
            });
    s.check({"encoder.heads", "encoder.width"}, "encoder.heads divides encoder.width",
            [](const O& o) { return o.setting != Setting::kTuring || o.encoder.width % o.encoder.heads == 0; });
    s.check({"data.n", "data.validation"}, "both parts of data.n non-empty (n * validation >= 1 and < n)",
            [](const O& o) { return o.validation_size() >= 1 && o.train_size() >= 1; });
    s.memory_estimate(estimate_memory);
    return s;
  }();
  return schema;
}

}  // namespace wei::sma_circuits
