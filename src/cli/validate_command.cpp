#include <memory>

#include "cli/commands.h"
#include "spec/spec_loader.h"

namespace wei::cli {

Command add_validate_command(CLI::App& app) {
  auto spec = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  auto* validate = app.add_subcommand("validate", "check a spec and print it fully resolved");
  validate->add_option("spec", *spec, "YAML experiment spec")->required();
  validate->add_option("overrides", *overrides, "key=value overrides");
  return {validate, [spec, overrides](const Environment& env, const TrainerRegistry& registry,
                                      const std::vector<std::string>&) {
            env.out << load_spec(*spec, *overrides, registry).to_yaml();
            return 0;
          }};
}

}  // namespace wei::cli
