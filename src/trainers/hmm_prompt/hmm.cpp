#include "trainers/hmm_prompt/hmm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "base/seeding.h"

namespace wei::hmm_prompt {
namespace {

// softmax((U - 0.5) / temperature) over `n` fresh uniforms.
std::vector<double> random_softmax(int64_t n, double temperature, std::mt19937_64& rng) {
  std::vector<double> z(n);
  for (auto& v : z) v = (uniform01(rng) - 0.5) / temperature;
  const double top = *std::max_element(z.begin(), z.end());
  double total = 0.0;
  for (auto& v : z) total += (v = std::exp(v - top));
  for (auto& v : z) v /= total;
  return z;
}

std::vector<int64_t> random_permutation(int64_t n, std::mt19937_64& rng) {
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform01(rng) * static_cast<double>(i + 1));
    std::swap(perm[i], perm[std::min(j, i)]);
  }
  return perm;
}

// sum_k w_k P_k for n random n x n permutation matrices P_k.
std::vector<double> permutation_mixture(int64_t n, double temperature, std::mt19937_64& rng) {
  const auto weights = random_softmax(n, temperature, rng);
  std::vector<double> trans(n * n, 0.0);
  for (int64_t k = 0; k < n; ++k) {
    const auto perm = random_permutation(n, rng);
    for (int64_t i = 0; i < n; ++i) trans[i * n + perm[i]] += weights[k];
  }
  return trans;
}

std::vector<double> emission_rows(int64_t states, int64_t vocab, double temperature,
                                  std::mt19937_64& rng) {
  std::vector<double> emit;
  emit.reserve(states * vocab);
  for (int64_t i = 0; i < states; ++i) {
    const auto row = random_softmax(vocab, temperature, rng);
    emit.insert(emit.end(), row.begin(), row.end());
  }
  return emit;
}

void check_sizes(int64_t states, int64_t vocab) {
  if (states < 1 || vocab < 1) throw std::invalid_argument("HMM needs at least one state and token");
}

// Index of the category a uniform draw falls into (the last one absorbs rounding).
int64_t draw(const double* probs, int64_t n, std::mt19937_64& rng) {
  double u = uniform01(rng);
  for (int64_t i = 0; i < n - 1; ++i) {
    if (u < probs[i]) return i;
    u -= probs[i];
  }
  return n - 1;
}

}  // namespace

Hmm make_vanilla_hmm(int64_t num_states, int64_t vocab, const HmmTemperatures& temps,
                     std::mt19937_64& rng) {
  check_sizes(num_states, vocab);
  Hmm hmm;
  hmm.num_states = num_states;
  hmm.vocab = vocab;
  hmm.start = random_softmax(num_states, temps.start, rng);
  hmm.trans = permutation_mixture(num_states, temps.transition, rng);
  hmm.emit = emission_rows(num_states, vocab, temps.emission, rng);
  return hmm;
}

Hmm make_memory_hmm(int64_t memory, int64_t vocab, const HmmTemperatures& temps,
                    std::mt19937_64& rng) {
  check_sizes(memory, vocab);
  const int64_t s = kMemoryBlockStates;
  const int64_t h = memory * s;
  Hmm hmm;
  hmm.num_states = h;
  hmm.vocab = vocab;
  hmm.memory = memory;
  hmm.start = random_softmax(h, temps.start, rng);
  const auto block = permutation_mixture(s, temps.transition, rng);
  hmm.trans.assign(h * h, 0.0);
  for (int64_t m = 0; m < memory; ++m)
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < s; ++j) hmm.trans[(m * s + i) * h + m * s + j] = block[i * s + j];
  hmm.emit = emission_rows(h, vocab, temps.emission, rng);
  return hmm;
}

Samples sample(const Hmm& hmm, int64_t count, int64_t length, std::mt19937_64& rng, const StopToken& stop) {
  const int64_t h = hmm.num_states;
  const int64_t v = hmm.vocab;
  Samples out;
  out.count = count;
  out.length = length;
  out.tokens.resize(count * length);
  out.states.resize(count * length);
  for (int64_t n = 0; n < count; ++n) {
    if (n % 64 == 0) stop.throw_if_requested();
    int64_t state = -1;
    for (int64_t t = 0; t < length; ++t) {
      state = t == 0 ? draw(hmm.start.data(), h, rng) : draw(&hmm.trans[state * h], h, rng);
      out.states[n * length + t] = state;
      out.tokens[n * length + t] = draw(&hmm.emit[state * v], v, rng);
    }
  }
  return out;
}

}  // namespace wei::hmm_prompt
