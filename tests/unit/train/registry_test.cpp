#include "train/registry.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "trainers/register_builtin.h"

namespace {

wei::TrainerInfo schema_only(const std::string& name, wei::ParamSchema schema = {}) {
  return {name, "schema-only trainer for tests", std::move(schema),
          [](const wei::Spec&, const wei::RunContext&) -> std::unique_ptr<wei::Trainer> { return nullptr; }};
}

}  // namespace

TEST_CASE("the registry is a closed set of names with helpful misses", "[train]") {
  wei::TrainerRegistry registry;
  wei::ParamSchema schema;
  schema.add_float("optim.lr", 0.1, "learning rate");
  registry.add(schema_only("toy", schema));
  registry.add(schema_only("other"));
  CHECK(registry.names() == std::vector<std::string>{"toy", "other"});
  CHECK(registry.get("toy").name == "toy");
  CHECK(registry.schema_of("toy")->find("optim.lr") != nullptr);
  CHECK(registry.schema_of("nope") == nullptr);
  CHECK_THROWS_WITH(registry.get("toi"), "unknown trainer 'toi' (known: toy, other); did you mean 'toy'?");
  CHECK_THROWS_AS(registry.get("zzzzzz"), wei::InputError);
  CHECK_THROWS_AS(registry.add(registry.get("toy")), std::logic_error);
}

TEST_CASE("a schema with a malformed condition cannot be registered", "[train]") {
  wei::ParamSchema schema;
  schema.add_float("a", 1, "").when("missing", {"x"});
  wei::TrainerRegistry registry;
  CHECK_THROWS_AS(registry.add(schema_only("bad", schema)), std::logic_error);
}

TEST_CASE("the builtin registry holds every trainer with a valid schema", "[train]") {
  const auto& registry = wei::builtin_registry();
  CHECK(registry.names() ==
        std::vector<std::string>{"label_noise_sgd", "imbalanced_cifar", "hmm_prompt", "spurious_selftrain",
                                 "max_margin", "all_layer_margin", "large_lr_patch", "self_training", "sma_circuits"});
  for (const auto& info : registry.trainers()) {
    CAPTURE(info.name);
    CHECK_NOTHROW(info.schema.verify());
    CHECK(!info.schema.params().empty());
  }
}
