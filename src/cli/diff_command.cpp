#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>

#include "cli/commands.h"
#include "core/errors.h"
#include "metrics/json_diff.h"
#include "results/result_set.h"

namespace wei::cli {

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read (no such file or not readable)");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
}

std::vector<JsonDifference> diff_files(const std::string& left, const std::string& right, const DiffOptions& options) {
  std::vector<std::string> ignore;
  if (!options.include_run) ignore.push_back("run");
  return json_diff(read_json(left), read_json(right), DiffTolerance{options.rtol, options.atol}, ignore);
}

// Relative run directory -> metrics.json path, for every run below a sweep root.
std::map<std::string, std::string> runs_below(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& run : collect_runs({root})) {
    out[std::filesystem::relative(run.dir, root).string()] = (run.dir / "metrics.json").string();
  }
  return out;
}

int diff_roots(const DiffOptions& options, const std::string& scope) {
  const auto left = runs_below(options.left);
  const auto right = runs_below(options.right);
  size_t differing = 0;
  for (const auto& [point, path] : left) {
    if (!right.count(point)) {
      std::cout << point << ": only in " << options.left << "\n";
      ++differing;
      continue;
    }
    const auto differences = diff_files(path, right.at(point), options);
    if (differences.empty()) continue;
    ++differing;
    std::cout << point << ": " << differences.size() << " difference(s)\n";
    for (const auto& d : differences) std::cout << "  " << d.path << ": " << d.left << " vs " << d.right << "\n";
  }
  for (const auto& [point, path] : right) {
    if (!left.count(point)) {
      std::cout << point << ": only in " << options.right << "\n";
      ++differing;
    }
  }
  if (differing == 0) {
    std::cout << left.size() << " run(s), all equal" << scope << "\n";
    return 0;
  }
  std::cout << differing << " of " << std::max(left.size(), right.size()) << " run(s) differ" << scope << "\n";
  return 1;
}

}  // namespace

int diff_command(const DiffOptions& options) {
  const std::string scope = options.include_run ? "" : " (ignoring the run block)";
  const bool left_dir = std::filesystem::is_directory(options.left);
  const bool right_dir = std::filesystem::is_directory(options.right);
  if (left_dir != right_dir) throw InputError("diff: compare two metrics.json files or two directories, not one of each");
  if (left_dir) return diff_roots(options, scope);
  const auto differences = diff_files(options.left, options.right, options);
  if (differences.empty()) {
    std::cout << "equal" << scope << "\n";
    return 0;
  }
  std::cout << differences.size() << " difference(s)" << scope << ":\n";
  for (const auto& d : differences) {
    std::cout << "  " << d.path << ": " << d.left << " vs " << d.right << "\n";
  }
  return 1;
}

}  // namespace wei::cli
