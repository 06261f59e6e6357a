#include "trainers/sma_circuits/turing_machine.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "base/seeding.h"
#include <torch/torch.h>

using wei::sma_circuits::Transition;
using wei::sma_circuits::TuringMachine;

TEST_CASE("a hand-built machine writes, moves around the circular tape and changes state as its table says",
          "[sma_circuits]") {
  const TuringMachine m(2, 2,
                        {{1, 1, +1},    // q0, 0 -> q1, write 1, R
                         {1, 0, +1},    // q0, 1 -> q1, write 0, R
                         {0, 0, -1},    // q1, 0 -> q0, write 0, L
                         {1, 1, +1}});  // q1, 1 -> q1, write 1, R
  const torch::Tensor tapes = torch::tensor({{0, 0, 0}, {1, 1, 0}, {0, 1, 1}}, torch::kLong);
  // [0 0 0]: q0@0 writes 1, q1@1 reads 0, q0@0 reads 1 writes 0, q1@1 reads 0: q0@0 on [0 0 0].
  // [1 1 0]: q0@0 writes 0, q1@1 reads 1, q1@2 reads 0, q0@1 reads 1 writes 0: q1@2 on [0 0 0].
  // [0 1 1]: q0@0 writes 1, q1@1, q1@2, q1@0 (around the end): q1@1 on [1 1 1].
  const auto out = m.run(tapes, 4);
  CHECK(torch::equal(out.head_symbol, torch::tensor({0, 0, 1}, torch::kLong)));
  CHECK(torch::equal(out.state, torch::tensor({0, 1, 1}, torch::kLong)));
  // Zero steps: the symbol on cell 0, state 0; the input tapes are left as they were.
  const auto none = m.run(tapes, 0);
  CHECK(torch::equal(none.head_symbol, torch::tensor({0, 1, 0}, torch::kLong)));
  CHECK(torch::equal(none.state, torch::zeros({3}, torch::kLong)));
  CHECK(torch::equal(tapes[0], torch::zeros({3}, torch::kLong)));
  CHECK(m.describe()["table"][1] == "q0,1 -> q1,0,R");
  CHECK(m.describe()["table"][2] == "q1,0 -> q0,0,L");
}

TEST_CASE("a machine refuses tables that do not fit it, and drawn machines are a function of the seed",
          "[sma_circuits]") {
  CHECK_THROWS_AS(TuringMachine(2, 2, {{0, 0, 1}}), std::invalid_argument);
  CHECK_THROWS_AS(TuringMachine(1, 2, {{1, 0, 1}, {0, 0, 1}}), std::invalid_argument);  // state 1 of 1
  CHECK_THROWS_AS(TuringMachine(1, 2, {{0, 2, 1}, {0, 0, 1}}), std::invalid_argument);  // symbol 2 of 2
  CHECK_THROWS_AS(TuringMachine(1, 2, {{0, 0, 0}, {0, 0, 1}}), std::invalid_argument);  // no move
  auto a = wei::make_std_rng(7, "machine");
  auto b = wei::make_std_rng(7, "machine");
  const auto first = wei::sma_circuits::draw_machine(5, 3, a);
  CHECK(first.describe() == wei::sma_circuits::draw_machine(5, 3, b).describe());
  CHECK(first.describe()["table"].size() == 15);
  CHECK(first.describe() != wei::sma_circuits::draw_machine(5, 3, a).describe());
}
