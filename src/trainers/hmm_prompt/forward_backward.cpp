#include "trainers/hmm_prompt/forward_backward.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace wei::hmm_prompt {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

[[noreturn]] void impossible() {
  throw std::domain_error("forward_backward: the tokens have probability zero under the HMM");
}

// out[i] = exp(logs[i] - max) / sum_j exp(logs[j] - max), normalised in log space so that no
// state is lost to underflow.
void normalize_logs(const double* logs, int64_t h, double* out) {
  const double peak = *std::max_element(logs, logs + h);
  if (peak == kNegInf) impossible();
  double norm = 0.0;
  for (int64_t i = 0; i < h; ++i) norm += (out[i] = std::exp(logs[i] - peak));
  for (int64_t i = 0; i < h; ++i) out[i] /= norm;
}

}  // namespace

Posteriors forward_backward(const Hmm& hmm, const int64_t* tokens, int64_t length, bool leave_one_out) {
  const int64_t h = hmm.num_states;
  const int64_t v = hmm.vocab;
  if (length < 1) throw std::invalid_argument("forward_backward: empty sequence");
  for (int64_t t = 0; t < length; ++t)
    if (tokens[t] >= v) throw std::invalid_argument("forward_backward: token out of vocabulary");

  // log P(x | h = j) as one contiguous row per token, plus a row of zeros for unobserved
  // positions (row v).
  std::vector<double> log_emit((v + 1) * h, 0.0);
  for (int64_t j = 0; j < h; ++j)
    for (int64_t x = 0; x < v; ++x) log_emit[x * h + j] = std::log(hmm.emit[j * v + x]);
  auto emission = [&](int64_t t) { return &log_emit[(tokens[t] < 0 ? v : tokens[t]) * h]; };

  Posteriors out;
  out.length = length;
  out.num_states = h;
  out.filtered.resize(length * h);
  out.smoothed.resize(length * h);
  std::vector<double> log_alpha(length * h);  // log P(x_0..x_t, h_t)
  std::vector<double> alpha(h);               // the current step of log_alpha
  std::vector<double> beta(h, 0.0);           // log P(x_{t+1}..x_{T-1} | h_t), one step at a time
  std::vector<double> w(h);
  std::vector<double> acc(h);
  // log P(x_0..x_{t-1}, h_t): the forward message before x_t's emission (leave_one_out only).
  std::vector<double> log_prior(leave_one_out ? length * h : 0);

  // Forward. exp(alpha_t - max) is the unnormalised filtered posterior, so it is computed once and
  // serves both the recursion and `filtered`.
  const double* le = emission(0);
  for (int64_t j = 0; j < h; ++j) {
    const double prior = std::log(hmm.start[j]);
    if (leave_one_out) log_prior[j] = prior;
    alpha[j] = prior + le[j];
  }
  for (int64_t t = 0;; ++t) {
    std::copy(alpha.begin(), alpha.end(), log_alpha.begin() + t * h);
    const double top = *std::max_element(alpha.begin(), alpha.end());
    if (top == kNegInf) impossible();
    double total = 0.0;
    for (int64_t i = 0; i < h; ++i) total += (w[i] = std::exp(alpha[i] - top));
    double* filtered = &out.filtered[t * h];
    for (int64_t i = 0; i < h; ++i) filtered[i] = w[i] / total;
    if (t + 1 == length) {
      out.log_likelihood = top + std::log(total);
      break;
    }
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t i = 0; i < h; ++i) {
      if (w[i] == 0.0) continue;
      const double wi = w[i];
      const double* row = &hmm.trans[i * h];
      for (int64_t j = 0; j < h; ++j) acc[j] += wi * row[j];
    }
    le = emission(t + 1);
    for (int64_t j = 0; j < h; ++j) {
      const double prior = top + std::log(acc[j]);
      if (leave_one_out) log_prior[(t + 1) * h + j] = prior;
      alpha[j] = prior + le[j];
    }
  }

  // Backward. The smoothed posterior is normalised from log_alpha + beta in log space (not as
  // filtered * (A w), which would lose states whose filtered mass underflowed).
  std::copy(out.filtered.end() - h, out.filtered.end(), out.smoothed.end() - h);
  // The left-out posterior is the same normalisation without x_t's emission factor.
  if (leave_one_out) {
    out.left_out.resize(length * h);
    normalize_logs(&log_prior[(length - 1) * h], h, &out.left_out[(length - 1) * h]);
  }
  std::vector<double> trans_t(h * h);
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < h; ++j) trans_t[j * h + i] = hmm.trans[i * h + j];
  for (int64_t t = length - 2; t >= 0; --t) {
    le = emission(t + 1);
    for (int64_t j = 0; j < h; ++j) w[j] = beta[j] + le[j];
    const double top = *std::max_element(w.begin(), w.end());
    if (top == kNegInf) impossible();
    for (int64_t j = 0; j < h; ++j) w[j] = std::exp(w[j] - top);
    // (A w) accumulated column by column: the inner loop is an axpy the compiler vectorises
    // (a dot product per row would not be, without reassociating floating-point sums).
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t j = 0; j < h; ++j) {
      if (w[j] == 0.0) continue;
      const double wj = w[j];
      const double* column = &trans_t[j * h];
      for (int64_t i = 0; i < h; ++i) acc[i] += column[i] * wj;
    }
    for (int64_t i = 0; i < h; ++i) {
      beta[i] = top + std::log(acc[i]);
      acc[i] = log_alpha[t * h + i] + beta[i];
    }
    normalize_logs(acc.data(), h, &out.smoothed[t * h]);
    if (leave_one_out) {
      for (int64_t i = 0; i < h; ++i) acc[i] = log_prior[t * h + i] + beta[i];
      normalize_logs(acc.data(), h, &out.left_out[t * h]);
    }
  }
  return out;
}

std::vector<double> token_distribution(const Hmm& hmm, const double* state_probs) {
  const int64_t v = hmm.vocab;
  std::vector<double> out(v, 0.0);
  for (int64_t i = 0; i < hmm.num_states; ++i) {
    const double w = state_probs[i];
    if (w == 0.0) continue;
    const double* row = &hmm.emit[i * v];
    for (int64_t x = 0; x < v; ++x) out[x] += w * row[x];
  }
  return out;
}

std::vector<double> masked_token_probabilities(const Hmm& hmm, const Posteriors& posteriors) {
  const int64_t h = posteriors.num_states;
  const int64_t v = hmm.vocab;
  if (posteriors.left_out.size() != static_cast<size_t>(posteriors.length * h))
    throw std::invalid_argument("masked_token_probabilities: forward_backward ran without leave_one_out");
  std::vector<double> out(posteriors.length * v);
  for (int64_t t = 0; t < posteriors.length; ++t) {
    const std::vector<double> p = token_distribution(hmm, &posteriors.left_out[t * h]);
    std::copy(p.begin(), p.end(), out.begin() + t * v);
  }
  return out;
}

std::vector<double> memory_posterior(const Hmm& hmm, const Posteriors& posteriors) {
  if (hmm.memory < 1) throw std::invalid_argument("memory_posterior: not a memory-augmented HMM");
  std::vector<double> out(hmm.memory, 0.0);
  for (int64_t i = 0; i < hmm.num_states; ++i)
    out[i / kMemoryBlockStates] += posteriors.smoothed[i];
  return out;
}

}  // namespace wei::hmm_prompt
