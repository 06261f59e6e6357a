#pragma once
// Numbers in tables rounded to the precision their spread supports (`summarize`, the HTML report).
// The spread keeps two significant digits and every other number of the cell is rounded at the
// same decimal place:
//   74.4718 ± 0.174068            -> 74.47 ± 0.17
//   5.03e-4 ± 2.04e-4             -> 5.0e-4 ± 2.0e-4
//   8.90937e-28 ± 2.14262e-28     -> 8.9e-28 ± 2.1e-28
// A cell is written in scientific notation when its largest magnitude (|mean| or the spread) is
// below 1e-3 or at least 1e6, in fixed notation otherwise. Without a spread (one run, or runs that
// agree exactly) a number keeps four significant digits. At most 15 significant digits are shown.
#include <string>

namespace wei {

// How a cell's numbers are written: the power of ten of the last digit kept, and the notation.
struct NumberStyle {
  int place = 0;
  bool scientific = false;
};

// The style of a cell whose central value is `value` and whose spread is `spread` (0: none).
NumberStyle style_for(double value, double spread);

// `value` rounded at `style.place`: "74.47", "0.0020", "5.0e-4", "12300". No "-0".
std::string format_number(double value, const NumberStyle& style);

// `value` with its own four significant digits ("22.97", "0.9780", "3.626e-4").
std::string format_significant(double value);

// The current full form of summaries, six significant digits ("%.6g"): "2.82843", "1e-05".
std::string format_full(double value);

// A signed deviation in units (of the interval's half-width): "+0.4", "-12.7", "+3.1e4".
std::string format_deviation(double value);

}  // namespace wei
