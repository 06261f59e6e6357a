#include "base/utc_time.h"

namespace wei {

std::string format_utc(std::time_t time, const char* strftime_format) {
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buf[64];
  const size_t length = std::strftime(buf, sizeof(buf), strftime_format, &tm);
  return std::string(buf, length);
}

std::string utc_timestamp(const char* strftime_format) { return format_utc(std::time(nullptr), strftime_format); }

}  // namespace wei
