#pragma once
// Enum values with the names users write in specs and read in results: one table per enum serves
// the spec schema (OptionSchema::enum_choice) and the names recorded in metrics.json.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace wei {

template <typename E>
using NamedValues = std::vector<std::pair<std::string, E>>;

// The name of `value` in `names`; a value without a name is a std::logic_error.
template <typename E>
const std::string& name_of(const NamedValues<E>& names, E value) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  throw std::logic_error("value without a name in its table");
}

}  // namespace wei
