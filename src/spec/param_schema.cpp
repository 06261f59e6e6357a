#include "spec/param_schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "base/durable_file.h"
#include "base/suggest.h"

namespace wei {

namespace {

std::string number_text(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  std::ostringstream out;
  out.precision(17);
  out << v;
  // Shortest form that still reads back exactly.
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream candidate;
    candidate.precision(precision);
    candidate << v;
    if (std::strtod(candidate.str().c_str(), nullptr) == v) return candidate.str();
  }
  return out.str();
}

bool is_plain_scalar(const std::string& s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/')) return false;
  }
  // Words YAML would read as something other than a string.
  static const char* kReserved[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
  for (const char* word : kReserved) {
    std::string lower;
    for (const char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == word) return false;
  }
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return *end != '\0';  // a number-looking string must be quoted
}

std::string string_text(const std::string& s) {
  if (is_plain_scalar(s)) return s;
  std::string out = "'";
  for (const char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

template <typename T, typename F>
std::string list_text(const std::vector<T>& items, F&& item_text) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += item_text(items[i]);
  }
  return out + "]";
}

}  // namespace

std::string param_value_text(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
        if constexpr (std::is_same_v<T, double>) {
          std::string text = number_text(v);
          // Keep floats recognisable as floats when re-read.
          if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
          return text;
        }
        if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        if constexpr (std::is_same_v<T, std::string>) return string_text(v);
        if constexpr (std::is_same_v<T, std::vector<int64_t>>)
          return list_text(v, [](int64_t x) { return std::to_string(x); });
        if constexpr (std::is_same_v<T, std::vector<double>>)
          return list_text(v, [](double x) { return param_value_text(ParamValue(x)); });
        if constexpr (std::is_same_v<T, std::vector<std::string>>) return list_text(v, string_text);
      },
      value);
}

std::string ParamDef::bounds_text() const {
  if (lower && upper) {
    return "must be in " + std::string(lower->inclusive ? "[" : "(") + number_text(lower->value) + ", " +
           number_text(upper->value) + (upper->inclusive ? "]" : ")");
  }
  if (lower) return std::string("must be ") + (lower->inclusive ? ">= " : "> ") + number_text(lower->value);
  if (upper) return std::string("must be ") + (upper->inclusive ? "<= " : "< ") + number_text(upper->value);
  return "";
}

std::string ParamDef::type_text() const {
  switch (type) {
    case ParamType::kInt: return "int";
    case ParamType::kFloat: return "float";
    case ParamType::kBool: return "bool";
    case ParamType::kString: return "string";
    case ParamType::kChoice: return "one of {" + join(choices, ", ") + "}";
    case ParamType::kIntList: return "list of int";
    case ParamType::kFloatList: return "list of float";
    case ParamType::kStringList: return "list of string";
  }
  return "?";
}

ParamDef& ParamSchema::add(ParamDef def) {
  if (def.path.empty() || def.path.front() == '.' || def.path.back() == '.')
    throw std::logic_error("invalid parameter path '" + def.path + "'");
  if (find(def.path) || is_section(def.path))
    throw std::logic_error("parameter '" + def.path + "' declared twice");
  // A leaf may not also be used as a section ("optim" and "optim.lr").
  for (size_t dot = def.path.find('.'); dot != std::string::npos; dot = def.path.find('.', dot + 1)) {
    if (find(def.path.substr(0, dot)))
      throw std::logic_error("parameter '" + def.path + "' nests under leaf '" + def.path.substr(0, dot) + "'");
  }
  params_.push_back(std::move(def));
  return params_.back();
}

