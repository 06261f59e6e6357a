#include "spec/paper_reference.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "base/clipped_text.h"
#include "base/errors.h"

namespace wei {

namespace {

std::string reference_origin(const std::string& source, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// The number a reference value spells, or the problem with it.
std::string reference_number(const YAML::Node& node, double& out) {
  if (!node.IsScalar()) {
    return node.IsNull() ? "missing value; expected a number" : std::string("expected a number, got a ") +
                                                                    (node.IsMap() ? "map" : "list");
  }
  const std::string& text = node.Scalar();
  const std::string shown = clipped(text);
  errno = 0;
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0' && (errno == ERANGE || std::fpclassify(parsed) == FP_SUBNORMAL)) {
    return "invalid value '" + shown + "'; out of the range of a float (64-bit)";
  }
  if (!YAML::convert<double>::decode(node, out)) return "invalid value '" + shown + "'; expected a number";
  if (!std::isfinite(out)) return "invalid value '" + shown + "'; must be finite";
  return "";
}

// Walks one map of metric paths below `prefix` ("" at the top of the block).
void read_reference_map(const YAML::Node& map, const std::string& prefix, const std::string& source,
                        PaperReference& reference, std::set<std::string>& seen, std::vector<std::string>& problems) {
  for (const auto& item : map) {
    const std::string where = reference_origin(source, item.first);
    if (!item.first.IsScalar() || item.first.Scalar().empty()) {
      problems.push_back(where + ": reference" + (prefix.empty() ? "" : "." + prefix) + ": keys must be metric paths");
      continue;
    }
    const std::string key = item.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const std::string diag_path = "reference." + clipped(path);
    if (prefix.empty() && key == "source") {
      if (!item.second.IsScalar()) {
        problems.push_back(reference_origin(source, item.second) + ": " + diag_path +
                           ": expected a string naming the paper, table or figure");
      } else {
        reference.source = item.second.Scalar();
      }
      seen.insert(path);
      continue;
    }
    if (!seen.insert(path).second) {
      problems.push_back(where + ": " + diag_path + ": duplicate key");
      continue;
    }
    if (item.second.IsMap()) {
      read_reference_map(item.second, path, source, reference, seen, problems);
      continue;
    }
    const size_t dot = path.find('.');
    const std::string block = path.substr(0, dot);
    bool well_formed = dot != std::string::npos && (block == "final" || block == "best");
    for (size_t start = 0; well_formed && start <= path.size();) {
      const size_t next = path.find('.', start);
      if ((next == std::string::npos ? path.size() : next) == start) well_formed = false;  // an empty component
      if (next == std::string::npos) break;
      start = next + 1;
    }
    if (!well_formed) {
      problems.push_back(where + ": " + diag_path +
                         ": not a metric path; expected one under final or best, e.g. final.test_error");
      continue;
    }
    double value = 0;
    const std::string problem = reference_number(item.second, value);
    if (!problem.empty()) {
      problems.push_back(reference_origin(source, item.second) + ": " + diag_path + ": " + problem);
      continue;
    }
    reference.values.emplace_back(path, value);
  }
}

}  // namespace

std::optional<double> PaperReference::value_of(const std::string& metric) const {
  for (const auto& [path, value] : values) {
    if (path == metric) return value;
  }
  return std::nullopt;
}

std::optional<PaperReference> read_reference_block(const YAML::Node& root, const std::string& source,
                                                   std::vector<std::string>& problems) {
  if (!root.IsMap() || !root["reference"]) return std::nullopt;
  const YAML::Node block = root["reference"];
  const std::string where = reference_origin(source, block);
  if (!block.IsMap()) {
    problems.push_back(where + ": reference: expected a map of metric paths to the paper's numbers, e.g. "
                               "{final.test_error: 22.97, source: \"Cao et al. 2019, Table 2\"}");
    return std::nullopt;
  }
  const size_t before = problems.size();
  PaperReference reference;
  reference.file = source;
  std::set<std::string> seen;
  read_reference_map(block, "", source, reference, seen, problems);
  if (problems.size() != before) return std::nullopt;
  if (reference.values.empty()) {
    problems.push_back(where + ": reference: no metric given; expected at least one, e.g. final.test_error: 22.97");
    return std::nullopt;
  }
  return reference;
}

std::optional<PaperReference> load_paper_reference(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) throw InputError(path + ": cannot read spec file");
  std::ostringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text.str());
    if (documents.empty()) return std::nullopt;
    root = documents.front();
  } catch (const YAML::ParserException& e) {
    throw InputError(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  std::vector<std::string> problems;
  auto reference = read_reference_block(root, path, problems);
  if (!problems.empty()) throw SpecError(std::move(problems));
  return reference;
}

}  // namespace wei
