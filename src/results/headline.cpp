#include "results/headline.h"

#include "base/errors.h"

namespace wei {

std::optional<std::string> headline_metric(const std::vector<RunRecord>& runs) {
  std::optional<std::string> headline;
  for (const auto& run : runs) {
    const auto best = value_at(run.metrics, "best");
    if (!best || !best->is_object() || best->empty()) continue;
    const std::string key = best->begin().key();
    if (key == "epoch") continue;
    if (headline && *headline != key) {
      throw InputError("the runs' trainers have different headline metrics ('" + *headline + "' and '" + key +
                       "'); choose one with --y");
    }
    headline = key;
  }
  return headline;
}

}  // namespace wei
