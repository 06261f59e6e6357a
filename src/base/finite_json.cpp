#include "base/finite_json.h"

#include <cmath>

namespace wei {

std::string first_non_finite(const nlohmann::ordered_json& value, const std::string& prefix) {
  if (value.is_number_float()) return std::isfinite(value.get<double>()) ? "" : (prefix.empty() ? "(value)" : prefix);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const std::string found = first_non_finite(child, prefix.empty() ? key : prefix + "." + key);
      if (!found.empty()) return found;
    }
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string found = first_non_finite(value[i], prefix + "[" + std::to_string(i) + "]");
      if (!found.empty()) return found;
    }
  }
  return "";
}

}  // namespace wei
