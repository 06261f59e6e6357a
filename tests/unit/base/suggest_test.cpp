#include "base/suggest.h"

#include <catch2/catch.hpp>

TEST_CASE("suggestions pick the nearest name within reach", "[base]") {
  CHECK(wei::edit_distance("kitten", "sitting") == 3);
  CHECK(wei::edit_distance("ldma", "ldam") == 1);
  CHECK(wei::closest_match("momentun", {"lr", "momentum"}) == std::optional<std::string>("momentum"));
  CHECK(wei::closest_match("lr_rate", {"lr", "momentum"}) == std::optional<std::string>("lr"));
  CHECK_FALSE(wei::closest_match("banana", {"lr", "momentum"}).has_value());
}
