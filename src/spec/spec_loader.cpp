#include "spec/spec_loader.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "base/clipped_text.h"
#include "base/errors.h"
#include "base/durable_file.h"
#include "base/memory_info.h"
#include "base/suggest.h"
#include "spec/common_options.h"
#include "spec/paper_reference.h"

namespace wei {

namespace {

// Where a value came from: a position in the spec file or one command-line override.
struct Origin {
  std::string text;  // "file:line:col" or "override 'k=v'"
};

Origin file_origin(const std::string& source, const YAML::Mark& mark) {
  if (mark.line < 0) return {source};
  return {source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1)};
}

struct Entry {
  YAML::Node value;
  Origin origin;
  std::string file;  // the spec file for values read from it; empty for overrides
};

class Diagnostics {
 public:
  void add(const Origin& origin, const std::string& path, const std::string& problem) {
    items_.push_back(origin.text + ": " + (path.empty() ? "" : clipped(path) + ": ") + problem);
  }
  // A diagnostic already formatted as "file:line:col: key.path: problem".
  void add_line(std::string line) { items_.push_back(std::move(line)); }
  bool empty() const { return items_.empty(); }
  [[noreturn]] void raise() { throw SpecError(std::move(items_)); }
  void raise_if_any() {
    if (!items_.empty()) raise();
  }

 private:
  std::vector<std::string> items_;
};

// True for a number too large for a double, or too small to be a normal one (subnormals lose
// precision and do not read back; strtod reports both as ERANGE).
bool number_out_of_range(const std::string& text) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return false;  // not a plain number: reported as such elsewhere
  return errno == ERANGE || std::fpclassify(d) == FP_SUBNORMAL;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const auto match = closest_match(word, candidates);
  return match ? " (did you mean '" + *match + "'?)" : "";
}

std::string scalar_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

// Converts one scalar to the element type of `def`; returns the problem text or "".
std::string convert_scalar(const YAML::Node& node, ParamType type, const ParamDef& def, ParamValue& out) {
  if (!node.IsScalar()) {
    return node.IsNull() ? "missing value; expected " + def.type_text()
                         : "expected " + def.type_text() + ", got " + scalar_text(node);
  }
  const std::string& text = node.Scalar();
  const std::string invalid = "invalid value '" + clipped(text) + "'; expected ";
  switch (type) {
    case ParamType::kInt: {
      int64_t v = 0;
      if (YAML::convert<int64_t>::decode(node, v)) {
        out = v;
        return "";
      }
      double d = 0;  // accept 3e5 and 300000.0 for counts
      if (YAML::convert<double>::decode(node, d) && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
        out = static_cast<int64_t>(d);
        return "";
      }
      if ((number_out_of_range(text) && std::fabs(std::strtod(text.c_str(), nullptr)) >= 1) ||
          (YAML::convert<double>::decode(node, d) && d == std::floor(d))) {
        return "invalid value '" + clipped(text) + "'; out of the range of an int (64-bit)";
      }
      return invalid + "int";
    }
    case ParamType::kFloat: {
      double d = 0;
      if (number_out_of_range(text)) {
        return "invalid value '" + clipped(text) + "'; out of the range of a float (64-bit: magnitudes up to 1.8e308, "
               "and 0 or at least 2.2e-308)";
      }
      if (!YAML::convert<double>::decode(node, d)) return invalid + "float";
      if (!std::isfinite(d)) return "invalid value '" + clipped(text) + "'; must be finite";
      out = d;
      return "";
    }
    case ParamType::kBool: {
      bool b = false;
      if (!YAML::convert<bool>::decode(node, b)) return invalid + "bool (true or false)";
      out = b;
      return "";
    }
    case ParamType::kString:
      out = text;
      return "";
    case ParamType::kChoice: {
      for (const auto& choice : def.choices) {
        if (choice == text) {
          out = text;
          return "";
        }
      }
      return "invalid value '" + clipped(text) + "'; must be one of " + join(def.choices, ", ") +
             did_you_mean(text, def.choices);
    }
    default:
      return "internal: not a scalar type";
  }
}

