#include <memory>
#include <optional>

#include "cli/commands.h"
#include "spec/common_options.h"

namespace wei::cli {

namespace {

void print_params(std::ostream& out, const ParamSchema& schema) {
  size_t width = 0;
  for (const auto& def : schema.params()) width = std::max(width, def.path.size());
  const std::string indent(width + 6, ' ');
  for (const auto& def : schema.params()) {
    out << "    " << def.path << std::string(width - def.path.size() + 2, ' ') << def.type_text();
    out << " = " << (def.default_value ? param_value_text(*def.default_value) : "(required)");
    if (const std::string bounds = def.bounds_text(); !bounds.empty()) out << "  (" << bounds << ")";
    out << "\n" << indent << def.help << "\n";
    if (!def.conditions.empty()) out << indent << "read when " << def.conditions_text() << "\n";
  }
  if (schema.checks().empty()) return;
  out << "  constraints:\n";
  for (const auto& check : schema.checks()) out << "    " << check.rule << "\n";
}

}  // namespace

Command add_list_command(CLI::App& app) {
  auto trainer = std::make_shared<std::optional<std::string>>();
  auto* list = app.add_subcommand("list", "list trainers with their parameters, types, defaults and help");
  list->add_option("trainer", *trainer, "show only this trainer");
  return {list, [trainer](const Environment& env, const TrainerRegistry& registry, const std::vector<std::string>&) {
            if (*trainer) registry.get(**trainer);  // unknown name: InputError with suggestions
            if (!*trainer) {
              env.out << "Keys of every spec:\n";
              print_params(env.out, common_options_schema().params());
              env.out << "\n";
            }
            for (const auto& info : registry.trainers()) {
              if (*trainer && info.name != **trainer) continue;
              env.out << info.name << ": " << info.help << "\n";
              print_params(env.out, info.schema);
              env.out << "\n";
            }
            return 0;
          }};
}

}  // namespace wei::cli
