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
  auto strict = std::make_shared<bool>(false);
  validate->add_flag("--strict", *strict,
                     "refuse a key that the spec's method or setting does not read (default: a warning)");
  return {validate, [spec, overrides, strict](const Environment& env, const TrainerRegistry& registry,
                                              const std::vector<std::string>&) {
            const Spec loaded = load_spec(*spec, *overrides, registry, *strict ? UnreadKeys::kRefuse : UnreadKeys::kWarn);
            for (const auto& warning : loaded.warnings()) env.err << "warning: " << warning << "\n";
            env.out << loaded.to_yaml();
            return 0;
          }};
}

}  // namespace wei::cli
