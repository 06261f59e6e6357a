#include "results/reference_lookup.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/errors.h"

namespace wei {

namespace fs = std::filesystem;

namespace {

fs::path normal_absolute(const fs::path& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

// The "spec" recorded in DIR/sweep.json, when the file exists and names one.
std::string sweep_json_spec(const fs::path& dir) {
  std::ifstream in(dir / "sweep.json");
  if (!in) return "";
  try {
    const nlohmann::json doc = nlohmann::json::parse(in);
    return doc.contains("spec") && doc["spec"].is_string() ? doc["spec"].get<std::string>() : "";
  } catch (const nlohmann::json::exception&) {
    return "";
  }
}

// The spec path given to `wei-run run` in the recorded command line.
std::string argv_spec(const RunRecord& run) {
  const auto argv = value_at(run.metrics, "run.argv");
  if (!argv || !argv->is_array()) return "";
  bool after_run = false;
  for (const auto& arg : *argv) {
    if (!arg.is_string()) continue;
    const std::string text = arg.get<std::string>();
    if (!after_run) {
      after_run = text == "run";
      continue;
    }
    const std::string ext = fs::path(text).extension().string();
    if (text.find('=') == std::string::npos && (ext == ".yaml" || ext == ".yml")) return text;
  }
  return "";
}

}  // namespace

std::string spec_file_of_run(const RunRecord& run, const std::vector<std::string>& roots) {
  std::vector<fs::path> stops;
  for (const auto& root : roots) {
    const fs::path r = normal_absolute(root);
    stops.push_back(fs::is_regular_file(r) ? r.parent_path() : r);
  }
  const fs::path dir = normal_absolute(run.dir);
  std::error_code ec;
  for (fs::path d = dir;; d = d.parent_path()) {
    const std::string spec = sweep_json_spec(d);
    if (!spec.empty() && fs::is_regular_file(spec, ec)) return spec;
    if (std::find(stops.begin(), stops.end(), d) != stops.end() || !d.has_parent_path() || d.parent_path() == d) break;
  }
  const std::string spec = argv_spec(run);
  if (spec.empty()) return "";
  const fs::path path(spec);
  if (path.is_absolute()) return fs::is_regular_file(path, ec) ? spec : "";
  if (fs::is_regular_file(path, ec)) return fs::absolute(path).string();
  for (fs::path d = dir; d.has_parent_path() && d.parent_path() != d; d = d.parent_path()) {
    if (fs::is_regular_file(d.parent_path() / path, ec)) return (d.parent_path() / path).string();
  }
  return "";
}

void attach_references(std::vector<RunRecord>& runs, const std::vector<std::string>& roots, const std::string& choice) {
  if (choice == "none") {
    for (auto& run : runs) run.reference.reset();
    return;
  }
  if (!choice.empty()) {
    const auto reference = load_paper_reference(choice);
    if (!reference) throw InputError(choice + ": has no reference block (reference: {final.metric: value, source: ...})");
    for (auto& run : runs) run.reference = reference;
    return;
  }
  std::map<std::string, std::optional<PaperReference>> loaded;
  for (auto& run : runs) {
    const std::string spec = spec_file_of_run(run, roots);
    if (spec.empty()) {
      run.reference.reset();
      continue;
    }
    auto it = loaded.find(spec);
    if (it == loaded.end()) it = loaded.emplace(spec, load_paper_reference(spec)).first;
    run.reference = it->second;
  }
}

}  // namespace wei
