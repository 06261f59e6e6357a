#pragma once
// The closed set of trainers, looked up by name.
#include <string>
#include <vector>

#include "trainers/trainer.h"

namespace wei {

class TrainerRegistry {
 public:
  // A duplicate name is a std::logic_error (a programming mistake in the builtin list).
  void add(TrainerInfo info);
  // Unknown name: InputError "unknown trainer 'ldma' (known: a, b; did you mean 'ldam'?)".
  const TrainerInfo& get(const std::string& name) const;
  const TrainerInfo* find(const std::string& name) const;
  std::vector<std::string> names() const;
  const std::vector<TrainerInfo>& trainers() const { return trainers_; }

 private:
  std::vector<TrainerInfo> trainers_;
};

// Fills `registry` with every builtin trainer: one explicit line per trainer in
// trainers/register_builtin.cpp (no static self-registration: the linker drops unreferenced
// objects of static libraries).
void register_builtin_trainers(TrainerRegistry& registry);
// The registry of builtin trainers, built on first use.
const TrainerRegistry& builtin_registry();

}  // namespace wei
