#include <iostream>

#include "cli/commands.h"
#include "spec/spec_loader.h"

namespace wei::cli {

namespace {

void print_params(const ParamSchema& schema) {
  size_t width = 0;
  for (const auto& def : schema.params()) width = std::max(width, def.path.size());
  for (const auto& def : schema.params()) {
    std::cout << "    " << def.path << std::string(width - def.path.size() + 2, ' ') << def.type_text();
    std::cout << " = " << (def.default_value ? param_value_text(*def.default_value) : "(required)");
    if (const std::string bounds = def.bounds_text(); !bounds.empty()) std::cout << "  (" << bounds << ")";
    std::cout << "\n    " << std::string(width + 2, ' ') << def.help << "\n";
  }
}

}  // namespace

int list_command(const TrainerRegistry& registry, const std::optional<std::string>& trainer) {
  if (!trainer) {
    std::cout << "Keys of every spec:\n";
    print_params(common_schema());
    std::cout << "\n";
  }
  for (const auto& info : registry.trainers()) {
    if (trainer && info.name != *trainer) continue;
    std::cout << info.name << ": " << info.help << "\n";
    print_params(info.schema());
    std::cout << "\n";
  }
  if (trainer) registry.get(*trainer);  // unknown name: InputError with suggestions
  return 0;
}

}  // namespace wei::cli
