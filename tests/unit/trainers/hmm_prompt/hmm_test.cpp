#include <catch2/catch.hpp>

#include <cmath>

#include "base/seeding.h"
#include "trainers/hmm_prompt/hmm.h"

using namespace wei::hmm_prompt;

namespace {

void require_stochastic_rows(const std::vector<double>& m, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    double total = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      REQUIRE(m[i * cols + j] >= 0.0);
      total += m[i * cols + j];
    }
    REQUIRE(total == Approx(1.0).margin(1e-12));
  }
}

}  // namespace

TEST_CASE("vanilla HMM: stochastic start/emissions, doubly stochastic transitions", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(7, "hmm-test");
  for (int64_t h : {1, 4, 10, 30}) {
    const Hmm hmm = make_vanilla_hmm(h, 10, HmmTemperatures{}, rng);
    REQUIRE(hmm.memory == 0);
    require_stochastic_rows(hmm.start, 1, h);
    require_stochastic_rows(hmm.trans, h, h);
    require_stochastic_rows(hmm.emit, h, 10);
    for (int64_t j = 0; j < h; ++j) {
      double column = 0.0;
      for (int64_t i = 0; i < h; ++i) column += hmm.trans[i * h + j];
      REQUIRE(column == Approx(1.0).margin(1e-12));
    }
  }
}

TEST_CASE("vanilla HMM: low temperatures give peaked, sparse parameters", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(3, "hmm-test");
  const Hmm hmm = make_vanilla_hmm(30, 10, HmmTemperatures{}, rng);
  // A mixture of 30 permutations of 30 states leaves exact zeros; T_e = 0.01 makes each emission
  // row nearly one-hot; T_start = 10 keeps the start nearly uniform.
  int64_t zeros = 0;
  for (double p : hmm.trans) zeros += p == 0.0;
  REQUIRE(zeros > 0);
  double peak = 0.0;
  for (int64_t i = 0; i < 30; ++i)
    peak += *std::max_element(hmm.emit.begin() + i * 10, hmm.emit.begin() + i * 10 + 10) / 30;
  REQUIRE(peak > 0.9);
  for (double p : hmm.start) REQUIRE(p == Approx(1.0 / 30).epsilon(0.12));
}

TEST_CASE("memory HMM: block-diagonal transitions, memory constant within a sequence", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(11, "hmm-test");
  const int64_t m = 3;
  const Hmm hmm = make_memory_hmm(m, 10, HmmTemperatures{}, rng);
  const int64_t h = m * kMemoryBlockStates;
  REQUIRE(hmm.num_states == h);
  REQUIRE(hmm.memory == m);
  require_stochastic_rows(hmm.start, 1, h);
  require_stochastic_rows(hmm.trans, h, h);
  require_stochastic_rows(hmm.emit, h, 10);
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < h; ++j) {
      const bool same_block = i / kMemoryBlockStates == j / kMemoryBlockStates;
      if (!same_block) REQUIRE(hmm.trans[i * h + j] == 0.0);
      // The s-dynamics are shared by every memory value.
      if (same_block)
        REQUIRE(hmm.trans[i * h + j] == hmm.trans[(i % 4) * h + j % 4]);
    }
  // Every (m, s) has its own emission row.
  REQUIRE(hmm.emit[0] != hmm.emit[kMemoryBlockStates * 10]);

  const Samples s = sample(hmm, 50, 200, rng);
  std::vector<int64_t> seen(m, 0);
  for (int64_t n = 0; n < s.count; ++n) {
    const int64_t first = s.states[n * s.length] / kMemoryBlockStates;
    ++seen[first];
    for (int64_t t = 1; t < s.length; ++t)
      REQUIRE(s.states[n * s.length + t] / kMemoryBlockStates == first);
  }
  for (int64_t count : seen) REQUIRE(count > 0);
}

TEST_CASE("HMM sampling is deterministic per stream and follows the parameters", "[hmm_prompt]") {
  auto rng_a = wei::make_std_rng(5, "hmm-test");
  auto rng_b = wei::make_std_rng(5, "hmm-test");
  const Hmm a = make_vanilla_hmm(6, 10, HmmTemperatures{}, rng_a);
  const Hmm b = make_vanilla_hmm(6, 10, HmmTemperatures{}, rng_b);
  REQUIRE(a.trans == b.trans);
  REQUIRE(a.emit == b.emit);
  const Samples sa = sample(a, 20, 300, rng_a);
  const Samples sb = sample(b, 20, 300, rng_b);
  REQUIRE(sa.tokens == sb.tokens);
  REQUIRE(sa.states == sb.states);

  // Transition counts along the sampled paths only use nonzero entries, and the empirical
  // frequencies follow the matrix.
  std::vector<double> counts(36, 0.0);
  std::vector<double> from(6, 0.0);
  for (int64_t n = 0; n < sa.count; ++n)
    for (int64_t t = 1; t < sa.length; ++t) {
      const int64_t i = sa.states[n * sa.length + t - 1];
      const int64_t j = sa.states[n * sa.length + t];
      REQUIRE(a.trans[i * 6 + j] > 0.0);
      counts[i * 6 + j] += 1;
      from[i] += 1;
    }
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 6; ++j)
      if (from[i] > 200) REQUIRE(counts[i * 6 + j] / from[i] == Approx(a.trans[i * 6 + j]).margin(0.1));
}
