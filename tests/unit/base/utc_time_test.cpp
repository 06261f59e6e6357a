#include <catch2/catch.hpp>

#include <ctime>
#include <regex>
#include <string>

#include "base/utc_time.h"

TEST_CASE("format_utc writes a time in UTC with the named formats and any other", "[base]") {
  const std::time_t time = 1706745599;  // 2024-01-31 23:59:59 UTC
  CHECK(wei::format_utc(time, wei::kUtcIso8601Format) == "2024-01-31T23:59:59Z");
  CHECK(wei::format_utc(time, wei::kUtcCompactFormat) == "20240131-235959");
  CHECK(wei::format_utc(0, "%Y-%m-%d %H:%M:%S UTC") == "1970-01-01 00:00:00 UTC");
}

TEST_CASE("format_utc gives an empty text rather than a cut one when the text is too long", "[base]") {
  const std::string format(70, 'x');
  CHECK(wei::format_utc(0, format.c_str()).empty());
  CHECK(wei::format_utc(0, std::string(63, 'x').c_str()) == std::string(63, 'x'));
}

TEST_CASE("utc_timestamp formats the current time", "[base]") {
  const std::time_t before = std::time(nullptr);
  const std::string stamp = wei::utc_timestamp(wei::kUtcIso8601Format);
  const std::time_t after = std::time(nullptr);
  CHECK(std::regex_match(stamp, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")));
  CHECK((stamp == wei::format_utc(before, wei::kUtcIso8601Format) ||
         stamp == wei::format_utc(after, wei::kUtcIso8601Format)));
}
