#include "trainers/sma_circuits/boolean_circuit.h"

#include <catch2/catch.hpp>
#include <functional>
#include <stdexcept>

#include "base/seeding.h"

namespace {

using wei::sma_circuits::BitColumns;
using wei::sma_circuits::BooleanCircuit;
using wei::sma_circuits::Gate;
using wei::sma_circuits::GateKind;

// Every input of {0,1}^d once, example e's input i being bit i of e.
BitColumns all_inputs(int64_t d) {
  BitColumns x;
  x.examples = int64_t{1} << d;
  x.columns.assign(static_cast<size_t>(d), wei::sma_circuits::BitColumn(static_cast<size_t>(x.words()), 0));
  for (int64_t e = 0; e < x.examples; ++e) {
    for (int64_t i = 0; i < d; ++i) {
      if ((e >> i) & 1) x.columns[static_cast<size_t>(i)][static_cast<size_t>(e / 64)] |= uint64_t{1} << (e % 64);
    }
  }
  return x;
}

// The circuit's output on one input, gate by gate from its definition (no bit slicing).
bool evaluate_one(const BooleanCircuit& circuit, const std::vector<bool>& input) {
  std::vector<bool> value(input);
  for (const Gate& g : circuit.gates()) {
    const bool a = value[static_cast<size_t>(g.a)];
    switch (g.kind) {
      case GateKind::kNot: value.push_back(!a); break;
      case GateKind::kAnd: value.push_back(a && value[static_cast<size_t>(g.b)]); break;
      case GateKind::kOr: value.push_back(a || value[static_cast<size_t>(g.b)]); break;
    }
  }
  return value.back();
}

}  // namespace

TEST_CASE("a hand-built XOR circuit has XOR's truth table, its depth and its live gates", "[sma_circuits]") {
  // g0 = OR(x0, x1), g1 = AND(x0, x1), g2 = NOT(g1), g3 = AND(x2, x2) (feeds nothing), g4 = AND(g0, g2).
  const BooleanCircuit xor_circuit(3, {{GateKind::kOr, 0, 1},
                                       {GateKind::kAnd, 0, 1},
                                       {GateKind::kNot, 4, -1},
                                       {GateKind::kAnd, 2, 2},
                                       {GateKind::kAnd, 3, 5}});
  const BitColumns x = all_inputs(3);
  const auto out = xor_circuit.evaluate(x);
  for (int64_t e = 0; e < 8; ++e) {
    const bool expected = ((e & 1) != 0) != ((e & 2) != 0);
    CHECK(wei::sma_circuits::bit_of(out, e) == expected);
  }
  CHECK(xor_circuit.depth() == 3);
  CHECK(xor_circuit.live_gates() == 4);  // g3 feeds nothing
  CHECK(xor_circuit.inputs_read() == 2);
  const auto d = xor_circuit.describe();
  CHECK(d["and"] == 3);
  CHECK(d["or"] == 1);
  CHECK(d["not"] == 1);
  CHECK(d["gate_list"][4] == "g4 = AND(g0, g2)");
  CHECK(d["gate_list"][2] == "g2 = NOT(g1)");
}

TEST_CASE("a circuit refuses operands that are not earlier nodes", "[sma_circuits]") {
  CHECK_THROWS_AS(BooleanCircuit(2, {}), std::invalid_argument);
  CHECK_THROWS_AS(BooleanCircuit(2, {{GateKind::kAnd, 0, 2}}), std::invalid_argument);    // itself
  CHECK_THROWS_AS(BooleanCircuit(2, {{GateKind::kAnd, 0, -1}}), std::invalid_argument);   // one operand
  CHECK_THROWS_AS(BooleanCircuit(2, {{GateKind::kNot, 0, 1}}), std::invalid_argument);    // two operands
  CHECK_NOTHROW(BooleanCircuit(2, {{GateKind::kNot, 1, -1}}));
}

TEST_CASE("drawn circuits have exactly their size and depth, every gate live", "[sma_circuits]") {
  auto rng = wei::make_std_rng(3, "circuits");
  for (const auto& [size, depth] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {3, 2}, {7, 3}, {8, 7}, {16, 6}, {64, 7}, {127, 7}, {40, 12}}) {
    for (int repeat = 0; repeat < 5; ++repeat) {
      const BooleanCircuit c = wei::sma_circuits::draw_circuit(10, size, depth, rng);
      INFO("size " << size << ", depth " << depth);
      CHECK(static_cast<int64_t>(c.gates().size()) == size);
      CHECK(c.depth() == depth);
      CHECK(c.live_gates() == size);
    }
  }
  CHECK_THROWS_AS(wei::sma_circuits::draw_circuit(10, 8, 3, rng), std::invalid_argument);  // > 2^3 - 1
  CHECK_THROWS_AS(wei::sma_circuits::draw_circuit(10, 2, 3, rng), std::invalid_argument);  // < depth
  CHECK(wei::sma_circuits::max_gates_for_depth(7) == 127);
}

TEST_CASE("drawn circuits are a function of the seed, and the bit-sliced evaluation agrees gate by gate",
          "[sma_circuits]") {
  auto a = wei::make_std_rng(11, "circuit");
  auto b = wei::make_std_rng(11, "circuit");
  const BooleanCircuit first = wei::sma_circuits::draw_circuit(6, 20, 5, a);
  CHECK(first.describe() == wei::sma_circuits::draw_circuit(6, 20, 5, b).describe());
  CHECK(first.describe() != wei::sma_circuits::draw_circuit(6, 20, 5, a).describe());

  const BitColumns x = all_inputs(6);
  const auto out = first.evaluate(x);
  for (int64_t e = 0; e < x.examples; ++e) {
    std::vector<bool> input;
    for (int64_t i = 0; i < 6; ++i) input.push_back(((e >> i) & 1) != 0);
    CHECK(wei::sma_circuits::bit_of(out, e) == evaluate_one(first, input));
  }
}
