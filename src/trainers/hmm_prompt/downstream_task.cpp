#include "trainers/hmm_prompt/downstream_task.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "base/seeding.h"
#include "trainers/hmm_prompt/forward_backward.h"

namespace wei::hmm_prompt {
namespace {

constexpr int kMaxLabelDraws = 1000;

// Standard normal by Box-Muller from the portable uniform.
double standard_normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Uniform integer in [0, n) from the portable uniform.
int64_t uniform_index(std::mt19937_64& rng, int64_t n) {
  return std::min<int64_t>(static_cast<int64_t>(uniform01(rng) * n), n - 1);
}

// Forward-backward on the first `length` tokens of `row` with x_0 hidden behind [MASK]; `x` is
// scratch space.
Posteriors masked_forward_backward(const Hmm& hmm, const int64_t* row, int64_t length, bool leave_one_out,
                                   std::vector<int64_t>& x) {
  x.assign(row, row + length);
  x[0] = -1;  // hidden behind [MASK]
  return forward_backward(hmm, x.data(), length, leave_one_out);
}

TaskSplit make_split(const Hmm& hmm, int64_t count, int64_t length, std::mt19937_64& rng, const StopToken& stop) {
  const Samples s = sample(hmm, count, length, rng, stop);
  const int64_t k = hmm.memory > 0 ? hmm.memory : hmm.num_states;
  TaskSplit split;
  split.tokens = torch::from_blob(const_cast<int64_t*>(s.tokens.data()), {count, length}, torch::kInt64).clone();
  split.posterior = torch::empty({count, k}, torch::kFloat64);
  auto post = split.posterior.accessor<double, 2>();
  std::vector<int64_t> x;
  for (int64_t n = 0; n < count; ++n) {
    stop.throw_if_requested();  // forward-backward over thousands of states takes long
    const Posteriors fb = masked_forward_backward(hmm, s.tokens.data() + n * length, length, false, x);
    const std::vector<double> p =
        hmm.memory > 0 ? memory_posterior(hmm, fb)
                       : std::vector<double>(fb.smoothed.begin(), fb.smoothed.begin() + k);
    for (int64_t i = 0; i < k; ++i) post[n][i] = p[i];
  }
  return split;
}

void assign_labels(TaskSplit& split, const torch::Tensor& w) {
  split.labels = split.posterior.matmul(w.t()).argmax(1);
  split.posterior = split.posterior.to(torch::kFloat32);
}

}  // namespace

torch::Tensor draw_label_matrix(int64_t k, int64_t nonzeros, bool with_replacement, std::mt19937_64& rng) {
  const int64_t cells = kNumClasses * k;
  std::vector<int64_t> order;  // the chosen cells, in the order their values are drawn
  if (with_replacement) {
    // numpy.random.choice(cells, size=nonzeros): the cells first, then the values.
    for (int64_t i = 0; i < nonzeros; ++i) order.push_back(uniform_index(rng, cells));
  } else {
    order.resize(cells);
    std::iota(order.begin(), order.end(), 0);
    const int64_t chosen = std::min(nonzeros, cells);
    for (int64_t i = 0; i < chosen; ++i) {  // partial Fisher-Yates: the first `chosen` cells
      const auto j = i + uniform_index(rng, cells - i);
      std::swap(order[i], order[j]);
    }
    order.resize(chosen);
  }
  auto w = torch::zeros({kNumClasses, k}, torch::kFloat64);
  auto acc = w.accessor<double, 2>();
  for (const int64_t cell : order) acc[cell / k][cell % k] = standard_normal(rng);
  return w;
}

DownstreamTask make_task(const Hmm& hmm, const TaskOptions& options, std::mt19937_64& rng, const StopToken& stop) {
  if (options.sequence_length < 2) throw std::invalid_argument("task sequences need >= 2 tokens");
  DownstreamTask task;
  task.train = make_split(hmm, options.train_size, options.sequence_length, rng, stop);
  task.val = make_split(hmm, options.val_size, options.sequence_length, rng, stop);
  task.test = make_split(hmm, options.test_size, options.sequence_length, rng, stop);
  const int64_t k = task.train.posterior.size(1);
  const bool reference = options.reference_label_draw;
  for (int draw = 0;; ++draw) {
    task.label_matrix = draw_label_matrix(k, options.nonzeros, reference, rng);
    const auto labels = task.train.posterior.matmul(task.label_matrix.t()).argmax(1);
    const double ones = labels.to(torch::kFloat64).mean().item<double>();
    const double minority = std::min(ones, 1.0 - ones);
    if ((reference ? minority > 0.0 : minority >= kMinClassFraction) || draw + 1 == kMaxLabelDraws) break;
  }
  assign_labels(task.train, task.label_matrix);
  assign_labels(task.val, task.label_matrix);
  assign_labels(task.test, task.label_matrix);
  return task;
}

torch::Tensor masked_input(const TaskSplit& split, int64_t visible, int64_t mask_token) {
  if (visible + 1 > split.tokens.size(1))
    throw std::invalid_argument("masked_input: more visible tokens than the sequences hold");
  auto input = split.tokens.slice(1, 0, visible + 1).clone();
  input.select(1, 0).fill_(mask_token);
  return input;
}

torch::Tensor exact_mlm_probabilities(const Hmm& hmm, const TaskSplit& split, int64_t visible, int64_t positions,
                                      const StopToken& stop) {
  const int64_t length = visible + 1;
  if (length > split.tokens.size(1))
    throw std::invalid_argument("exact_mlm_probabilities: more visible tokens than the sequences hold");
  if (positions < 1 || positions > length)
    throw std::invalid_argument("exact_mlm_probabilities: positions must be in 1..visible + 1");
  const int64_t count = split.tokens.size(0);
  const int64_t v = hmm.vocab;
  const auto tokens = split.tokens.contiguous();
  const int64_t stride = tokens.size(1);
  auto out = torch::empty({count, positions, v}, torch::kFloat64);
  double* dst = out.data_ptr<double>();
  // x_0 is unobserved, so P(h_0 | the rest) is the smoothed posterior at 0: the left-out
  // posteriors of the other positions are needed only when they are asked for.
  const bool leave_one_out = positions > 1;
  std::vector<int64_t> x;
  for (int64_t n = 0; n < count; ++n) {
    stop.throw_if_requested();
    const Posteriors fb =
        masked_forward_backward(hmm, tokens.data_ptr<int64_t>() + n * stride, length, leave_one_out, x);
    const std::vector<double> p =
        leave_one_out ? masked_token_probabilities(hmm, fb) : token_distribution(hmm, fb.smoothed.data());
    std::copy(p.begin(), p.begin() + positions * v, dst + n * positions * v);
  }
  return out.to(torch::kFloat32);
}

}  // namespace wei::hmm_prompt
