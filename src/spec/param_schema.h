#pragma once
// Declarative parameter schemas. Every spec key a trainer reads is declared once, with its type,
// default, bounds, one line of help and the conditions under which it is read; constraints between
// keys are declared beside them. `wei-run list`, spec validation, overrides and the resolved
// config.yaml are all driven by these declarations. Trainers declare theirs through typed options
// (spec/option_schema.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wei {

class Spec;

enum class ParamType { kInt, kFloat, kBool, kString, kChoice, kIntList, kFloatList, kStringList };

// kChoice values are held as std::string.
using ParamValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>,
                                std::vector<double>, std::vector<std::string>>;

struct Bound {
  double value;
  bool inclusive;
};

// A key is read only when `key` (a choice or bool declared before it) has one of `values`.
struct ParamCondition {
  std::string key;
  std::vector<std::string> values;
};

struct ParamDef {
  std::string path;  // dotted key path, e.g. "optim.lr"
  ParamType type;
  std::optional<ParamValue> default_value;  // nullopt: the key is required
  std::string help;
  std::vector<std::string> choices;  // kChoice only
  std::optional<Bound> lower;        // numeric types; applies to each element of a list
  std::optional<Bound> upper;
  // Extra check after type and bounds: returns "" when valid, else the problem
  // ("must be auto, cpu, cuda or cuda:N").
  std::function<std::string(const ParamValue&)> validator;
  // All must hold for the key to be read; a spec that sets it otherwise is refused.
  std::vector<ParamCondition> conditions;

  // Chainable constraints: schema.add_float("optim.lr", 0.1, "...").greater_than(0);
  ParamDef& greater_than(double v) { lower = Bound{v, false}; return *this; }
  ParamDef& at_least(double v) { lower = Bound{v, true}; return *this; }
  ParamDef& less_than(double v) { upper = Bound{v, false}; return *this; }
  ParamDef& at_most(double v) { upper = Bound{v, true}; return *this; }
  ParamDef& required() { default_value.reset(); return *this; }
  ParamDef& check(std::function<std::string(const ParamValue&)> fn) { validator = std::move(fn); return *this; }
  ParamDef& when(const std::string& key, std::vector<std::string> values) {
    conditions.push_back({key, std::move(values)});
    return *this;
  }

  // "must be > 0", "must be in [0, 1]", "" when unbounded.
  std::string bounds_text() const;
  // Type name as shown to users: "int", "float", "bool", "string", "one of {a, b}", "list of int".
  std::string type_text() const;
  // "data.kind is colored_mnist or celeba, adapt.method is entropy"; "" when always read.
  std::string conditions_text() const;
};

// What a run of the spec will hold in memory at its peak, part by part ("data", "model and optimizer",
// "activations of one batch", "history"), in bytes: a spec whose estimate exceeds the memory this
// process may use is refused when it is loaded, instead of meeting the out-of-memory killer.
struct MemoryEstimate {
  std::vector<std::pair<std::string, double>> parts;
  double total() const;
  // "4.1 GB: data 3.9 GB, activations of one batch 200.0 MB, ..." (largest first).
  std::string text() const;
};

// A constraint between keys, checked once every key has a valid value of its own.
struct CrossCheck {
  std::vector<std::string> keys;  // the first names the place of the problem
  std::string rule;               // shown as "must satisfy <rule>"
  std::function<bool(const Spec&)> holds;
};

class ParamSchema {
 public:
  ParamDef& add_int(const std::string& path, int64_t def, const std::string& help);
  ParamDef& add_float(const std::string& path, double def, const std::string& help);
  ParamDef& add_bool(const std::string& path, bool def, const std::string& help);
  ParamDef& add_string(const std::string& path, const std::string& def, const std::string& help);
  ParamDef& add_choice(const std::string& path, const std::string& def,
                       std::vector<std::string> choices, const std::string& help);
  ParamDef& add_int_list(const std::string& path, std::vector<int64_t> def, const std::string& help);
  ParamDef& add_float_list(const std::string& path, std::vector<double> def, const std::string& help);
  ParamDef& add_string_list(const std::string& path, std::vector<std::string> def,
                            const std::string& help);

  // A key an earlier version read as `old_path`: a spec that still sets it is told its new name.
  void add_renamed(const std::string& old_path, const std::string& new_path);
  // The new name of a renamed key, or "" when `old_path` was not renamed.
  std::string renamed_to(const std::string& old_path) const;

  // Declares a constraint between `keys` (declared ones; checked when they are all read).
  void add_check(std::vector<std::string> keys, std::string rule, std::function<bool(const Spec&)> holds);

  // The memory a run of the spec needs (one estimate per schema; a trainer's replaces none).
  void set_memory_estimate(std::function<MemoryEstimate(const Spec&)> estimate);
  const std::function<MemoryEstimate(const Spec&)>& memory_estimate() const { return memory_estimate_; }

  // Appends every definition and check of `other` (and its memory estimate); a path declared twice
  // is a std::logic_error.
  void merge(const ParamSchema& other);

  const std::vector<ParamDef>& params() const { return params_; }
  const std::vector<CrossCheck>& checks() const { return checks_; }
  const ParamDef* find(const std::string& path) const;
  // True when `path` is a proper prefix section of some declared key ("optim" for "optim.lr").
  bool is_section(const std::string& path) const;
  // Names declared directly under a section ("" = top level), for "did you mean" suggestions.
  std::vector<std::string> children_of(const std::string& section) const;

  // The keys read when the condition keys have the values `value_of` gives (as condition text:
  // the choice's name, true or false; nullopt when unknown, which reads nothing conditioned on it),
  // with the checks whose keys are all among them.
  ParamSchema read_under(const std::function<std::optional<std::string>(const std::string&)>& value_of) const;

  // Throws std::logic_error when a condition names a key that is not a choice or bool declared
  // before the conditioned one, or a value that key cannot take (a programming mistake).
  void verify() const;

 private:
  ParamDef& add(ParamDef def);
  std::vector<ParamDef> params_;
  std::vector<CrossCheck> checks_;
  std::vector<std::pair<std::string, std::string>> renamed_;  // (old path, new path)
  std::function<MemoryEstimate(const Spec&)> memory_estimate_;
};

// A condition key's value as ParamCondition::values names it: the string, true/false, the number.
std::string condition_text(const ParamValue& value);

// Renders a value the way it would be written in YAML flow style: 0.1, true, [1, 2], 'abc'.
std::string param_value_text(const ParamValue& value);

}  // namespace wei
