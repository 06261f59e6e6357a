#pragma once
// Functions of k of the d inputs with known learning behaviour, beside the random circuits: parity
// (hard for gradient methods: no low-degree correlation with the label) and majority (easy:
// linearly separable). Written with AND, OR and NOT, parity of k inputs takes 4 (k - 1) gates
// (each XOR as AND(OR(a, b), NOT(AND(a, b)))); the trainer reports k.
#include <cstdint>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "trainers/sma_circuits/bit_columns.h"

namespace wei::sma_circuits {

enum class JuntaKind { kParity, kMajority };

struct Junta {
  JuntaKind kind = JuntaKind::kParity;
  std::vector<int64_t> support;  // the inputs it reads, distinct, ascending

  // Parity: the XOR of the support; majority: 1 when more than half of the support is 1 (k odd:
  // never a tie).
  BitColumn evaluate(const BitColumns& x) const;
  nlohmann::ordered_json describe() const;  // {"kind", "k", "support"}
};

// `k` distinct inputs of `inputs`, uniformly.
Junta draw_junta(JuntaKind kind, int64_t inputs, int64_t k, std::mt19937_64& rng);

}  // namespace wei::sma_circuits