std::string check_bounds(const ParamDef& def, double v) {
  const bool low_ok = !def.lower || (def.lower->inclusive ? v >= def.lower->value : v > def.lower->value);
  const bool high_ok = !def.upper || (def.upper->inclusive ? v <= def.upper->value : v < def.upper->value);
  return low_ok && high_ok ? "" : def.bounds_text();
}

std::string value_text(const ParamValue& v) { return param_value_text(v); }

// Converts `entry` to the declared type of `def`, reporting problems; returns true on success.
bool convert_entry(const ParamDef& def, const Entry& entry, Diagnostics& diags, ParamValue& out) {
  const bool is_list = def.type == ParamType::kIntList || def.type == ParamType::kFloatList ||
                       def.type == ParamType::kStringList;
  if (!is_list) {
    const std::string problem = convert_scalar(entry.value, def.type, def, out);
    if (!problem.empty()) {
      diags.add(entry.origin, def.path, problem);
      return false;
    }
    if (def.type == ParamType::kInt || def.type == ParamType::kFloat) {
      const double v = def.type == ParamType::kInt ? static_cast<double>(std::get<int64_t>(out)) : std::get<double>(out);
      const std::string bound = check_bounds(def, v);
      if (!bound.empty()) {
        diags.add(entry.origin, def.path, "invalid value " + value_text(out) + "; " + bound);
        return false;
      }
    }
    return true;
  }
  if (!entry.value.IsSequence()) {
    diags.add(entry.origin, def.path, "expected " + def.type_text() + " such as [1, 2], got " +
                                          (entry.value.IsScalar() ? "'" + clipped(entry.value.Scalar()) + "'" : scalar_text(entry.value)));
    return false;
  }
  const ParamType element = def.type == ParamType::kIntList     ? ParamType::kInt
                            : def.type == ParamType::kFloatList ? ParamType::kFloat
                                                                : ParamType::kString;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  bool ok = true;
  for (size_t i = 0; i < entry.value.size(); ++i) {
    const YAML::Node item = entry.value[i];
    const std::string item_path = def.path + "[" + std::to_string(i) + "]";
    const Origin origin = entry.file.empty() ? entry.origin : file_origin(entry.file, item.Mark());
    ParamValue v;
    std::string problem = convert_scalar(item, element, def, v);
    if (problem.empty() && element != ParamType::kString) {
      const double x = element == ParamType::kInt ? static_cast<double>(std::get<int64_t>(v)) : std::get<double>(v);
      const std::string bound = check_bounds(def, x);
      if (!bound.empty()) problem = "invalid value " + value_text(v) + "; " + bound;
    }
    if (!problem.empty()) {
      diags.add(origin, item_path, problem);
      ok = false;
      continue;
    }
    if (element == ParamType::kInt) ints.push_back(std::get<int64_t>(v));
    if (element == ParamType::kFloat) floats.push_back(std::get<double>(v));
    if (element == ParamType::kString) strings.push_back(std::get<std::string>(v));
  }
  if (def.type == ParamType::kIntList) out = ints;
  if (def.type == ParamType::kFloatList) out = floats;
  if (def.type == ParamType::kStringList) out = strings;
  return ok;
}

// Leaf paths whose last component is `key`: "lr" -> "optim.lr", for keys put at the wrong depth.
std::vector<std::string> same_named_leaves(const ParamSchema& schema, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& def : schema.params()) {
    const size_t dot = def.path.rfind('.');
    if (def.path.substr(dot == std::string::npos ? 0 : dot + 1) == key) out.push_back(def.path);
  }
  return out;
}

std::string unknown_key_problem(const ParamSchema& schema, const std::string& section, const std::string& key) {
  const std::string renamed = schema.renamed_to(section.empty() ? key : section + "." + key);
  if (!renamed.empty()) return "unknown key: renamed to '" + renamed + "'";
  std::string hint = did_you_mean(key, schema.children_of(section));
  if (hint.empty()) {
    const auto elsewhere = same_named_leaves(schema, key);
    if (!elsewhere.empty()) hint = " (did you mean '" + elsewhere.front() + "'?)";
  }
  return "unknown key" + hint;
}

