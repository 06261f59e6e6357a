#include "results/number_format.h"

#include <catch2/catch.hpp>

namespace {

// "mean ± spread" as a summary cell writes it.
std::string rounded_cell(double mean, double spread) {
  const wei::NumberStyle style = wei::style_for(mean, spread);
  return wei::format_number(mean, style) + " ± " + wei::format_number(spread, style);
}

}  // namespace

TEST_CASE("numbers are rounded to the two significant digits of their spread", "[results]") {
  CHECK(rounded_cell(74.4718, 0.174068) == "74.47 ± 0.17");  // the examples
  CHECK(rounded_cell(5.03e-4, 2.04e-4) == "5.0e-4 ± 2.0e-4");
  CHECK(rounded_cell(8.90937e-28, 2.14262e-28) == "8.9e-28 ± 2.1e-28");
  const wei::NumberStyle tiny = wei::style_for(8.90937e-28, 2.14262e-28);
  CHECK(wei::format_number(-1.0341e-27, tiny) == "-1.03e-27");  // interval ends at the same place
  CHECK(wei::format_number(2.81598e-27, tiny) == "2.82e-27");
  CHECK(rounded_cell(72, 2.82843) == "72.0 ± 2.8");
  CHECK(rounded_cell(0.002, 0.00141421) == "0.0020 ± 0.0014");   // fixed from 1e-3 up
  CHECK(rounded_cell(9.74757, 4.33722) == "9.7 ± 4.3");
  CHECK(rounded_cell(12345, 1234) == "12300 ± 1200");            // places above the units
  CHECK(rounded_cell(2.5e6, 1.2e5) == "2.50e6 ± 1.2e5");          // scientific from 1e6 up
  CHECK(rounded_cell(-3.14159, 0.0123) == "-3.142 ± 0.012");
}

TEST_CASE("rounding handles powers of ten, zero and spreads far larger than the mean", "[results]") {
  CHECK(rounded_cell(1.0, 0.1) == "1.00 ± 0.10");
  CHECK(rounded_cell(1.0, 0.0999) == "1.00 ± 0.10");  // 0.0999 rounds up to the next decade
  CHECK(rounded_cell(1.0, 0.0995) == "1.00 ± 0.10");
  CHECK(rounded_cell(1.0, 0.0994) == "1.000 ± 0.099");
  CHECK(rounded_cell(3.6e-4, 1.0e-2) == "0.000 ± 0.010");  // the mean is lost in the spread
  CHECK(rounded_cell(0.0, 0.0) == "0 ± 0");
  CHECK(rounded_cell(-1e-9, 0.5) == "0.00 ± 0.50");         // no "-0.00"
}

TEST_CASE("without a spread a number keeps four significant digits", "[results]") {
  CHECK(wei::format_significant(74.4718) == "74.47");
  CHECK(wei::format_significant(0.00036255567997) == "3.626e-4");
  CHECK(wei::format_significant(0.978) == "0.9780");
  CHECK(wei::format_significant(3000) == "3000");
  CHECK(wei::format_significant(123456) == "123500");
  CHECK(wei::format_significant(0) == "0");
  CHECK(rounded_cell(3000, 0) == "3000 ± 0");
  // Spreads at the edge of a double's precision show at most 15 significant digits.
  CHECK(rounded_cell(74.4718, 1e-20) == "74.4718000000000 ± 0.0000000000000");
}

TEST_CASE("full precision and deviations", "[results]") {
  CHECK(wei::format_full(2.8284271247) == "2.82843");
  CHECK(wei::format_full(1e-5) == "1e-05");
  CHECK(wei::format_deviation(46.9196) == "+46.9");
  CHECK(wei::format_deviation(-0.04) == "+0.0");
  CHECK(wei::format_deviation(-7.44) == "-7.4");
  CHECK(wei::format_deviation(31234.0) == "+3.1e4");
  CHECK(wei::format_deviation(-9960.0) == "-1.0e4");
}
