#pragma once
// Finding run results on disk and reading values out of them by dotted path.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/paper_reference.h"

namespace wei {

struct RunRecord {
  std::filesystem::path dir;  // the run directory (holding metrics.json)
  nlohmann::ordered_json metrics;
  // The paper's numbers from the run's spec file, when attach_references (results/reference_lookup.h)
  // found one; collect_runs leaves it empty.
  std::optional<PaperReference> reference;
};

// Every metrics.json at or below each of `roots` (a run directory or a sweep root), sorted by
// path. A root that does not exist, or an unreadable metrics.json, is an InputError.
std::vector<RunRecord> collect_runs(const std::vector<std::string>& roots);

// The value at "final.test_error" / "spec.optim.lr" / "history"; nullopt when absent. A key that
// itself contains dots ("spec" keys never do) is not addressable.
std::optional<nlohmann::ordered_json> value_at(const nlohmann::ordered_json& doc, const std::string& path);

// Compact text for grouping and table cells: 0.05, ldam, [1,2].
std::string value_text(const nlohmann::ordered_json& value);

// Spec keys ("spec.optim.lr") whose values differ between `runs`, excluding seed and name: the
// natural grouping of a sweep's results.
std::vector<std::string> varying_spec_keys(const std::vector<RunRecord>& runs);

}  // namespace wei
