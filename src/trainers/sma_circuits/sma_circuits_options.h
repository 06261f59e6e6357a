#pragma once
// The spec keys of trainer "sma_circuits" (Wei, Chen & Ma 2022, statistically meaningful
// approximation): a target drawn from its own seed (setting circuit: a boolean function of d bits,
// circuit.*; setting turing: a Turing machine run for T steps, turing.*), n labelled examples of it
// (data.*), a learner (circuit: an MLP, model.*; turing: a Transformer encoder, encoder.*) trained
// with early stopping on a held-out part of the n (optim.*). The defaults are ours: the paper runs
// no experiment.
#include <cstdint>

#include "base/named_values.h"
#include "spec/option_schema.h"
#include "train/option_sections.h"

namespace wei::sma_circuits {

enum class Setting { kCircuit, kTuring };
enum class TuringTarget { kHeadSymbol, kState };
enum class Family { kRandom, kParity, kMajority };
enum class OptimizerKind { kSgd, kAdam };
enum class Regulariser { kNone, kAllLayerMargin };

struct Options {
  Setting setting = Setting::kCircuit;
  struct Circuit {
    Family family = Family::kRandom;
    int64_t inputs = 32;         // d
    int64_t size = 16;           // random: gates
    int64_t depth = 6;           // random: layers
    int64_t k = 7;               // parity, majority: inputs read
    int64_t seed = 0;            // the function's own seed (the run's seed draws the data and the network)
    double balance = 0.1;        // accept a fraction of ones within this of 1/2
    int64_t balance_sample = 100000;
    int64_t max_draws = 10000;
  } circuit;
  struct Turing {
    int64_t states = 4;
    int64_t alphabet = 2;
    int64_t tape = 16;               // cells of the circular tape: the input's length
    int64_t steps = 16;              // T
    TuringTarget target = TuringTarget::kHeadSymbol;
    int64_t seed = 0;                // the machine's own seed
    double balance = 0.1;            // the most frequent label's share within this of 1 / classes
    int64_t balance_sample = 20000;
    int64_t max_draws = 1000;

    int64_t classes() const { return target == TuringTarget::kHeadSymbol ? alphabet : states; }
  } turing;
  struct Data {
    int64_t n = 1000;            // labelled examples, the validation part included
    double validation = 0.2;     // the fraction of n held out for early stopping
    int64_t test_size = 100000;  // fresh inputs of the test error
  } data;
  struct Model {
    int64_t width = 256;
    int64_t depth = 2;           // hidden layers
  } model;
  Regulariser regulariser = Regulariser::kNone;
  struct Amo {                   // the all_layer_margin trainer's reference values
    int64_t inner_steps = 1;
    double inner_lr = 0.01;
    double inner_weight_decay = 0.0;
  } amo;
  struct Encoder {
    int64_t width = 64;
    int64_t layers = 2;
    int64_t heads = 4;
    int64_t ff_width = 256;
  } encoder;
  struct Optim {
    OptimizerKind optimizer = OptimizerKind::kAdam;
    double lr = 0.001;
    double momentum = 0.9;       // sgd
    double weight_decay = 0.0;
    int64_t batch_size = 64;
    int64_t max_steps = 20000;
    int64_t eval_every = 250;
    int64_t patience = 8;        // evaluations without a better validation error before stopping
    ScheduleOptions schedule;    // over max_steps
  } optim;
  struct Eval {
    int64_t batch_size = 4096;
  } eval;

  // ceil(n * validation), and the rest.
  int64_t validation_size() const;
  int64_t train_size() const { return data.n - validation_size(); }
};

const NamedValues<Setting>& setting_names();
const NamedValues<Family>& family_names();
const NamedValues<TuringTarget>& turing_target_names();
const NamedValues<OptimizerKind>& optimizer_names();
const NamedValues<Regulariser>& regulariser_names();
const OptionSchema<Options>& options_schema();

}  // namespace wei::sma_circuits
