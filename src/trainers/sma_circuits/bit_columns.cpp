#include "trainers/sma_circuits/bit_columns.h"

#include <bitset>

namespace wei::sma_circuits {

BitColumns draw_uniform_inputs(int64_t examples, int64_t dim, std::mt19937_64& rng) {
  BitColumns out;
  out.examples = examples;
  const int64_t words = out.words();
  const int64_t tail = examples % 64;
  const uint64_t last_mask = tail == 0 ? ~uint64_t{0} : (uint64_t{1} << tail) - 1;
  out.columns.assign(static_cast<size_t>(dim), BitColumn(static_cast<size_t>(words)));
  // Column by column, word by word: the order of the draws is part of the seed's contract.
  for (auto& column : out.columns) {
    for (int64_t w = 0; w < words; ++w) column[static_cast<size_t>(w)] = rng();
    if (words > 0) column.back() &= last_mask;
  }
  return out;
}

int64_t count_ones(const BitColumn& column, int64_t examples) {
  int64_t ones = 0;
  const int64_t full = examples / 64;
  for (int64_t w = 0; w < full; ++w) ones += static_cast<int64_t>(std::bitset<64>(column[static_cast<size_t>(w)]).count());
  if (examples % 64 != 0) {
    const uint64_t mask = (uint64_t{1} << (examples % 64)) - 1;
    ones += static_cast<int64_t>(std::bitset<64>(column[static_cast<size_t>(full)] & mask).count());
  }
  return ones;
}

torch::Tensor to_signs(const BitColumns& inputs) {
  torch::Tensor out = torch::empty({inputs.examples, inputs.dim()}, torch::kFloat);
  auto a = out.accessor<float, 2>();
  for (int64_t i = 0; i < inputs.dim(); ++i) {
    const BitColumn& column = inputs.columns[static_cast<size_t>(i)];
    for (int64_t e = 0; e < inputs.examples; ++e) a[e][i] = bit_of(column, e) ? 1.0F : -1.0F;
  }
  return out;
}

torch::Tensor to_labels(const BitColumn& labels, int64_t examples) {
  torch::Tensor out = torch::empty({examples}, torch::kLong);
  auto a = out.accessor<int64_t, 1>();
  for (int64_t e = 0; e < examples; ++e) a[e] = bit_of(labels, e) ? 1 : 0;
  return out;
}

}  // namespace wei::sma_circuits
