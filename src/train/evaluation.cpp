#include "train/evaluation.h"

#include <torch/nn/functional/loss.h>

#include <stdexcept>

namespace wei {

EvalModeScope::EvalModeScope(std::initializer_list<torch::nn::Module*> modules) {
  for (torch::nn::Module* module : modules) {
    previous_.emplace_back(module, module->is_training());
    module->eval();
  }
}

EvalModeScope::~EvalModeScope() {
  for (auto& [module, was_training] : previous_) module->train(was_training);
}

torch::Tensor evaluate_in_batches(std::initializer_list<torch::nn::Module*> modules, int64_t n, int64_t batch_size,
                                  const StopToken& stop, const BatchForward& forward) {
  if (n <= 0) throw std::invalid_argument("evaluate_in_batches: nothing to evaluate");
  const EvalScope scope(modules);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < n; start += batch_size) {
    stop.throw_if_requested();
    parts.push_back(forward(start, std::min(batch_size, n - start)));
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

void add_scores(nlohmann::ordered_json& row, const std::string& prefix, const torch::Tensor& logits,
                const torch::Tensor& labels, bool with_error) {
  row[prefix + "loss"] = torch::nn::functional::cross_entropy(logits, labels).item<double>();
  const double accuracy = 100.0 * logits.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
  row[prefix + "accuracy"] = accuracy;
  if (with_error) row[prefix + "error"] = 100.0 - accuracy;
}

std::vector<double> ClassTally::accuracy() const {
  std::vector<double> percent;
  for (size_t c = 0; c < examples.size(); ++c) percent.push_back(examples[c] > 0 ? 100.0 * correct[c] / examples[c] : 0.0);
  return percent;
}

ClassTally class_tally(const torch::Tensor& predictions, const torch::Tensor& targets, int64_t classes) {
  const auto y = targets.to(torch::kCPU).to(torch::kInt64);
  const auto right = predictions.to(torch::kCPU).eq(y).to(torch::kDouble);
  const auto examples = torch::bincount(y, {}, classes).to(torch::kDouble).contiguous();
  const auto correct = torch::bincount(y, right, classes).contiguous();
  ClassTally tally;
  tally.examples.assign(examples.data_ptr<double>(), examples.data_ptr<double>() + classes);
  tally.correct.assign(correct.data_ptr<double>(), correct.data_ptr<double>() + classes);
  return tally;
}

}  // namespace wei
