#include "trainers/sma_circuits/boolean_circuit.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "base/seeding.h"

namespace wei::sma_circuits {

namespace {

const char* kind_name(GateKind kind) {
  switch (kind) {
    case GateKind::kAnd: return "AND";
    case GateKind::kOr: return "OR";
    case GateKind::kNot: return "NOT";
  }
  return "?";
}

// A gate while the circuit is drawn: its layer and operands, an operand being a draft gate's index
// (>= 0) or input i as -1 - i.
struct DraftGate {
  int64_t layer = 0;
  std::vector<int64_t> operands;
};

int64_t input_operand(int64_t input) { return -1 - input; }

template <typename T>
void shuffle_in_place(std::vector<T>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(uniform_below(rng, static_cast<int64_t>(i)))]);
}

// Adds layer `below`'s gates under layer below + 1, wired so that each has a parent and each gate of
// layer below + 1 has one operand on it; returns how many it added (at most `wanted`).
int64_t add_layer(std::vector<DraftGate>& drafts, std::vector<std::vector<int64_t>>& layers, int64_t below,
                  int64_t wanted, std::mt19937_64& rng) {
  std::vector<int64_t> parents = layers[static_cast<size_t>(below + 1)];
  // Free second slots: every gate above `below` with fewer than two operands (the gates of layer
  // below + 1 have none yet; their first slot is reserved for their own layer's operand).
  std::vector<int64_t> free_slots;
  for (size_t g = 0; g < drafts.size(); ++g) {
    const DraftGate& d = drafts[g];
    if (d.layer <= below) continue;
    const size_t open = d.layer == below + 1 ? 1 : 2 - d.operands.size();
    for (size_t k = 0; k < open; ++k) free_slots.push_back(static_cast<int64_t>(g));
  }
  const auto n = std::min<int64_t>(wanted, static_cast<int64_t>(parents.size() + free_slots.size()));
  std::vector<int64_t> added;
  for (int64_t i = 0; i < n; ++i) {
    added.push_back(static_cast<int64_t>(drafts.size()));
    drafts.push_back({below, {}});
  }
  layers[static_cast<size_t>(below)] = added;
  shuffle_in_place(parents, rng);
  shuffle_in_place(added, rng);
  const size_t paired = std::min(parents.size(), added.size());
  for (size_t i = 0; i < paired; ++i) drafts[static_cast<size_t>(parents[i])].operands.push_back(added[i]);
  for (size_t i = paired; i < parents.size(); ++i) {
    drafts[static_cast<size_t>(parents[i])].operands.push_back(added[static_cast<size_t>(uniform_below(rng, n))]);
  }
  shuffle_in_place(free_slots, rng);
  for (size_t i = paired; i < added.size(); ++i) drafts[static_cast<size_t>(free_slots[i - paired])].operands.push_back(added[i]);
  return n;
}

// A uniform node below `layer` other than `except`: an input, or a gate of a lower layer.
int64_t draw_operand_below(const std::vector<std::vector<int64_t>>& layers, int64_t inputs, int64_t layer,
                           int64_t except, std::mt19937_64& rng) {
  int64_t below = inputs;
  for (int64_t l = 0; l < layer; ++l) below += static_cast<int64_t>(layers[static_cast<size_t>(l)].size());
  for (;;) {
    int64_t k = uniform_below(rng, below);
    int64_t node = k < inputs ? input_operand(k) : -1;
    k -= inputs;
    for (int64_t l = 0; node == -1 && k >= 0; ++l) {
      const auto& gates = layers[static_cast<size_t>(l)];
      if (k < static_cast<int64_t>(gates.size())) node = gates[static_cast<size_t>(k)];
      k -= static_cast<int64_t>(gates.size());
    }
    if (node != except) return node;
  }
}

}  // namespace

BooleanCircuit::BooleanCircuit(int64_t inputs, std::vector<Gate> gates) : inputs_(inputs), gates_(std::move(gates)) {
  if (gates_.empty()) throw std::invalid_argument("a circuit needs at least one gate");
  for (size_t g = 0; g < gates_.size(); ++g) {
    const Gate& gate = gates_[g];
    const int64_t node = inputs_ + static_cast<int64_t>(g);
    const bool unary = gate.kind == GateKind::kNot;
    if (gate.a < 0 || gate.a >= node || (unary ? gate.b != -1 : gate.b < 0 || gate.b >= node)) {
      throw std::invalid_argument(fmt::format("gate {}: operands must be earlier nodes ({} for {})", g,
                                              unary ? "one" : "two", kind_name(gate.kind)));
    }
  }
}

BitColumn BooleanCircuit::evaluate(const BitColumns& x) const {
  if (x.dim() != inputs_) throw std::invalid_argument("inputs of another dimension than the circuit's");
  std::vector<BitColumn> gate_values(gates_.size());
  const auto value_of = [&](int64_t node) -> const BitColumn& {
    return node < inputs_ ? x.columns[static_cast<size_t>(node)] : gate_values[static_cast<size_t>(node - inputs_)];
  };
  const size_t words = static_cast<size_t>(x.words());
  for (size_t g = 0; g < gates_.size(); ++g) {
    const Gate& gate = gates_[g];
    const BitColumn& a = value_of(gate.a);
    BitColumn& out = gate_values[g];
    out.resize(words);
    switch (gate.kind) {
      case GateKind::kNot:
        for (size_t w = 0; w < words; ++w) out[w] = ~a[w];
        break;
      case GateKind::kAnd: {
        const BitColumn& b = value_of(gate.b);
        for (size_t w = 0; w < words; ++w) out[w] = a[w] & b[w];
        break;
      }
      case GateKind::kOr: {
        const BitColumn& b = value_of(gate.b);
        for (size_t w = 0; w < words; ++w) out[w] = a[w] | b[w];
        break;
      }
    }
  }
  BitColumn output = std::move(gate_values.back());
  if (x.examples % 64 != 0 && !output.empty()) output.back() &= (uint64_t{1} << (x.examples % 64)) - 1;
  return output;
}

