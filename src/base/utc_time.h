#pragma once
// The current time in UTC as text, for the timestamps wei-run writes: run and sweep directory
// names, the run block of metrics.json, the report's footer.
#include <ctime>
#include <string>

namespace wei {

// The strftime formats of the timestamps wei-run writes in more than one place.
inline constexpr const char* kUtcCompactFormat = "%Y%m%d-%H%M%S";       // directory names: 20240131-235959
inline constexpr const char* kUtcIso8601Format = "%Y-%m-%dT%H:%M:%SZ";  // metrics.json: 2024-01-31T23:59:59Z

// `time` in UTC, formatted by strftime with `strftime_format`; "" when that text would run past 63
// characters.
std::string format_utc(std::time_t time, const char* strftime_format);

// The current time in UTC, formatted by strftime with `strftime_format`.
std::string utc_timestamp(const char* strftime_format);

}  // namespace wei
