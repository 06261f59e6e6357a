#pragma once
// Accuracy summaries for imbalanced classification: overall, per class, and by "shot" group of the
// class's training count (many > 100, medium 20..100, few < 20 images), all in percent.
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace wei::imbalanced_cifar {

enum class Shot { kMany, kMedium, kFew };
Shot shot_of(int64_t train_count);

struct AccuracyReport {
  double accuracy = 0;            // percent of all examples
  std::vector<double> per_class;  // percent of each class's examples (0 for a class with none)
  // Percent of the examples whose class is in the group; nullopt when no class is in it.
  std::optional<double> many, medium, few;
};

// predictions, targets: int64 [N] (any device).
AccuracyReport accuracy_report(const torch::Tensor& predictions, const torch::Tensor& targets,
                               const std::vector<int64_t>& train_counts);

// Adds "<prefix>accuracy", "<prefix>error", "<prefix>per_class_accuracy" and the
// "<prefix>{many,medium,few}_shot_accuracy" present in the report.
void add_to_row(nlohmann::ordered_json& row, const std::string& prefix, const AccuracyReport& report);

}  // namespace wei::imbalanced_cifar
