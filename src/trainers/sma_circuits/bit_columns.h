#pragma once
// Boolean inputs and outputs of many examples at once, bit-sliced: column i holds input i of every
// example, 64 examples per word (example e is bit e % 64 of word e / 64). A gate is then one word
// operation per 64 examples, so a circuit labels 100,000 inputs in microseconds per gate.
#include <cstdint>
#include <random>
#include <vector>

#include <torch/types.h>

namespace wei::sma_circuits {

using BitColumn = std::vector<uint64_t>;

struct BitColumns {
  int64_t examples = 0;
  std::vector<BitColumn> columns;  // one per input, ceil(examples / 64) words, unused high bits 0

  int64_t dim() const { return static_cast<int64_t>(columns.size()); }
  int64_t words() const { return (examples + 63) / 64; }
};

// `examples` inputs uniform on {0,1}^dim.
BitColumns draw_uniform_inputs(int64_t examples, int64_t dim, std::mt19937_64& rng);

// Bit e of a column.
inline bool bit_of(const BitColumn& column, int64_t e) { return (column[static_cast<size_t>(e / 64)] >> (e % 64)) & 1U; }

// Ones among the first `examples` bits of `column`.
int64_t count_ones(const BitColumn& column, int64_t examples);

// float32 [examples, dim] on the CPU: +1 for a one, -1 for a zero (the network's input encoding).
torch::Tensor to_signs(const BitColumns& inputs);
// int64 [examples]: 1 for a one, 0 for a zero (class labels).
torch::Tensor to_labels(const BitColumn& labels, int64_t examples);

}  // namespace wei::sma_circuits
