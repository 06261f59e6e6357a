#pragma once
// Compares two result documents key by key, numbers within a tolerance:
//   |a - b| <= atol + rtol * max(|a|, |b|)
// Used by `wei-run diff`; top-level keys in `ignore` (by default the volatile "run" block) are skipped.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wei {

struct JsonDifference {
  std::string path;  // "final.test_error", "history[3].lr"
  std::string left;  // value text, or "(missing)"
  std::string right;
};

struct DiffTolerance {
  double rtol = 0.0;
  double atol = 0.0;
};

// "path: left vs right", the line `wei-run diff` prints for one difference.
std::string describe(const JsonDifference& difference);

std::vector<JsonDifference> json_diff(const nlohmann::json& left, const nlohmann::json& right,
                                      const DiffTolerance& tolerance, const std::vector<std::string>& ignore);

}  // namespace wei
