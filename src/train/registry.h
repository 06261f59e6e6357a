#pragma once
// The closed set of trainers, looked up by name; the spec loader sees it as a SchemaCatalog.
// The builtin list is trainers/register_builtin.h.
#include <string>
#include <vector>

#include "spec/schema_catalog.h"
#include "train/trainer.h"

namespace wei {

class TrainerRegistry : public SchemaCatalog {
 public:
  // A duplicate name, or a schema whose conditions are malformed (ParamSchema::verify), is a
  // std::logic_error: a programming mistake in the builtin list.
  void add(TrainerInfo info);
  // Unknown name: InputError "unknown trainer 'ldma' (known: a, b; did you mean 'ldam'?)".
  const TrainerInfo& get(const std::string& name) const;
  const TrainerInfo* find(const std::string& name) const;
  std::vector<std::string> names() const override;
  const ParamSchema* schema_of(const std::string& name) const override;
  const std::vector<TrainerInfo>& trainers() const { return trainers_; }

 private:
  std::vector<TrainerInfo> trainers_;
};

}  // namespace wei
