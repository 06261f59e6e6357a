#include "trainers/sma_circuits/junta_functions.h"

#include <algorithm>
#include <stdexcept>

#include "base/seeding.h"

namespace wei::sma_circuits {

BitColumn Junta::evaluate(const BitColumns& x) const {
  const size_t words = static_cast<size_t>(x.words());
  BitColumn out(words, 0);
  if (kind == JuntaKind::kParity) {
    for (int64_t i : support) {
      const BitColumn& column = x.columns[static_cast<size_t>(i)];
      for (size_t w = 0; w < words; ++w) out[w] ^= column[w];
    }
    return out;
  }
  const auto k = static_cast<int64_t>(support.size());
  for (int64_t e = 0; e < x.examples; ++e) {
    int64_t ones = 0;
    for (int64_t i : support) ones += bit_of(x.columns[static_cast<size_t>(i)], e) ? 1 : 0;
    if (2 * ones > k) out[static_cast<size_t>(e / 64)] |= uint64_t{1} << (e % 64);
  }
  return out;
}

nlohmann::ordered_json Junta::describe() const {
  return {{"kind", kind == JuntaKind::kParity ? "parity" : "majority"},
          {"k", static_cast<int64_t>(support.size())},
          {"support", support}};
}

Junta draw_junta(JuntaKind kind, int64_t inputs, int64_t k, std::mt19937_64& rng) {
  if (k < 1 || k > inputs) throw std::invalid_argument("a junta needs 1 <= k <= inputs");
  std::vector<int64_t> all(static_cast<size_t>(inputs));
  for (int64_t i = 0; i < inputs; ++i) all[static_cast<size_t>(i)] = i;
  // A partial Fisher-Yates: the first k positions end up a uniform k-subset.
  for (int64_t i = 0; i < k; ++i) std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(i + uniform_below(rng, inputs - i))]);
  Junta junta{kind, std::vector<int64_t>(all.begin(), all.begin() + k)};
  std::sort(junta.support.begin(), junta.support.end());
  return junta;
}

}  // namespace wei::sma_circuits
