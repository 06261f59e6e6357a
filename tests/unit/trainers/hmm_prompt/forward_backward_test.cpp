#include <catch2/catch.hpp>

#include <cmath>

#include "base/seeding.h"
#include "trainers/hmm_prompt/forward_backward.h"

using namespace wei::hmm_prompt;

namespace {

struct Enumerated {
  double log_likelihood;
  std::vector<double> marginals;  // [T * H]
};

// Sums P(h, x) over all H^T hidden paths.
Enumerated enumerate(const Hmm& hmm, const std::vector<int64_t>& x) {
  const int64_t h = hmm.num_states;
  const auto t_len = static_cast<int64_t>(x.size());
  int64_t paths = 1;
  for (int64_t t = 0; t < t_len; ++t) paths *= h;
  std::vector<double> marg(x.size() * hmm.start.size(), 0.0);
  std::vector<int64_t> path(x.size());
  double total = 0.0;
  for (int64_t code = 0; code < paths; ++code) {
    int64_t c = code;
    for (int64_t t = 0; t < t_len; ++t, c /= h) path[t] = c % h;
    double p = hmm.start[path[0]];
    for (int64_t t = 0; t < t_len; ++t) {
      if (t > 0) p *= hmm.trans[path[t - 1] * h + path[t]];
      if (x[t] >= 0) p *= hmm.emit[path[t] * hmm.vocab + x[t]];
    }
    total += p;
    for (int64_t t = 0; t < t_len; ++t) marg[t * h + path[t]] += p;
  }
  for (auto& m : marg) m /= total;
  return {std::log(total), marg};
}

void require_matches_enumeration(const Hmm& hmm, const std::vector<int64_t>& x) {
  const int64_t h = hmm.num_states;
  const auto t_len = static_cast<int64_t>(x.size());
  const Posteriors fb = forward_backward(hmm, x.data(), t_len);
  const Enumerated full = enumerate(hmm, x);
  REQUIRE(std::abs(fb.log_likelihood - full.log_likelihood) < 1e-9);
  for (int64_t i = 0; i < t_len * h; ++i) REQUIRE(std::abs(fb.smoothed[i] - full.marginals[i]) < 1e-9);
  for (int64_t t = 0; t < t_len; ++t) {
    const std::vector<int64_t> prefix(x.begin(), x.begin() + t + 1);
    const Enumerated part = enumerate(hmm, prefix);
    for (int64_t i = 0; i < h; ++i)
      REQUIRE(std::abs(fb.filtered[t * h + i] - part.marginals[t * h + i]) < 1e-9);
  }
}

}  // namespace

TEST_CASE("forward-backward matches brute-force enumeration", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(1, "fb-test");
  SECTION("vanilla, paper temperatures (exact zeros in the transitions)") {
    for (int rep = 0; rep < 3; ++rep) {
      const Hmm hmm = make_vanilla_hmm(3, 3, HmmTemperatures{}, rng);
      const Samples s = sample(hmm, 1, 6, rng);
      require_matches_enumeration(hmm, s.tokens);
    }
  }
  SECTION("vanilla, dense parameters, with unobserved positions") {
    const Hmm hmm = make_vanilla_hmm(4, 3, HmmTemperatures{1.0, 1.0, 1.0}, rng);
    const Samples s = sample(hmm, 1, 6, rng);
    auto x = s.tokens;
    x[0] = -1;  // the [MASK] position of the downstream task
    x[3] = -1;
    require_matches_enumeration(hmm, x);
  }
  SECTION("memory-augmented HMM") {
    const Hmm hmm = make_memory_hmm(2, 4, HmmTemperatures{1.0, 0.3, 0.5}, rng);
    const Samples s = sample(hmm, 1, 4, rng);
    require_matches_enumeration(hmm, s.tokens);
    const Posteriors fb = forward_backward(hmm, s.tokens.data(), 4);
    const auto pm = memory_posterior(hmm, fb);
    const Enumerated full = enumerate(hmm, s.tokens);
    for (int64_t m = 0; m < 2; ++m) {
      double expected = 0.0;
      for (int64_t j = 0; j < kMemoryBlockStates; ++j) expected += full.marginals[3 * 8 + m * 4 + j];
      REQUIRE(std::abs(pm[m] - expected) < 1e-9);
    }
  }
  SECTION("hand-made HMM with zeros in start, transitions and emissions") {
    Hmm hmm;
    hmm.num_states = 3;
    hmm.vocab = 2;
    hmm.start = {0.0, 0.4, 0.6};
    hmm.trans = {0.0, 1.0, 0.0,  //
                 0.5, 0.0, 0.5,  //
                 0.0, 0.0, 1.0};
    hmm.emit = {1.0, 0.0,  //
                0.0, 1.0,  //
                0.0, 1.0};
    require_matches_enumeration(hmm, {1, 0, 1, 1, -1, 1});
    // A 0 at t = 2 needs h_2 = 0, hence h_1 = 1 and h_0 = 0, which cannot start.
    const int64_t impossible[] = {1, 1, 0};
    REQUIRE_THROWS_AS(forward_backward(hmm, impossible, 3), std::domain_error);
  }
}

