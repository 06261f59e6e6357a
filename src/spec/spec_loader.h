#pragma once
// YAML spec + key=value overrides -> validated Spec.
//
// Every problem is collected and reported at once as a SpecError whose diagnostics read
//   configs/x.yaml:12:5: optim.lr_rate: unknown key (did you mean 'lr'?)
//   override 'optim.lr=abc': optim.lr: invalid value 'abc'; expected float
// Keys no code reads are errors at any depth, including keys declared for other values of a choice
// (colored_mnist.lr under data.kind: gaussian); overrides may only set declared keys. Constraints
// between keys (ParamSchema::checks) run last, so `validate`, the sweep's up-front check and `run`
// refuse exactly the same specs:
//   x.yaml:4:3: task.prompt_length: must satisfy task.prompt_length < task.input_tokens; here
//     task.prompt_length = 90 (x.yaml:4:3), task.input_tokens = 79 (default)
// A top-level `sweep:` block is not part of a run's spec: it is read by `wei-run sweep`
// (sweep/sweep_plan.h). Nor is a top-level `reference:` block (the paper's numbers,
// spec/paper_reference.h): its shape is checked with the rest, then it is dropped.
#include <string>
#include <vector>

#include "spec/schema_catalog.h"
#include "spec/spec.h"

namespace wei {

// Reads `path` (InputError when unreadable) and validates it with `overrides` applied.
Spec load_spec(const std::string& path, const std::vector<std::string>& overrides,
               const SchemaCatalog& catalog);
// The same for YAML text already in memory; `source` names it in diagnostics.
Spec load_spec_text(const std::string& text, const std::string& source,
                    const std::vector<std::string>& overrides, const SchemaCatalog& catalog);

}  // namespace wei
