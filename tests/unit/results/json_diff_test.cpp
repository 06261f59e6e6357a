#include "results/json_diff.h"

#include <catch2/catch.hpp>


TEST_CASE("json_diff reports each differing path with both values", "[metrics]") {
  const nlohmann::json a = nlohmann::json::parse(R"({"run": {"host": "a"}, "final": {"acc": 0.5, "n": 3}, "history": [1, 2]})");
  const nlohmann::json b = nlohmann::json::parse(R"({"run": {"host": "b"}, "final": {"acc": 0.6, "extra": true}, "history": [1, 2, 3]})");
  const auto d = wei::json_diff(a, b, {}, {"run"});
  REQUIRE(d.size() == 4);
  CHECK(d[0].path == "final.acc");
  CHECK(d[0].left == "0.5");
  CHECK(wei::describe(d[0]) == "final.acc: 0.5 vs 0.6");
  CHECK(d[0].right == "0.6");
  CHECK(d[1].path == "final.n");
  CHECK(d[1].right == "(missing)");
  CHECK(d[2].path == "final.extra");
  CHECK(d[2].left == "(missing)");
  CHECK(d[3].path == "history.length");
  CHECK(wei::json_diff(a, b, {}, {}).size() == 5);  // the run block counts when not ignored
}

TEST_CASE("json_diff tolerances are absolute plus relative", "[metrics]") {
  const nlohmann::json a = nlohmann::json::parse(R"({"x": 100.0, "k": 1})");
  const nlohmann::json b = nlohmann::json::parse(R"({"x": 100.5, "k": 1.0})");
  CHECK(wei::json_diff(a, b, {0.0, 0.0}, {}).size() == 1);
  CHECK(wei::json_diff(a, b, {0.006, 0.0}, {}).empty());
  CHECK(wei::json_diff(a, b, {0.0, 0.5}, {}).empty());
  CHECK(wei::json_diff(a, b, {0.0, 0.49}, {}).size() == 1);
  CHECK(wei::json_diff(nlohmann::json::parse(R"({"s": "a"})"), nlohmann::json::parse(R"({"s": 1})"), {1, 1}, {}).size() == 1);
}
