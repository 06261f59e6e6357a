#pragma once
// Typed options: every spec key of a trainer is declared once, bound to a field of the trainer's
// options struct. The field's type decides the key's type, the struct's default member initialiser
// is the key's default, and the declaration adds bounds, help, conditions and cross-key checks:
//
//   struct Options { struct Optim { double lr = 0.1; int64_t epochs = 200; } optim; Loss loss = Loss::kCe; };
//   OptionSchema<Options> s;
//   s.field("optim.lr", "base learning rate", &Options::optim, &Options::Optim::lr).greater_than(0);
//   s.enum_choice("loss.type", {{"ce", Loss::kCe}, {"ldam", Loss::kLdam}}, "training loss", &Options::loss);
//   s.check({"optim.warmup", "optim.epochs"}, "optim.warmup < optim.epochs",
//           [](const Options& o) { return o.optim.warmup < o.optim.epochs; });
//
// The spec loader validates against params() (types, bounds, conditions, checks: spec_loader.h);
// bind() then reads a loaded Spec into a fresh struct, so a trainer receives `const Options&` and
// never looks a key up by its name. A key that is not read under the spec's conditions (ParamDef::when)
// keeps its default in the struct.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "spec/param_schema.h"
#include "spec/spec.h"

namespace wei {

// The field reached from `object` by a chain of pointers to members.
template <typename Object, typename... Members>
auto& member_of(Object& object, Members... members) {
  return (object .* ... .* members);
}

template <typename Options, typename... Members>
using FieldOf = std::decay_t<decltype(member_of(std::declval<Options&>(), std::declval<Members>()...))>;

template <typename Options>
class OptionSchema {
 public:
  // Declares `path`, bound to the field reached from Options by the chain of pointers to members
  // (`&Options::optim, &Optim::lr`). Field types: int64_t, double, bool, std::string and vectors of
  // int64_t, double or std::string.
  template <typename... Members>
  ParamDef& field(const std::string& path, const std::string& help, Members... members) {
    using T = FieldOf<Options, Members...>;
    binders_->push_back([path, members...](const Spec& spec, Options& o) {
      if (spec.has(path)) member_of(o, members...) = spec_value<T>(spec, path);
    });
    return declare<T>(path, member_of(defaults(), members...), help);
  }

  // A std::string field restricted to `choices`.
  template <typename... Members>
  ParamDef& choice(const std::string& path, std::vector<std::string> choices, const std::string& help,
                   Members... members) {
    static_assert(std::is_same_v<FieldOf<Options, Members...>, std::string>, "choice() binds a std::string field");
    binders_->push_back([path, members...](const Spec& spec, Options& o) {
      if (spec.has(path)) member_of(o, members...) = spec.get_string(path);
    });
    return schema_.add_choice(path, member_of(defaults(), members...), std::move(choices), help);
  }

  // An enum field: each name of `names` stands for one value; the default is the field's default.
  template <typename... Members>
  ParamDef& enum_choice(const std::string& path, std::vector<std::pair<std::string, FieldOf<Options, Members...>>> names,
                        const std::string& help, Members... members) {
    const auto def = member_of(defaults(), members...);
    std::vector<std::string> choices;
    std::string def_name;
    for (const auto& [name, value] : names) {
      choices.push_back(name);
      if (value == def) def_name = name;
    }
    if (def_name.empty()) throw std::logic_error("default of '" + path + "' has no name among its choices");
    binders_->push_back([path, names, members...](const Spec& spec, Options& o) {
      if (!spec.has(path)) return;
      const std::string& chosen = spec.get_string(path);
      for (const auto& [name, value] : names) {
        if (name == chosen) member_of(o, members...) = value;
      }
    });
    return schema_.add_choice(path, def_name, std::move(choices), help);
  }

  // A constraint between keys, checked when the spec is loaded (by run, validate and the sweep's
  // up-front check alike). `rule` is shown to users ("must satisfy <rule>") with each key's value and
  // where it came from; the first key names the place of the problem. The check runs only when every
  // one of `keys` is read under the spec's conditions.
  void check(std::vector<std::string> keys, const std::string& rule, std::function<bool(const Options&)> holds) {
    auto binders = binders_;
    schema_.add_check(std::move(keys), rule, [binders, holds = std::move(holds)](const Spec& spec) {
      return holds(bind_with(*binders, spec));
    });
  }

  // A key an earlier version read as `old_path`: a spec that still sets it is told its new name.
  void renamed(const std::string& old_path, const std::string& new_path) { schema_.add_renamed(old_path, new_path); }
  // The memory a run with these options needs at its peak (ParamSchema::set_memory_estimate).
  void memory_estimate(std::function<MemoryEstimate(const Options&)> estimate) {
    auto binders = binders_;
    schema_.set_memory_estimate([binders, estimate = std::move(estimate)](const Spec& spec) {
      return estimate(bind_with(*binders, spec));
    });
  }

  const ParamSchema& params() const { return schema_; }

  // The options of a loaded spec whose schema includes params().
  Options bind(const Spec& spec) const { return bind_with(*binders_, spec); }

 private:
  using Binder = std::function<void(const Spec&, Options&)>;

  static const Options& defaults() {
    static const Options options;
    return options;
  }

  static Options bind_with(const std::vector<Binder>& binders, const Spec& spec) {
    Options options{};
    for (const auto& bind : binders) bind(spec, options);
    return options;
  }

  template <typename T>
  static T spec_value(const Spec& spec, const std::string& path) {
    if constexpr (std::is_same_v<T, int64_t>) return spec.get_int(path);
    else if constexpr (std::is_same_v<T, double>) return spec.get_float(path);
    else if constexpr (std::is_same_v<T, bool>) return spec.get_bool(path);
    else if constexpr (std::is_same_v<T, std::string>) return spec.get_string(path);
    else if constexpr (std::is_same_v<T, std::vector<int64_t>>) return spec.get_int_list(path);
    else if constexpr (std::is_same_v<T, std::vector<double>>) return spec.get_float_list(path);
    else return spec.get_string_list(path);
  }

  template <typename T>
  ParamDef& declare(const std::string& path, const T& def, const std::string& help) {
    if constexpr (std::is_same_v<T, int64_t>) return schema_.add_int(path, def, help);
    else if constexpr (std::is_same_v<T, double>) return schema_.add_float(path, def, help);
    else if constexpr (std::is_same_v<T, bool>) return schema_.add_bool(path, def, help);
    else if constexpr (std::is_same_v<T, std::string>) return schema_.add_string(path, def, help);
    else if constexpr (std::is_same_v<T, std::vector<int64_t>>) return schema_.add_int_list(path, def, help);
    else if constexpr (std::is_same_v<T, std::vector<double>>) return schema_.add_float_list(path, def, help);
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) return schema_.add_string_list(path, def, help);
    else static_assert(sizeof(T) == 0, "unsupported option field type");
  }

  ParamSchema schema_;
  std::shared_ptr<std::vector<Binder>> binders_ = std::make_shared<std::vector<Binder>>();
};

}  // namespace wei