// Walks one mapping of the spec file, collecting leaf entries and reporting unknown keys.
void flatten(const YAML::Node& map, const std::string& section, const ParamSchema& schema,
             const std::string& source, std::map<std::string, Entry>& entries, Diagnostics& diags) {
  std::set<std::string> seen;
  for (const auto& item : map) {
    const Origin key_origin = file_origin(source, item.first.Mark());
    if (!item.first.IsScalar()) {
      diags.add(key_origin, section, "keys must be plain names");
      continue;
    }
    const std::string key = item.first.Scalar();
    const std::string path = section.empty() ? key : section + "." + key;
    if (!seen.insert(key).second) {
      diags.add(key_origin, path, "duplicate key");
      continue;
    }
    if (schema.find(path)) {
      const auto earlier = entries.find(path);
      if (earlier != entries.end()) {  // `optim: {lr: 1}` and `optim.lr: 2` in one file
        diags.add(key_origin, path, "duplicate key (also given at " + earlier->second.origin.text + ")");
        continue;
      }
      entries[path] = Entry{item.second, file_origin(source, item.second.Mark()), source};
    } else if (schema.is_section(path)) {
      if (item.second.IsMap()) {
        flatten(item.second, path, schema, source, entries, diags);
      } else if (!item.second.IsNull()) {
        diags.add(file_origin(source, item.second.Mark()), path,
                  "expected a section with keys " + join(schema.children_of(path), ", "));
      }
    } else {
      diags.add(key_origin, path, unknown_key_problem(schema, section, key));
    }
  }
}

struct Override {
  std::string path;
  YAML::Node value;
  Origin origin;
};

std::vector<Override> parse_overrides(const std::vector<std::string>& args, Diagnostics& diags) {
  std::vector<Override> out;
  for (const auto& arg : args) {
    // Cut shorter than other echoes: the problem names the override's key and value again.
    const Origin origin{"override '" + clipped(arg, kMaxEchoChars / 4) + "'"};
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.add(origin, "", "expected key=value, e.g. optim.lr=0.05");
      continue;
    }
    try {
      out.push_back({arg.substr(0, eq), YAML::Load(arg.substr(eq + 1)), origin});
    } catch (const YAML::Exception& e) {
      diags.add(origin, arg.substr(0, eq), "value is not valid YAML: " + e.msg);
    }
  }
  return out;
}


void apply_overrides(const std::vector<Override>& overrides, const ParamSchema& schema,
                     std::map<std::string, Entry>& entries, Diagnostics& diags) {
  for (const auto& o : overrides) {
    if (schema.find(o.path)) {
      entries[o.path] = Entry{o.value, o.origin, ""};
    } else if (schema.is_section(o.path)) {
      diags.add(o.origin, o.path, "is a section; override one of its keys: " + join(schema.children_of(o.path), ", "));
    } else {
      std::vector<std::string> paths;
      for (const auto& def : schema.params()) paths.push_back(def.path);
      const size_t dot = o.path.rfind('.');
      const std::string section = dot == std::string::npos ? "" : o.path.substr(0, dot);
      std::string hint = schema.renamed_to(o.path).empty() ? did_you_mean(o.path, paths) : "";
      if (hint.empty()) {
        const std::string key = dot == std::string::npos ? o.path : o.path.substr(dot + 1);
        hint = unknown_key_problem(schema, section, key).substr(std::string("unknown key").size());
      }
      diags.add(o.origin, o.path, "unknown key; overrides may only set keys the spec has" + hint);
    }
  }
}

// The schema of the keys this spec reads, given the values of the condition keys (from `entries`,
// else their defaults). A key set in the spec that is not read goes to `unread_keys`; nothing is said
// of a key whose deciding value is itself invalid (that value's own problem is reported instead).
struct UnreadKey {
  Origin origin;
  std::string path;
  std::string why;  // "not read when method is gd (read when method is sgd or label_noise)"
};

