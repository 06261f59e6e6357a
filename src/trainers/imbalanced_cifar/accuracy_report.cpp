#include "trainers/imbalanced_cifar/accuracy_report.h"

#include <array>
#include <numeric>

#include "train/evaluation.h"

namespace wei::imbalanced_cifar {

Shot shot_of(int64_t train_count) {
  if (train_count > 100) return Shot::kMany;
  if (train_count >= 20) return Shot::kMedium;
  return Shot::kFew;
}

AccuracyReport accuracy_report(const torch::Tensor& predictions, const torch::Tensor& targets,
                               const std::vector<int64_t>& train_counts) {
  const int64_t classes = static_cast<int64_t>(train_counts.size());
  const ClassTally tally = class_tally(predictions, targets, classes);
  const auto& totals = tally.examples;
  const auto& hits = tally.correct;

  AccuracyReport report;
  const auto n = targets.numel();
  // Counts are whole numbers, so their sum in any order is exact.
  report.accuracy = n == 0 ? 0.0 : 100.0 * std::accumulate(hits.begin(), hits.end(), 0.0) / static_cast<double>(n);
  report.per_class = tally.accuracy();
  std::array<double, 3> group_hits{}, group_totals{};
  std::array<bool, 3> group_present{};
  for (int64_t c = 0; c < classes; ++c) {
    const auto g = static_cast<size_t>(shot_of(train_counts[c]));
    group_hits[g] += hits[c];
    group_totals[g] += totals[c];
    group_present[g] = true;
  }
  auto group = [&](Shot s) -> std::optional<double> {
    const auto g = static_cast<size_t>(s);
    if (!group_present[g]) return std::nullopt;
    return group_totals[g] > 0 ? 100.0 * group_hits[g] / group_totals[g] : 0.0;
  };
  report.many = group(Shot::kMany);
  report.medium = group(Shot::kMedium);
  report.few = group(Shot::kFew);
  return report;
}

void add_to_row(nlohmann::ordered_json& row, const std::string& prefix, const AccuracyReport& report) {
  row[prefix + "accuracy"] = report.accuracy;
  row[prefix + "error"] = 100.0 - report.accuracy;
  row[prefix + "per_class_accuracy"] = report.per_class;
  if (report.many) row[prefix + "many_shot_accuracy"] = *report.many;
  if (report.medium) row[prefix + "medium_shot_accuracy"] = *report.medium;
  if (report.few) row[prefix + "few_shot_accuracy"] = *report.few;
}

}  // namespace wei::imbalanced_cifar
