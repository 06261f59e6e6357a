#pragma once
// The names a spec's `trainer:` may take and the parameter schema of each: what the spec loader needs
// to know of trainers (train/registry.h provides it), without depending on them.
#include <string>
#include <vector>

#include "spec/param_schema.h"

namespace wei {

class SchemaCatalog {
 public:
  virtual ~SchemaCatalog() = default;
  virtual std::vector<std::string> names() const = 0;
  // nullptr for a name that is not in the catalog.
  virtual const ParamSchema* schema_of(const std::string& name) const = 0;
};

}  // namespace wei
