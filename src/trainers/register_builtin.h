#pragma once
// The builtin trainers. Adding a trainer: its folder under src/trainers/, one line in
// register_builtin.cpp.
#include "train/registry.h"

namespace wei {

// Built on first use from the one explicit list (no static self-registration: the linker drops
// unreferenced objects of static libraries).
const TrainerRegistry& builtin_registry();

}  // namespace wei
