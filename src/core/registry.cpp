#include "core/registry.h"

#include <stdexcept>

#include "core/errors.h"
#include "core/suggest.h"

namespace wei {

void TrainerRegistry::add(TrainerInfo info) {
  if (find(info.name)) throw std::logic_error("trainer '" + info.name + "' registered twice");
  trainers_.push_back(std::move(info));
}

const TrainerInfo* TrainerRegistry::find(const std::string& name) const {
  for (const auto& info : trainers_) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const TrainerInfo& TrainerRegistry::get(const std::string& name) const {
  if (const TrainerInfo* info = find(name)) return *info;
  const auto match = closest_match(name, names());
  throw InputError("unknown trainer '" + name + "' (known: " + join(names(), ", ") + ")" +
                   (match ? "; did you mean '" + *match + "'?" : ""));
}

std::vector<std::string> TrainerRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& info : trainers_) out.push_back(info.name);
  return out;
}

const TrainerRegistry& builtin_registry() {
  static const TrainerRegistry registry = [] {
    TrainerRegistry r;
    register_builtin_trainers(r);
    return r;
  }();
  return registry;
}

}  // namespace wei
