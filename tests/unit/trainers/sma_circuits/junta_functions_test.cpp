#include "trainers/sma_circuits/junta_functions.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "base/seeding.h"

TEST_CASE("parity and majority follow their definitions on random inputs", "[sma_circuits]") {
  using wei::sma_circuits::Junta;
  using wei::sma_circuits::JuntaKind;
  auto rng = wei::make_std_rng(5, "inputs");
  const auto x = wei::sma_circuits::draw_uniform_inputs(1000, 12, rng);
  const Junta parity{JuntaKind::kParity, {1, 4, 7, 8}};
  const Junta majority{JuntaKind::kMajority, {0, 2, 3, 9, 11}};
  const auto p = parity.evaluate(x);
  const auto m = majority.evaluate(x);
  for (int64_t e = 0; e < x.examples; ++e) {
    int ones_p = 0, ones_m = 0;
    for (int64_t i : parity.support) ones_p += wei::sma_circuits::bit_of(x.columns[static_cast<size_t>(i)], e);
    for (int64_t i : majority.support) ones_m += wei::sma_circuits::bit_of(x.columns[static_cast<size_t>(i)], e);
    CHECK(wei::sma_circuits::bit_of(p, e) == (ones_p % 2 == 1));
    CHECK(wei::sma_circuits::bit_of(m, e) == (ones_m >= 3));
  }
  CHECK(majority.describe()["kind"] == "majority");
  CHECK(majority.describe()["k"] == 5);
}

TEST_CASE("a drawn junta reads k distinct inputs, ascending", "[sma_circuits]") {
  auto rng = wei::make_std_rng(1, "junta");
  for (int repeat = 0; repeat < 20; ++repeat) {
    const auto j = wei::sma_circuits::draw_junta(wei::sma_circuits::JuntaKind::kParity, 10, 6, rng);
    REQUIRE(j.support.size() == 6);
    CHECK(std::set<int64_t>(j.support.begin(), j.support.end()).size() == 6);
    CHECK(std::is_sorted(j.support.begin(), j.support.end()));
    CHECK(j.support.back() < 10);
  }
  CHECK(wei::sma_circuits::draw_junta(wei::sma_circuits::JuntaKind::kMajority, 4, 4, rng).support ==
        std::vector<int64_t>{0, 1, 2, 3});
}
