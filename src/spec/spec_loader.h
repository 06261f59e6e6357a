#pragma once
// YAML spec + key=value overrides -> validated Spec.
//
// Every problem is collected and reported at once as a SpecError whose diagnostics read
//   configs/x.yaml:12:5: optim.lr_rate: unknown key (did you mean 'lr'?)
//   override 'optim.lr=abc': optim.lr: invalid value 'abc'; expected float
// Keys no trainer declares are errors at any depth; overrides may only set declared keys. A key the
// trainer declares but that this spec does not read (noise.delta under method: gd) is, by default,
// a warning kept in Spec::warnings() (so one base spec can be swept over `method`), and an error
// with UnreadKeys::kRefuse (--strict):
//   configs/x.yaml:9:3: noise.delta: ignored, not read when method is gd (read when method is sgd,
//     label_noise or gaussian_noise)
// (with --strict the same line without "ignored, " is an error). Constraints
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

// What a declared key that the spec does not read is: a warning (the default) or an error (--strict).
enum class UnreadKeys { kWarn, kRefuse };

// Reads `path` (InputError when unreadable) and validates it with `overrides` applied.
Spec load_spec(const std::string& path, const std::vector<std::string>& overrides, const SchemaCatalog& catalog,
               UnreadKeys unread_keys = UnreadKeys::kWarn);
// The same for YAML text already in memory; `source` names it in diagnostics.
Spec load_spec_text(const std::string& text, const std::string& source, const std::vector<std::string>& overrides,
                    const SchemaCatalog& catalog, UnreadKeys unread_keys = UnreadKeys::kWarn);

}  // namespace wei