ParamSchema keys_read(const ParamSchema& schema, const std::map<std::string, Entry>& entries,
                      std::vector<UnreadKey>& unread_keys) {
  std::map<std::string, std::optional<std::string>> decided;  // condition key -> its value, nullopt: invalid
  std::set<std::string> unread;
  std::set<std::string> undecidable;
  const auto report_unread = [&](const ParamDef& def, const std::string& why) {
    unread.insert(def.path);
    const auto entry = entries.find(def.path);
    if (entry != entries.end()) {
      unread_keys.push_back({entry->second.origin, def.path, why + " (read when " + def.conditions_text() + ")"});
    }
  };
  for (const auto& def : schema.params()) {
    for (const auto& condition : def.conditions) {
      const auto value = decided.find(condition.key);
      if (value == decided.end() || !value->second) {
        // The deciding key is itself not read (an outer condition failed) or has no valid value.
        if (value == decided.end() && unread.count(condition.key)) {
          report_unread(def, "not read by this spec");
        } else {
          undecidable.insert(def.path);
        }
        break;
      }
      const auto& allowed = condition.values;
      if (std::find(allowed.begin(), allowed.end(), *value->second) == allowed.end()) {
        report_unread(def, "not read when " + condition.key + " is " + *value->second);
        break;
      }
    }
    if (unread.count(def.path) || undecidable.count(def.path)) continue;
    if (def.type == ParamType::kChoice || def.type == ParamType::kBool) {
      const auto entry = entries.find(def.path);
      if (entry == entries.end()) {
        decided[def.path] = def.default_value ? std::optional<std::string>(condition_text(*def.default_value))
                                              : std::nullopt;
      } else {
        Diagnostics ignored;  // reported when the value itself is converted
        ParamValue value;
        decided[def.path] = convert_entry(def, entry->second, ignored, value)
                                ? std::optional<std::string>(condition_text(value))
                                : std::nullopt;
      }
    }
  }
  return schema.read_under([&](const std::string& key) -> std::optional<std::string> {
    const auto it = decided.find(key);
    return it == decided.end() ? std::nullopt : it->second;
  });
}

// Where a key's value came from, for constraint messages: "x.yaml:3:5", "override 'k=v'", "default".
std::string value_source(const std::map<std::string, Entry>& entries, const std::string& path) {
  const auto it = entries.find(path);
  return it == entries.end() ? "default" : it->second.origin.text;
}

void check_constraints(const Spec& spec, const std::map<std::string, Entry>& entries, Diagnostics& diags) {
  for (const auto& check : spec.schema().checks()) {
    if (check.holds(spec)) continue;
    // The first key's place starts the line; each other key says where its value came from.
    std::string values;
    for (const auto& key : check.keys) {
      values += (values.empty() ? "" : ", ") + key + " = " + clipped(param_value_text(spec.values().at(key)));
      if (key != check.keys.front()) values += " (" + value_source(entries, key) + ")";
    }
    const auto first = entries.find(check.keys.front());
    const Origin origin = first == entries.end() ? Origin{spec.source()} : first->second.origin;
    diags.add(origin, check.keys.front(), "must satisfy " + check.rule + "; here " + values);
  }
}

void check_memory(const Spec& spec, Diagnostics& diags) {
  const auto& estimate_of = spec.schema().memory_estimate();
  if (!estimate_of) return;
  const MemoryEstimate estimate = estimate_of(spec);
  const auto available = available_memory();
  if (!available || estimate.total() <= available->bytes) return;
  diags.add(Origin{spec.source()}, "",
            "a run of this spec needs an estimated " + estimate.text() + "; more than the " +
                byte_size_text(available->bytes) + " this process may use (" + available->source +
                "): make the largest part smaller");
}

std::string file_stem(const std::string& source) {
  return std::filesystem::path(source).stem().string();
}

}  // namespace

