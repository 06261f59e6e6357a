#pragma once
// Turing machines of the sma_circuits trainer's `turing` setting: `states` states, an alphabet of
// `alphabet` symbols, a circular tape of fixed length (the head wraps around at its ends). The
// machine starts in state 0 with its head on cell 0 and runs exactly `steps` steps (no halting
// state): at each, in state q reading symbol a, it writes a', moves one cell left or right and
// enters q', as its table says.
#include <cstdint>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace wei::sma_circuits {

struct Transition {
  int64_t next_state = 0;
  int64_t write = 0;
  int64_t move = 1;  // +1 right, -1 left
};

// Where the machine is after its steps, per tape.
struct MachineOutcome {
  torch::Tensor head_symbol;  // int64 [N]: the symbol under the head
  torch::Tensor state;        // int64 [N]
};

class TuringMachine {
 public:
  // table[q * alphabet + a]; std::invalid_argument when it does not have states * alphabet entries
  // of valid states, symbols and moves.
  TuringMachine(int64_t states, int64_t alphabet, std::vector<Transition> table);

  // Runs every tape of `tapes` (int64 [N, length], symbols in [0, alphabet)) for `steps` steps.
  MachineOutcome run(const torch::Tensor& tapes, int64_t steps) const;

  int64_t states() const { return states_; }
  int64_t alphabet() const { return alphabet_; }
  const Transition& transition(int64_t state, int64_t symbol) const {
    return table_[static_cast<size_t>(state * alphabet_ + symbol)];
  }
  // {"states", "alphabet", "table": ["q0,0 -> q1,1,R", ...]}.
  nlohmann::ordered_json describe() const;

 private:
  int64_t states_, alphabet_;
  std::vector<Transition> table_;
};

// Every transition uniform: next state, symbol written and move drawn independently.
TuringMachine draw_machine(int64_t states, int64_t alphabet, std::mt19937_64& rng);

}  // namespace wei::sma_circuits
