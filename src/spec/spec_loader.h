#pragma once
// YAML spec + key=value overrides -> validated Spec.
//
// Every problem is collected and reported at once as a SpecError whose diagnostics read
//   configs/x.yaml:12:5: optim.lr_rate: unknown key (did you mean 'lr'?)
//   override 'optim.lr=abc': optim.lr: invalid value 'abc'; expected float
// Keys no code reads are errors at any depth; overrides may only set declared keys. A top-level
// `sweep:` block is not part of a run's spec: it is read by `wei-run sweep` (sweep/sweep_plan.h).
#include <string>
#include <vector>

#include "core/registry.h"
#include "spec/spec.h"

namespace wei {

// Keys every spec has, whatever its trainer: name, trainer, seed, device, threads.
ParamSchema common_schema();

// Reads `path` (InputError when unreadable) and validates it with `overrides` applied.
Spec load_spec(const std::string& path, const std::vector<std::string>& overrides,
               const TrainerRegistry& registry);
// The same for YAML text already in memory; `source` names it in diagnostics.
Spec load_spec_text(const std::string& text, const std::string& source,
                    const std::vector<std::string>& overrides, const TrainerRegistry& registry);

}  // namespace wei
