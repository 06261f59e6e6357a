#pragma once
// A registry with one schema-only trainer ("toy") for spec tests that must not depend on any
// real trainer's parameters.
#include "core/registry.h"

namespace wei::testing {

inline TrainerRegistry toy_registry() {
  TrainerRegistry registry;
  registry.add(TrainerInfo{"toy", "schema-only trainer for tests",
                           [] {
                             ParamSchema s;
                             s.add_choice("method", "ldam", {"ce", "focal", "ldam"}, "loss");
                             s.add_float("optim.lr", 0.1, "learning rate").greater_than(0);
                             s.add_float("optim.momentum", 0.9, "momentum").at_least(0).at_most(1);
                             s.add_int("optim.epochs", 200, "epochs").greater_than(0);
                             s.add_int_list("optim.milestones", {160, 180}, "lr steps").at_least(0);
                             s.add_bool("data.augment", true, "crop + flip");
                             s.add_string("data.root", "", "dataset directory");
                             return s;
                           },
                           [](const RunContext&) -> std::unique_ptr<Trainer> { return nullptr; }});
  registry.add(TrainerInfo{"other", "second name for suggestions", [] { return ParamSchema(); },
                           [](const RunContext&) -> std::unique_ptr<Trainer> { return nullptr; }});
  return registry;
}

}  // namespace wei::testing
