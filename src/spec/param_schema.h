#pragma once
// Declarative parameter schemas. Every spec key a trainer reads is declared here once, with its
// type, default, bounds and one line of help; `wei-run list`, spec validation, overrides and the
// resolved config.yaml are all driven by these declarations.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace wei {

enum class ParamType { kInt, kFloat, kBool, kString, kChoice, kIntList, kFloatList, kStringList };

// kChoice values are held as std::string.
using ParamValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>,
                                std::vector<double>, std::vector<std::string>>;

struct Bound {
  double value;
  bool inclusive;
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

  // Chainable constraints: schema.add_float("optim.lr", 0.1, "...").greater_than(0);
  ParamDef& greater_than(double v) { lower = Bound{v, false}; return *this; }
  ParamDef& at_least(double v) { lower = Bound{v, true}; return *this; }
  ParamDef& less_than(double v) { upper = Bound{v, false}; return *this; }
  ParamDef& at_most(double v) { upper = Bound{v, true}; return *this; }
  ParamDef& required() { default_value.reset(); return *this; }
  ParamDef& check(std::function<std::string(const ParamValue&)> fn) { validator = std::move(fn); return *this; }

  // "must be > 0", "must be in [0, 1]", "" when unbounded.
  std::string bounds_text() const;
  // Type name as shown to users: "int", "float", "bool", "string", "one of {a, b}", "list of int".
  std::string type_text() const;
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

  // Appends every definition of `other`; a path declared twice is a std::logic_error.
  void merge(const ParamSchema& other);

  const std::vector<ParamDef>& params() const { return params_; }
  const ParamDef* find(const std::string& path) const;
  // True when `path` is a proper prefix section of some declared key ("optim" for "optim.lr").
  bool is_section(const std::string& path) const;
  // Names declared directly under a section ("" = top level), for "did you mean" suggestions.
  std::vector<std::string> children_of(const std::string& section) const;

 private:
  ParamDef& add(ParamDef def);
  std::vector<ParamDef> params_;
};

// Renders a value the way it would be written in YAML flow style: 0.1, true, [1, 2], 'abc'.
std::string param_value_text(const ParamValue& value);

}  // namespace wei