TEST_CASE("forward-backward is stable at length 10,240", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(2, "fb-test");
  const Hmm hmm = make_vanilla_hmm(10, 10, HmmTemperatures{}, rng);
  const int64_t t_len = 10240;
  const Samples s = sample(hmm, 1, t_len, rng);
  const Posteriors fb = forward_backward(hmm, s.tokens.data(), t_len);
  REQUIRE(std::isfinite(fb.log_likelihood));
  REQUIRE(fb.log_likelihood < 0.0);

  // An independent algorithm: the linear-space forward pass rescaled at every step.
  const int64_t h = 10;
  std::vector<double> a(h), next(h);
  double log_lik = 0.0;
  for (int64_t t = 0; t < t_len; ++t) {
    for (int64_t j = 0; j < h; ++j) {
      double pred = 0.0;
      if (t == 0) pred = hmm.start[j];
      else
        for (int64_t i = 0; i < h; ++i) pred += a[i] * hmm.trans[i * h + j];
      next[j] = pred * hmm.emit[j * 10 + s.tokens[t]];
    }
    double z = 0.0;
    for (double v : next) z += v;
    log_lik += std::log(z);
    for (int64_t j = 0; j < h; ++j) a[j] = next[j] / z;
    if (t == t_len - 1)
      for (int64_t j = 0; j < h; ++j) REQUIRE(std::abs(fb.filtered[t * h + j] - a[j]) < 1e-9);
  }
  REQUIRE(std::abs(fb.log_likelihood - log_lik) < 1e-9 * std::abs(log_lik));

  int64_t agree = 0;
  for (int64_t t = 0; t < t_len; ++t) {
    double total = 0.0;
    int64_t best = 0;
    for (int64_t i = 0; i < h; ++i) {
      const double p = fb.smoothed[t * h + i];
      REQUIRE(std::isfinite(p));
      REQUIRE(p >= 0.0);
      total += p;
      if (p > fb.smoothed[t * h + best]) best = i;
    }
    REQUIRE(std::abs(total - 1.0) < 1e-9);
    agree += best == s.states[t];
  }
  // Chance is 1/10; peaked emissions and near-permutation dynamics make the states recoverable.
  REQUIRE(agree > t_len / 2);
}

namespace hmm21_fb {

// P(x_t = v | x_s, s != t) by enumeration: the joint probability of the sequence with x_t set to
// each v (x_t's own emission included), normalised over v.
std::vector<double> enumerate_masked_token(const Hmm& hmm, std::vector<int64_t> x, int64_t t) {
  std::vector<double> joint(hmm.vocab);
  double total = 0.0;
  for (int64_t v = 0; v < hmm.vocab; ++v) {
    x[t] = v;
    joint[v] = std::exp(enumerate(hmm, x).log_likelihood);
    total += joint[v];
  }
  for (auto& p : joint) p /= total;
  return joint;
}

void require_masked_tokens_match(const Hmm& hmm, const std::vector<int64_t>& x) {
  const auto t_len = static_cast<int64_t>(x.size());
  const Posteriors fb = forward_backward(hmm, x.data(), t_len, true);
  REQUIRE(fb.left_out.size() == fb.smoothed.size());
  const auto probs = masked_token_probabilities(hmm, fb);
  REQUIRE(probs.size() == static_cast<size_t>(t_len * hmm.vocab));
  for (int64_t t = 0; t < t_len; ++t) {
    INFO("t = " << t);
    const auto expected = enumerate_masked_token(hmm, x, t);
    for (int64_t v = 0; v < hmm.vocab; ++v) REQUIRE(std::abs(probs[t * hmm.vocab + v] - expected[v]) < 1e-9);
    // At an unobserved position, leaving it out changes nothing.
    if (x[t] < 0)
      for (int64_t i = 0; i < hmm.num_states; ++i)
        REQUIRE(fb.left_out[t * hmm.num_states + i] == fb.smoothed[t * hmm.num_states + i]);
  }
}

}  // namespace hmm21_fb

TEST_CASE("masked token probabilities match brute-force enumeration", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(21, "fb-masked-test");
  SECTION("vanilla, dense parameters, x_0 masked") {
    const Hmm hmm = make_vanilla_hmm(3, 4, HmmTemperatures{1.0, 1.0, 1.0}, rng);
    auto x = sample(hmm, 1, 6, rng).tokens;
    x[0] = -1;
    hmm21_fb::require_masked_tokens_match(hmm, x);
  }
  SECTION("vanilla, paper temperatures (exact zeros in the transitions)") {
    const Hmm hmm = make_vanilla_hmm(3, 3, HmmTemperatures{}, rng);
    auto x = sample(hmm, 1, 5, rng).tokens;
    x[0] = -1;
    hmm21_fb::require_masked_tokens_match(hmm, x);
  }
  SECTION("memory-augmented HMM, two unobserved positions") {
    const Hmm hmm = make_memory_hmm(2, 3, HmmTemperatures{1.0, 0.3, 0.5}, rng);
    auto x = sample(hmm, 1, 5, rng).tokens;
    x[0] = -1;
    x[2] = -1;
    hmm21_fb::require_masked_tokens_match(hmm, x);
  }
  SECTION("the smoothed posteriors do not depend on leave_one_out") {
    const Hmm hmm = make_vanilla_hmm(5, 10, HmmTemperatures{}, rng);
    auto x = sample(hmm, 1, 80, rng).tokens;
    x[0] = -1;
    const Posteriors plain = forward_backward(hmm, x.data(), 80);
    const Posteriors both = forward_backward(hmm, x.data(), 80, true);
    REQUIRE(plain.left_out.empty());
    REQUIRE(plain.smoothed == both.smoothed);
    REQUIRE(plain.filtered == both.filtered);
    REQUIRE(plain.log_likelihood == both.log_likelihood);
    REQUIRE_THROWS_AS(masked_token_probabilities(hmm, plain), std::invalid_argument);
  }
}
