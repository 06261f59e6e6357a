#include "base/finite_json.h"

#include <limits>

#include <catch2/catch.hpp>

using nlohmann::ordered_json;

TEST_CASE("first_non_finite names the path of the first NaN or infinity", "[metrics]") {
  ordered_json v{{"a", {{"b", ordered_json::array({1.0, std::numeric_limits<double>::infinity()})}}}};
  CHECK(wei::first_non_finite(v) == "a.b[1]");
  CHECK(wei::first_non_finite(ordered_json{{"x", 1.5}, {"n", 3}, {"s", "nan"}}).empty());
  CHECK(wei::first_non_finite(ordered_json(std::numeric_limits<double>::quiet_NaN())) == "(value)");
}
