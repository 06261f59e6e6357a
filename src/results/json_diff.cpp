#include "results/json_diff.h"

#include <algorithm>
#include <cmath>

namespace wei {

namespace {



std::string text(const nlohmann::json& value) { return value.dump(); }

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

void compare(const nlohmann::json& a, const nlohmann::json& b, const std::string& path, const DiffTolerance& tol,
             const std::vector<std::string>& ignore, std::vector<JsonDifference>& out) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer() && tol.atol == 0 && tol.rtol == 0) {
      if (a != b) out.push_back({path, text(a), text(b)});
      return;
    }
    const double x = a.get<double>();
    const double y = b.get<double>();
    if (std::fabs(x - y) > tol.atol + tol.rtol * std::max(std::fabs(x), std::fabs(y))) {
      out.push_back({path, text(a), text(b)});
    }
    return;
  }
  if (a.type() != b.type()) {
    out.push_back({path, text(a), text(b)});
    return;
  }
  if (a.is_object()) {
    for (const auto& [key, value] : a.items()) {
      if (path.empty() && std::find(ignore.begin(), ignore.end(), key) != ignore.end()) continue;
      const std::string p = child_path(path, key);
      if (!b.contains(key)) {
        out.push_back({p, text(value), "(missing)"});
      } else {
        compare(value, b[key], p, tol, ignore, out);
      }
    }
    for (const auto& [key, value] : b.items()) {
      if (path.empty() && std::find(ignore.begin(), ignore.end(), key) != ignore.end()) continue;
      if (!a.contains(key)) out.push_back({child_path(path, key), "(missing)", text(value)});
    }
    return;
  }
  if (a.is_array()) {
    const size_t common = std::min(a.size(), b.size());
    for (size_t i = 0; i < common; ++i) compare(a[i], b[i], path + "[" + std::to_string(i) + "]", tol, ignore, out);
    if (a.size() != b.size()) {
      out.push_back({path + ".length", std::to_string(a.size()), std::to_string(b.size())});
    }
    return;
  }
  if (a != b) out.push_back({path, text(a), text(b)});
}

}  // namespace

std::vector<JsonDifference> json_diff(const nlohmann::json& left, const nlohmann::json& right,
                                      const DiffTolerance& tolerance, const std::vector<std::string>& ignore) {
  std::vector<JsonDifference> out;
  compare(left, right, "", tolerance, ignore, out);
  return out;
}

std::string describe(const JsonDifference& difference) {
  return difference.path + ": " + difference.left + " vs " + difference.right;
}

}  // namespace wei
