#include "results/number_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace wei {

namespace {

constexpr int kMaxSignificant = 15;  // what a double holds; also keeps the digit count in a long long

int decimal_exponent(double magnitude) { return static_cast<int>(std::floor(std::log10(magnitude))); }

// "e-4", "e6": the exponent of scientific notation without '+' or leading zeros.
std::string exponent_text(int exponent) { return "e" + std::to_string(exponent); }

}  // namespace

NumberStyle style_for(double value, double spread) {
  NumberStyle style;
  const double magnitude = std::max(std::fabs(value), std::isfinite(spread) ? std::fabs(spread) : 0.0);
  if (!std::isfinite(magnitude) || magnitude == 0) return style;
  style.scientific = magnitude < 1e-3 || magnitude >= 1e6;
  if (std::isfinite(spread) && spread > 0) {
    // Two significant digits of the spread; log10 may land a hair off at powers of ten, so the
    // place is corrected until the spread reads as 10..99 units of it.
    int place = decimal_exponent(spread) - 1;
    for (int i = 0; i < 3; ++i) {
      const double units = std::round(spread / std::pow(10.0, place));
      if (units >= 100) {
        ++place;
      } else if (units < 10) {
        --place;
      } else {
        break;
      }
    }
    style.place = place;
  } else {
    style.place = decimal_exponent(magnitude) - 3;
  }
  style.place = std::max(style.place, decimal_exponent(magnitude) - (kMaxSignificant - 1));
  return style;
}

std::string format_number(double value, const NumberStyle& style) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double scaled = value / std::pow(10.0, style.place);
  if (std::fabs(scaled) >= 1e18) return format_full(value);  // beyond a long long: not a table number
  const long long units = std::llround(scaled);
  if (units == 0) return style.place < 0 && !style.scientific ? "0." + std::string(-style.place, '0') : "0";
  std::string digits = std::to_string(std::llabs(units));
  const std::string sign = units < 0 ? "-" : "";
  if (style.scientific) {
    const int exponent = style.place + static_cast<int>(digits.size()) - 1;
    return sign + digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + exponent_text(exponent);
  }
  if (style.place >= 0) return sign + digits + std::string(style.place, '0');
  const size_t decimals = static_cast<size_t>(-style.place);
  if (digits.size() <= decimals) digits = std::string(decimals + 1 - digits.size(), '0') + digits;
  return sign + digits.substr(0, digits.size() - decimals) + "." + digits.substr(digits.size() - decimals);
}

std::string format_significant(double value) { return format_number(value, style_for(value, 0)); }

std::string format_full(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

std::string format_deviation(double value) {
  if (!std::isfinite(value)) return value > 0 ? "+inf" : value < 0 ? "-inf" : "nan";
  char buf[32];
  if (std::fabs(value) < 1000) {
    std::snprintf(buf, sizeof(buf), "%+.1f", value);
    return std::string(buf) == "-0.0" ? "+0.0" : buf;
  }
  const int exponent = decimal_exponent(std::fabs(value));
  std::snprintf(buf, sizeof(buf), "%+.1f", value / std::pow(10.0, exponent));
  std::string mantissa = buf;
  if (mantissa == "+10.0" || mantissa == "-10.0") {  // 9.96e3 rounds up to the next power
    mantissa = mantissa.substr(0, 1) + "1.0";
    return mantissa + exponent_text(exponent + 1);
  }
  return mantissa + exponent_text(exponent);
}

}  // namespace wei
