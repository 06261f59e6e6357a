#include "results/result_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "base/errors.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

void flatten_leaves(const json& value, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) flatten_leaves(child, prefix + "." + key, out);
  } else {
    out[prefix] = value_text(value);
  }
}

RunRecord read_run(const fs::path& metrics_path) {
  std::ifstream in(metrics_path);
  if (!in) throw InputError(metrics_path.string() + ": cannot read");
  try {
    return RunRecord{metrics_path.parent_path(), json::parse(in), std::nullopt};
  } catch (const json::parse_error& e) {
    throw InputError(metrics_path.string() + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
}

}  // namespace

std::vector<RunRecord> collect_runs(const std::vector<std::string>& roots) {
  std::vector<fs::path> paths;
  for (const auto& root : roots) {
    if (!fs::exists(root)) throw InputError(root + ": no such file or directory");
    if (fs::is_regular_file(root)) {
      paths.push_back(root);
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().filename() == "metrics.json") paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<RunRecord> runs;
  for (const auto& path : paths) runs.push_back(read_run(path));
  return runs;
}

std::optional<json> value_at(const json& doc, const std::string& path) {
  const json* node = &doc;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return std::nullopt;
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

std::string value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::vector<std::string> varying_spec_keys(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::set<std::string>> seen;
  std::vector<std::string> order;
  for (const auto& run : runs) {
    std::map<std::string, std::string> leaves;
    if (run.metrics.contains("spec")) flatten_leaves(run.metrics["spec"], "spec", leaves);
    for (const auto& [key, text] : leaves) {
      if (!seen.count(key)) order.push_back(key);
      seen[key].insert(text);
    }
  }
  std::vector<std::string> varying;
  for (const auto& key : order) {
    if (key == "spec.seed" || key == "spec.name") continue;
    if (seen[key].size() > 1) varying.push_back(key);
  }
  return varying;
}

}  // namespace wei
