#include "spec/param_schema.h"

#include <catch2/catch.hpp>

TEST_CASE("bounds and types read as users see them", "[spec]") {
  wei::ParamSchema s;
  CHECK(s.add_float("a", 1, "").greater_than(0).bounds_text() == "must be > 0");
  CHECK(s.add_float("b", 1, "").at_least(0).at_most(1).bounds_text() == "must be in [0, 1]");
  CHECK(s.add_int("c", 1, "").less_than(10).bounds_text() == "must be < 10");
  CHECK(s.add_choice("d", "x", {"x", "y"}, "").type_text() == "one of {x, y}");
  CHECK(s.add_int_list("e.f", {1}, "").type_text() == "list of int");
  CHECK(s.is_section("e"));
  CHECK_FALSE(s.is_section("e.f"));
  CHECK(s.children_of("") == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("declaring a key twice or nesting under a leaf is a programming error", "[spec]") {
  wei::ParamSchema s;
  s.add_float("optim.lr", 0.1, "");
  CHECK_THROWS_AS(s.add_float("optim.lr", 0.2, ""), std::logic_error);
  CHECK_THROWS_AS(s.add_float("optim", 0.2, ""), std::logic_error);
  CHECK_THROWS_AS(s.add_float("optim.lr.x", 0.2, ""), std::logic_error);
  CHECK_THROWS_AS(s.add_choice("m", "z", {"x", "y"}, ""), std::logic_error);
}

TEST_CASE("values print as YAML that reads back", "[spec]") {
  using wei::param_value_text;
  using wei::ParamValue;
  CHECK(param_value_text(ParamValue(0.1)) == "0.1");
  CHECK(param_value_text(ParamValue(2.0)) == "2.0");
  CHECK(param_value_text(ParamValue(int64_t{3})) == "3");
  CHECK(param_value_text(ParamValue(std::string("yes"))) == "'yes'");
  CHECK(param_value_text(ParamValue(std::string("12"))) == "'12'");
  CHECK(param_value_text(ParamValue(std::string("ldam"))) == "ldam");
  CHECK(param_value_text(ParamValue(std::vector<double>{1e-4, 0.5})) == "[0.0001, 0.5]");
}
