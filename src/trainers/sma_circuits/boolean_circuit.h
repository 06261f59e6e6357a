#pragma once
// Boolean circuits of AND, OR (fan-in 2) and NOT gates with one output, and the random circuits of
// the sma_circuits trainer.
//
// Nodes are numbered inputs first (0 .. inputs-1), then gates in an order where every gate comes
// after its operands; the output is the last gate. A gate's layer is one more than its deepest
// operand's (inputs are layer -1), the circuit's depth the output's layer + 1.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trainers/sma_circuits/bit_columns.h"

namespace wei::sma_circuits {

enum class GateKind { kAnd, kOr, kNot };

struct Gate {
  GateKind kind = GateKind::kAnd;
  int64_t a = 0;   // operand node
  int64_t b = -1;  // second operand node (AND, OR); -1 for NOT
};

class BooleanCircuit {
 public:
  // Throws std::invalid_argument when an operand is not an earlier node, a NOT has two operands or
  // an AND/OR one, or there is no gate.
  BooleanCircuit(int64_t inputs, std::vector<Gate> gates);

  // The output bit of every example of `x` (x.dim() == inputs()).
  BitColumn evaluate(const BitColumns& x) const;

  int64_t inputs() const { return inputs_; }
  const std::vector<Gate>& gates() const { return gates_; }
  int64_t depth() const;
  // Gates and inputs the output depends on (every gate of a drawn circuit; fewer in a hand-built one).
  int64_t live_gates() const;
  int64_t inputs_read() const;
  // {"gates", "depth", "live_gates", "inputs_read", "and", "or", "not", "gate_list": ["g40 = AND(x3, g35)", ...]}.
  nlohmann::ordered_json describe() const;

 private:
  std::vector<bool> live_nodes() const;
  std::pair<int64_t, int64_t> live_counts() const;  // live gates, inputs read

  int64_t inputs_;
  std::vector<Gate> gates_;
};

// A random circuit over `inputs` inputs with exactly `size` gates in exactly `depth` layers, every
// gate live. Drawn top-down: the output alone on the top layer; each lower layer gets an even
// share of the remaining gates, as many as the slots above it can take; every gate has one operand
// on the layer right below it (which sets its depth) and every gate has a parent, so nothing is
// dead. A gate left with one operand is a NOT with probability 1/3, otherwise an AND or OR whose
// second operand is drawn uniformly from the nodes below its layer (inputs included); a gate with
// two is an AND or an OR (1/2 each). Needs depth <= size <= 2^depth - 1 (std::invalid_argument).
BooleanCircuit draw_circuit(int64_t inputs, int64_t size, int64_t depth, std::mt19937_64& rng);

// The most gates a live one-output circuit of fan-in 2 and `depth` layers can have: 2^depth - 1
// (saturating at INT64_MAX).
int64_t max_gates_for_depth(int64_t depth);

}  // namespace wei::sma_circuits
