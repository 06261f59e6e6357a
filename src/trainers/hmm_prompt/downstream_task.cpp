#include "trainers/hmm_prompt/downstream_task.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "trainers/hmm_prompt/forward_backward.h"

namespace wei::hmm {
namespace {

constexpr int kMaxLabelDraws = 1000;

// Standard normal by Box-Muller from the portable uniform.
double standard_normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

torch::Tensor sparse_label_matrix(int64_t k, int64_t nonzeros, std::mt19937_64& rng) {
  const int64_t cells = kNumClasses * k;
  std::vector<int64_t> order(cells);
  std::iota(order.begin(), order.end(), 0);
  const int64_t chosen = std::min(nonzeros, cells);
  for (int64_t i = 0; i < chosen; ++i) {  // partial Fisher-Yates: the first `chosen` cells
    const auto j = i + std::min<int64_t>(static_cast<int64_t>(uniform01(rng) * (cells - i)), cells - i - 1);
    std::swap(order[i], order[j]);
  }
  auto w = torch::zeros({kNumClasses, k}, torch::kFloat64);
  auto acc = w.accessor<double, 2>();
  for (int64_t i = 0; i < chosen; ++i) acc[order[i] / k][order[i] % k] = standard_normal(rng);
  return w;
}

TaskSplit make_split(const Hmm& hmm, int64_t count, int64_t length, std::mt19937_64& rng, const StopToken& stop) {
  const Samples s = sample(hmm, count, length, rng, stop);
  const int64_t k = hmm.memory > 0 ? hmm.memory : hmm.num_states;
  TaskSplit split;
  split.tokens = torch::from_blob(const_cast<int64_t*>(s.tokens.data()), {count, length}, torch::kInt64).clone();
  split.posterior = torch::empty({count, k}, torch::kFloat64);
  auto post = split.posterior.accessor<double, 2>();
  std::vector<int64_t> x(length);
  for (int64_t n = 0; n < count; ++n) {
    stop.throw_if_requested();  // forward-backward over thousands of states takes long
    std::copy(s.tokens.begin() + n * length, s.tokens.begin() + (n + 1) * length, x.begin());
    x[0] = -1;  // hidden behind [MASK]
    const Posteriors fb = forward_backward(hmm, x.data(), length);
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

DownstreamTask make_task(const Hmm& hmm, const TaskOptions& options, std::mt19937_64& rng, const StopToken& stop) {
  if (options.sequence_length < 2) throw std::invalid_argument("task sequences need >= 2 tokens");
  DownstreamTask task;
  task.train = make_split(hmm, options.train_size, options.sequence_length, rng, stop);
  task.val = make_split(hmm, options.val_size, options.sequence_length, rng, stop);
  task.test = make_split(hmm, options.test_size, options.sequence_length, rng, stop);
  const int64_t k = task.train.posterior.size(1);
  for (int draw = 0;; ++draw) {
    task.label_matrix = sparse_label_matrix(k, options.nonzeros, rng);
    const auto labels = task.train.posterior.matmul(task.label_matrix.t()).argmax(1);
    const double ones = labels.to(torch::kFloat64).mean().item<double>();
    if (std::min(ones, 1.0 - ones) >= kMinClassFraction || draw + 1 == kMaxLabelDraws) break;
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

}  // namespace wei::hmm
