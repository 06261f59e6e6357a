#include "train/registry.h"

#include <stdexcept>

#include "base/errors.h"
#include "base/suggest.h"

namespace wei {

void TrainerRegistry::add(TrainerInfo info) {
  if (find(info.name)) throw std::logic_error("trainer '" + info.name + "' registered twice");
  info.schema.verify();
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

const ParamSchema* TrainerRegistry::schema_of(const std::string& name) const {
  const TrainerInfo* info = find(name);
  return info ? &info->schema : nullptr;
}

}  // namespace wei
