#include "trainers/sma_circuits/turing_machine.h"

#include <stdexcept>

#include <fmt/format.h>

#include "base/seeding.h"

namespace wei::sma_circuits {

TuringMachine::TuringMachine(int64_t states, int64_t alphabet, std::vector<Transition> table)
    : states_(states), alphabet_(alphabet), table_(std::move(table)) {
  if (states < 1 || alphabet < 2 || static_cast<int64_t>(table_.size()) != states * alphabet) {
    throw std::invalid_argument("a Turing machine needs states >= 1, alphabet >= 2 and states * alphabet transitions");
  }
  for (const Transition& t : table_) {
    if (t.next_state < 0 || t.next_state >= states || t.write < 0 || t.write >= alphabet ||
        (t.move != 1 && t.move != -1)) {
      throw std::invalid_argument("a transition names a state or symbol outside the machine, or a move other than +-1");
    }
  }
}

MachineOutcome TuringMachine::run(const torch::Tensor& tapes, int64_t steps) const {
  torch::Tensor tape = tapes.to(torch::kCPU, torch::kLong).contiguous().clone();
  const int64_t n = tape.size(0), length = tape.size(1);
  MachineOutcome out{torch::empty({n}, torch::kLong), torch::empty({n}, torch::kLong)};
  auto* cells = tape.data_ptr<int64_t>();
  auto* symbol_out = out.head_symbol.data_ptr<int64_t>();
  auto* state_out = out.state.data_ptr<int64_t>();
  for (int64_t e = 0; e < n; ++e) {
    int64_t* cell = cells + e * length;
    int64_t state = 0, head = 0;
    for (int64_t s = 0; s < steps; ++s) {
      const Transition& t = transition(state, cell[head]);
      cell[head] = t.write;
      head = (head + t.move + length) % length;
      state = t.next_state;
    }
    symbol_out[e] = cell[head];
    state_out[e] = state;
  }
  return out;
}

nlohmann::ordered_json TuringMachine::describe() const {
  nlohmann::ordered_json table = nlohmann::ordered_json::array();
  for (int64_t q = 0; q < states_; ++q) {
    for (int64_t a = 0; a < alphabet_; ++a) {
      const Transition& t = transition(q, a);
      table.push_back(fmt::format("q{},{} -> q{},{},{}", q, a, t.next_state, t.write, t.move > 0 ? "R" : "L"));
    }
  }
  return {{"states", states_}, {"alphabet", alphabet_}, {"table", table}};
}

TuringMachine draw_machine(int64_t states, int64_t alphabet, std::mt19937_64& rng) {
  std::vector<Transition> table(static_cast<size_t>(states * alphabet));
  for (Transition& t : table) {
    t.next_state = uniform_below(rng, states);
    t.write = uniform_below(rng, alphabet);
    t.move = uniform_below(rng, 2) == 0 ? -1 : 1;
  }
  return TuringMachine(states, alphabet, std::move(table));
}

}  // namespace wei::sma_circuits
