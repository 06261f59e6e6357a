#pragma once
// The `reference:` block of a spec: the paper's numbers for this experiment, declared beside it so
// that `wei-run summarize` and `wei-run report` can print them next to ours:
//   reference: {best.test_error: 22.97, source: "Cao et al. 2019, Table 2"}
// Keys are metric paths into metrics.json under `final` or `best` (nested maps are read as dotted
// paths); values are finite numbers; `source` is an optional string naming where they come from.
//
// The block is documentation, not part of the experiment: the spec loader checks its shape and then
// drops it, so it never reaches the resolved spec (config.yaml, metrics.json "spec"), and `diff`,
// resume and --continue ignore it by construction. Summaries read it back from the spec file.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace wei {

struct PaperReference {
  std::vector<std::pair<std::string, double>> values;  // metric path -> the paper's number, in file order
  std::string source;                                  // "Cao et al. 2019, Table 2"; may be empty
  std::string file;                                    // the spec file it was read from

  std::optional<double> value_of(const std::string& metric) const;
};

// Reads the `reference` entry of a spec's top-level map, if present. Each problem is appended to
// `problems` as a whole diagnostic line, "file:line:col: reference.key: problem" (`source` names
// the file); nullopt when the block is absent or has a problem.
std::optional<PaperReference> read_reference_block(const YAML::Node& root, const std::string& source,
                                                   std::vector<std::string>& problems);

// The reference block of the spec file at `path`; nullopt when it has none. InputError when the file
// cannot be read or is not YAML, SpecError (with every problem) when the block is malformed.
std::optional<PaperReference> load_paper_reference(const std::string& path);

}  // namespace wei
