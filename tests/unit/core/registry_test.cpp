#include "core/registry.h"

#include <catch2/catch.hpp>

#include "core/errors.h"
#include "core/suggest.h"
#include "support/test_registry.h"

TEST_CASE("the registry is a closed set of names with helpful misses", "[core]") {
  auto registry = wei::testing::toy_registry();
  CHECK(registry.names() == std::vector<std::string>{"toy", "other"});
  CHECK(registry.get("toy").name == "toy");
  CHECK_THROWS_WITH(registry.get("toi"), "unknown trainer 'toi' (known: toy, other); did you mean 'toy'?");
  CHECK_THROWS_AS(registry.get("zzzzzz"), wei::InputError);
  CHECK_THROWS_AS(registry.add(registry.get("toy")), std::logic_error);
}

TEST_CASE("the builtin registry lists label_noise_sgd with a valid schema", "[core]") {
  const auto& registry = wei::builtin_registry();
  const auto* info = registry.find("label_noise_sgd");
  REQUIRE(info != nullptr);
  CHECK(info->schema().find("optim.lr") != nullptr);
}

TEST_CASE("suggestions pick the nearest name within reach", "[core]") {
  CHECK(wei::edit_distance("kitten", "sitting") == 3);
  CHECK(wei::edit_distance("ldma", "ldam") == 1);
  CHECK(wei::closest_match("momentun", {"lr", "momentum"}) == std::optional<std::string>("momentum"));
  CHECK(wei::closest_match("lr_rate", {"lr", "momentum"}) == std::optional<std::string>("lr"));
  CHECK_FALSE(wei::closest_match("banana", {"lr", "momentum"}).has_value());
}
