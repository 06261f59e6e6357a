#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "base/errors.h"
#include "results/json_diff.h"
#include "results/result_set.h"

namespace wei::cli {

namespace {

struct DiffOptions {
  std::string left;
  std::string right;
  double rtol = 0.0;
  double atol = 0.0;
  bool include_run = false;
};

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

int diff_roots(std::ostream& out, const DiffOptions& options, const std::string& scope) {
  const auto left = runs_below(options.left);
  const auto right = runs_below(options.right);
  size_t differing = 0;
  for (const auto& [point, path] : left) {
    if (!right.count(point)) {
      out << point << ": only in " << options.left << "\n";
      ++differing;
      continue;
    }
    const auto differences = diff_files(path, right.at(point), options);
    if (differences.empty()) continue;
    ++differing;
    out << point << ": " << differences.size() << " difference(s)\n";
    for (const auto& d : differences) out << "  " << describe(d) << "\n";
  }
  for (const auto& [point, path] : right) {
    if (!left.count(point)) {
      out << point << ": only in " << options.right << "\n";
      ++differing;
    }
  }
  if (differing == 0) {
    out << left.size() << " run(s), all equal" << scope << "\n";
    return 0;
  }
  out << differing << " of " << std::max(left.size(), right.size()) << " run(s) differ" << scope << "\n";
  return 1;
}

int diff_command(std::ostream& out, const DiffOptions& options) {
  const std::string scope = options.include_run ? "" : " (ignoring the run block)";
  const bool left_dir = std::filesystem::is_directory(options.left);
  const bool right_dir = std::filesystem::is_directory(options.right);
  if (left_dir != right_dir) throw InputError("diff: compare two metrics.json files or two directories, not one of each");
  if (left_dir) return diff_roots(out, options, scope);
  const auto differences = diff_files(options.left, options.right, options);
  if (differences.empty()) {
    out << "equal" << scope << "\n";
    return 0;
  }
  out << differences.size() << " difference(s)" << scope << ":\n";
  for (const auto& d : differences) out << "  " << describe(d) << "\n";
  return 1;
}

}  // namespace

Command add_diff_command(CLI::App& app) {
  auto options = std::make_shared<DiffOptions>();
  auto* diff = app.add_subcommand("diff", "compare two metrics.json files or two sweep roots (exit 0 equal, 1 different)");
  diff->add_option("a", options->left, "first metrics.json or sweep root")->required();
  diff->add_option("b", options->right, "second metrics.json or sweep root")->required();
  diff->add_option("--rtol", options->rtol, "relative tolerance for numbers")->check(CLI::NonNegativeNumber);
  diff->add_option("--atol", options->atol, "absolute tolerance for numbers")->check(CLI::NonNegativeNumber);
  diff->add_flag("--include-run", options->include_run, "also compare the volatile run block");
  return {diff, [options](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            return diff_command(env.out, *options);
          }};
}

}  // namespace wei::cli