Spec load_spec(const std::string& path, const std::vector<std::string>& overrides, const SchemaCatalog& catalog,
               UnreadKeys unread_keys) {
  if (std::filesystem::is_directory(path)) throw InputError(path + ": is a directory, not a spec file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(path + ": cannot read spec file (" +
                     (std::filesystem::exists(path) ? "permission denied or not a file" : "no such file") + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_spec_text(text.str(), path, overrides, catalog, unread_keys);
}

Spec load_spec_text(const std::string& text, const std::string& source,
                    const std::vector<std::string>& overrides, const SchemaCatalog& catalog, UnreadKeys unread_keys) {
  Diagnostics diags;
  YAML::Node root;
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      diags.add(file_origin(source, documents[1].Mark()), "",
                "a second YAML document (after '---'); a spec is one document");
      diags.raise();
    }
    if (!documents.empty()) root = documents.front();
  } catch (const YAML::ParserException& e) {
    diags.add(file_origin(source, e.mark), "", "YAML syntax error: " + e.msg);
    diags.raise();
  }
  if (!root.IsMap()) {
    diags.add(file_origin(source, root.Mark()), "",
              root.IsNull() ? "spec is empty; expected a map with at least 'trainer'"
                            : "expected a map of keys at the top level");
    diags.raise();
  }

  // The sweep block describes a family of runs (sweep/sweep_plan.h); a single run uses the base values.
  root.remove("sweep");
  // The reference block documents the paper's numbers (spec/paper_reference.h): its shape is checked
  // here, with the rest of the spec, and then it is dropped, so it is no part of the resolved spec
  // (config.yaml, metrics.json "spec") and diff, resume and --continue never see it.
  std::vector<std::string> reference_problems;
  read_reference_block(root, source, reference_problems);
  for (auto& line : reference_problems) diags.add_line(std::move(line));
  root.remove("reference");
  const std::vector<Override> parsed_overrides = parse_overrides(overrides, diags);

  // The trainer decides which keys exist, so it is resolved first (an override may change it).
  std::string trainer_name;
  Origin trainer_origin{source};
  if (root["trainer"]) {
    trainer_origin = file_origin(source, root["trainer"].Mark());
    trainer_name = root["trainer"].IsScalar() ? root["trainer"].Scalar() : "";
  }
  for (const auto& o : parsed_overrides) {
    if (o.path == "trainer") {
      trainer_origin = o.origin;
      trainer_name = o.value.IsScalar() ? o.value.Scalar() : "";
    }
  }
  const std::string known = join(catalog.names(), ", ");
  if (trainer_name.empty()) {
    diags.add(trainer_origin, "trainer", root["trainer"] ? "expected a trainer name (known: " + known + ")"
                                                         : "missing required key (known trainers: " + known + ")");
    diags.raise();
  }
  const ParamSchema* trainer_schema = catalog.schema_of(trainer_name);
  if (!trainer_schema) {
    diags.add(trainer_origin, "trainer", "unknown trainer '" + clipped(trainer_name) + "' (known: " + known + ")" +
                                             did_you_mean(trainer_name, catalog.names()));
    diags.raise();
  }

  ParamSchema schema = common_options_schema().params();
  schema.merge(*trainer_schema);

  std::map<std::string, Entry> entries;
  flatten(root, "", schema, source, entries, diags);
  apply_overrides(parsed_overrides, schema, entries, diags);

  // Which keys this spec reads: those whose conditions hold under the values given (or defaulted).
  std::vector<UnreadKey> unread;
  const ParamSchema read = keys_read(schema, entries, unread);
  std::vector<std::string> warnings;
  for (const auto& key : unread) {
    if (unread_keys == UnreadKeys::kRefuse) {
      diags.add(key.origin, key.path, key.why);
    } else {
      warnings.push_back(key.origin.text + ": " + key.path + ": ignored, " + key.why);
    }
  }

  std::map<std::string, ParamValue> values;
  for (const auto& def : read.params()) {
    const auto it = entries.find(def.path);
    if (it == entries.end()) {
      if (def.default_value) {
        values[def.path] = *def.default_value;
      } else {
        diags.add(Origin{source}, def.path, "missing required key (" + def.help + ")");
      }
      continue;
    }
    ParamValue value;
    if (!convert_entry(def, it->second, diags, value)) continue;
    if (def.validator) {
      const std::string problem = def.validator(value);
      if (!problem.empty()) {
        diags.add(it->second.origin, def.path, "invalid value " + clipped(param_value_text(value)) + "; " + problem);
        continue;
      }
    }
    values[def.path] = value;
  }
  diags.raise_if_any();

  if (std::get<std::string>(values["name"]).empty()) values["name"] = file_stem(source);
  Spec spec(read, std::move(values), source, std::move(warnings));
  check_constraints(spec, entries, diags);
  diags.raise_if_any();
  check_memory(spec, diags);
  diags.raise_if_any();
  return spec;
}

}  // namespace wei
