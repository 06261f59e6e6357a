#pragma once
// The keys every spec has, whatever its trainer: name, trainer, seed, device, threads.
#include <cstdint>
#include <string>

#include "spec/option_schema.h"

namespace wei {

struct CommonOptions {
  std::string name;     // "" in the file: the spec file's stem (filled in by the loader)
  std::string trainer;  // required
  int64_t seed = 0;
  std::string device = "auto";
  int64_t threads = 0;  // 0: every core this process may use
};

const OptionSchema<CommonOptions>& common_options_schema();

}  // namespace wei
