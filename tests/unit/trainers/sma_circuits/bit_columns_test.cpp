#include "trainers/sma_circuits/bit_columns.h"

#include <catch2/catch.hpp>

#include "base/seeding.h"

TEST_CASE("uniform inputs: bits past the last example are zero, ones about half, encodings +-1 and 0/1",
          "[sma_circuits]") {
  auto rng = wei::make_std_rng(2, "bits");
  const auto x = wei::sma_circuits::draw_uniform_inputs(1000, 5, rng);
  REQUIRE(x.words() == 16);
  int64_t ones = 0;
  for (const auto& column : x.columns) {
    CHECK((column.back() >> (1000 % 64)) == 0);
    ones += wei::sma_circuits::count_ones(column, 1000);
  }
  CHECK(ones == Approx(2500).margin(150));  // 5,000 fair bits: sd 35

  const auto signs = wei::sma_circuits::to_signs(x);
  REQUIRE(signs.sizes() == torch::IntArrayRef({1000, 5}));
  for (int64_t e : {0, 63, 64, 999}) {
    for (int64_t i = 0; i < 5; ++i) {
      CHECK(signs[e][i].item<float>() == (wei::sma_circuits::bit_of(x.columns[static_cast<size_t>(i)], e) ? 1.0F : -1.0F));
    }
  }
  const auto targets = wei::sma_circuits::to_labels(x.columns[0], 1000);
  CHECK(targets.sum().item<double>() == static_cast<double>(wei::sma_circuits::count_ones(x.columns[0], 1000)));
  CHECK(wei::sma_circuits::count_ones(x.columns[0], 64) == static_cast<int64_t>(std::bitset<64>(x.columns[0][0]).count()));
}