ParamDef& ParamSchema::add_int(const std::string& path, int64_t def, const std::string& help) {
  return add(ParamDef{path, ParamType::kInt, ParamValue(def), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_float(const std::string& path, double def, const std::string& help) {
  return add(ParamDef{path, ParamType::kFloat, ParamValue(def), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_bool(const std::string& path, bool def, const std::string& help) {
  return add(ParamDef{path, ParamType::kBool, ParamValue(def), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_string(const std::string& path, const std::string& def, const std::string& help) {
  return add(ParamDef{path, ParamType::kString, ParamValue(def), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_choice(const std::string& path, const std::string& def,
                                  std::vector<std::string> choices, const std::string& help) {
  bool known = false;
  for (const auto& c : choices) known = known || c == def;
  if (!known) throw std::logic_error("default of '" + path + "' is not one of its choices");
  return add(ParamDef{path, ParamType::kChoice, ParamValue(def), help, std::move(choices), {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_int_list(const std::string& path, std::vector<int64_t> def, const std::string& help) {
  return add(ParamDef{path, ParamType::kIntList, ParamValue(std::move(def)), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_float_list(const std::string& path, std::vector<double> def, const std::string& help) {
  return add(ParamDef{path, ParamType::kFloatList, ParamValue(std::move(def)), help, {}, {}, {}, {}, {}});
}
ParamDef& ParamSchema::add_string_list(const std::string& path, std::vector<std::string> def,
                                       const std::string& help) {
  return add(ParamDef{path, ParamType::kStringList, ParamValue(std::move(def)), help, {}, {}, {}, {}, {}});
}

void ParamSchema::add_check(std::vector<std::string> keys, std::string rule, std::function<bool(const Spec&)> holds) {
  if (keys.empty()) throw std::logic_error("check '" + rule + "' names no key");
  for (const auto& key : keys) {
    if (!find(key)) throw std::logic_error("check '" + rule + "' names undeclared key '" + key + "'");
  }
  checks_.push_back({std::move(keys), std::move(rule), std::move(holds)});
}

void ParamSchema::set_memory_estimate(std::function<MemoryEstimate(const Spec&)> estimate) {
  memory_estimate_ = std::move(estimate);
}

void ParamSchema::add_renamed(const std::string& old_path, const std::string& new_path) {
  renamed_.emplace_back(old_path, new_path);
}

std::string ParamSchema::renamed_to(const std::string& old_path) const {
  for (const auto& [from, to] : renamed_) {
    if (from == old_path) return to;
  }
  return "";
}

void ParamSchema::merge(const ParamSchema& other) {
  for (const auto& def : other.params_) add(def);
  for (const auto& check : other.checks_) checks_.push_back(check);
  for (const auto& renamed : other.renamed_) renamed_.push_back(renamed);
  if (other.memory_estimate_) {
    if (memory_estimate_) throw std::logic_error("two memory estimates merged into one schema");
    memory_estimate_ = other.memory_estimate_;
  }
}

double MemoryEstimate::total() const {
  double sum = 0;
  for (const auto& [what, bytes] : parts) sum += bytes;
  return sum;
}

std::string MemoryEstimate::text() const {
  auto sorted = parts;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = byte_size_text(total()) + ":";
  for (size_t i = 0; i < sorted.size(); ++i) out += (i ? ", " : " ") + sorted[i].first + " " + byte_size_text(sorted[i].second);
  return out;
}

ParamSchema ParamSchema::read_under(
    const std::function<std::optional<std::string>(const std::string&)>& value_of) const {
  ParamSchema out;
  for (const auto& def : params_) {
    bool read = true;
    for (const auto& condition : def.conditions) {
      const auto value = value_of(condition.key);
      read = read && value &&
             std::find(condition.values.begin(), condition.values.end(), *value) != condition.values.end();
    }
    if (read) out.params_.push_back(def);
  }
  out.memory_estimate_ = memory_estimate_;
  for (const auto& check : checks_) {
    const bool all_read = std::all_of(check.keys.begin(), check.keys.end(),
                                      [&](const std::string& key) { return out.find(key) != nullptr; });
    if (all_read) out.checks_.push_back(check);
  }
  return out;
}

void ParamSchema::verify() const {
  for (size_t i = 0; i < params_.size(); ++i) {
    for (const auto& condition : params_[i].conditions) {
      const auto key = std::find_if(params_.begin(), params_.begin() + static_cast<std::ptrdiff_t>(i),
                                    [&](const ParamDef& d) { return d.path == condition.key; });
      if (key == params_.begin() + static_cast<std::ptrdiff_t>(i) ||
          (key->type != ParamType::kChoice && key->type != ParamType::kBool)) {
        throw std::logic_error("'" + params_[i].path + "' is conditioned on '" + condition.key +
                               "', which is not a choice or bool declared before it");
      }
      for (const auto& value : condition.values) {
        const bool known = key->type == ParamType::kBool
                               ? value == "true" || value == "false"
                               : std::find(key->choices.begin(), key->choices.end(), value) != key->choices.end();
        if (!known) throw std::logic_error("condition of '" + params_[i].path + "' names unknown value '" + value + "'");
      }
    }
  }
}

std::string ParamDef::conditions_text() const {
  std::string out;
  for (const auto& condition : conditions) {
    if (!out.empty()) out += ", ";
    out += condition.key + " is " + join(condition.values, " or ");
  }
  return out;
}

std::string condition_text(const ParamValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return param_value_text(value);
}

const ParamDef* ParamSchema::find(const std::string& path) const {
  for (const auto& def : params_) {
    if (def.path == path) return &def;
  }
  return nullptr;
}

bool ParamSchema::is_section(const std::string& path) const {
  const std::string prefix = path + ".";
  for (const auto& def : params_) {
    if (def.path.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::vector<std::string> ParamSchema::children_of(const std::string& section) const {
  const std::string prefix = section.empty() ? "" : section + ".";
  std::vector<std::string> names;
  for (const auto& def : params_) {
    if (def.path.rfind(prefix, 0) != 0) continue;
    const std::string rest = def.path.substr(prefix.size());
    const std::string child = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
  }
  return names;
}

}  // namespace wei