int64_t BooleanCircuit::depth() const {
  std::vector<int64_t> layer(gates_.size());
  const auto layer_of = [&](int64_t node) { return node < inputs_ ? -1 : layer[static_cast<size_t>(node - inputs_)]; };
  for (size_t g = 0; g < gates_.size(); ++g) {
    const Gate& gate = gates_[g];
    layer[g] = 1 + std::max(layer_of(gate.a), gate.b >= 0 ? layer_of(gate.b) : -1);
  }
  return layer.back() + 1;
}

std::vector<bool> BooleanCircuit::live_nodes() const {
  std::vector<bool> live(static_cast<size_t>(inputs_) + gates_.size(), false);
  live.back() = true;
  for (size_t g = gates_.size(); g-- > 0;) {
    if (!live[static_cast<size_t>(inputs_) + g]) continue;
    live[static_cast<size_t>(gates_[g].a)] = true;
    if (gates_[g].b >= 0) live[static_cast<size_t>(gates_[g].b)] = true;
  }
  return live;
}

int64_t BooleanCircuit::live_gates() const { return live_counts().first; }

int64_t BooleanCircuit::inputs_read() const { return live_counts().second; }

std::pair<int64_t, int64_t> BooleanCircuit::live_counts() const {
  const std::vector<bool> live = live_nodes();
  return {std::count(live.begin() + inputs_, live.end(), true), std::count(live.begin(), live.begin() + inputs_, true)};
}

nlohmann::ordered_json BooleanCircuit::describe() const {
  const auto node_name = [this](int64_t node) {
    return node < inputs_ ? fmt::format("x{}", node) : fmt::format("g{}", node - inputs_);
  };
  int64_t counts[3] = {0, 0, 0};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t g = 0; g < gates_.size(); ++g) {
    const Gate& gate = gates_[g];
    ++counts[static_cast<int>(gate.kind)];
    list.push_back(fmt::format("g{} = {}({}{})", g, kind_name(gate.kind), node_name(gate.a),
                               gate.b >= 0 ? ", " + node_name(gate.b) : std::string()));
  }
  const auto [live_gates, inputs_read] = live_counts();
  return {{"gates", static_cast<int64_t>(gates_.size())},
          {"depth", depth()},
          {"live_gates", live_gates},
          {"inputs_read", inputs_read},
          {"and", counts[0]},
          {"or", counts[1]},
          {"not", counts[2]},
          {"gate_list", list}};
}

int64_t max_gates_for_depth(int64_t depth) {
  if (depth >= 63) return std::numeric_limits<int64_t>::max();
  return (int64_t{1} << depth) - 1;
}

BooleanCircuit draw_circuit(int64_t inputs, int64_t size, int64_t depth, std::mt19937_64& rng) {
  if (inputs < 2 || depth < 1 || size < depth || size > max_gates_for_depth(depth)) {
    throw std::invalid_argument(fmt::format("no circuit of {} gates in {} layers over {} inputs (needs depth <= size "
                                            "<= 2^depth - 1 and at least 2 inputs)",
                                            size, depth, inputs));
  }
  std::vector<DraftGate> drafts{{depth - 1, {}}};
  std::vector<std::vector<int64_t>> layers(static_cast<size_t>(depth));
  layers.back() = {0};
  int64_t remaining = size - 1;
  for (int64_t below = depth - 2; below >= 0; --below) {
    const int64_t layers_left = below + 1;
    remaining -= add_layer(drafts, layers, below, (remaining + layers_left - 1) / layers_left, rng);
  }
  if (remaining != 0) throw std::logic_error("draw_circuit: the layers could not hold every gate");

  // Operands of the bottom layer, then the kind of every gate (and a second operand where needed).
  for (int64_t g : layers[0]) drafts[static_cast<size_t>(g)].operands.push_back(input_operand(uniform_below(rng, inputs)));
  std::vector<GateKind> kinds(drafts.size());
  for (size_t g = 0; g < drafts.size(); ++g) {
    DraftGate& d = drafts[g];
    if (d.operands.size() == 1 && uniform_below(rng, 3) == 0) {
      kinds[g] = GateKind::kNot;
      continue;
    }
    if (d.operands.size() == 1) d.operands.push_back(draw_operand_below(layers, inputs, d.layer, d.operands[0], rng));
    kinds[g] = uniform_below(rng, 2) == 0 ? GateKind::kAnd : GateKind::kOr;
  }

  // Number the gates bottom layer first.
  std::vector<int64_t> node_of(drafts.size());
  int64_t next = inputs;
  for (const auto& layer : layers) {
    for (int64_t g : layer) node_of[static_cast<size_t>(g)] = next++;
  }
  const auto node = [&](int64_t operand) { return operand < 0 ? -1 - operand : node_of[static_cast<size_t>(operand)]; };
  std::vector<Gate> gates(drafts.size());
  for (size_t g = 0; g < drafts.size(); ++g) {
    const DraftGate& d = drafts[g];
    gates[static_cast<size_t>(node_of[g] - inputs)] = {kinds[g], node(d.operands[0]),
                                                      d.operands.size() > 1 ? node(d.operands[1]) : -1};
  }
  return BooleanCircuit(inputs, std::move(gates));
}

}  // namespace wei::sma_circuits
