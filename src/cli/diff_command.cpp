#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "core/errors.h"
#include "metrics/json_diff.h"

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

}  // namespace

int diff_command(const DiffOptions& options) {
  const nlohmann::json left = read_json(options.left);
  const nlohmann::json right = read_json(options.right);
  std::vector<std::string> ignore;
  if (!options.include_run) ignore.push_back("run");
  const auto differences = json_diff(left, right, DiffTolerance{options.rtol, options.atol}, ignore);
  const std::string scope = options.include_run ? "" : " (ignoring the run block)";
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
