#include "base/fault_injection.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace wei {

namespace {

long long env_number(const char* name, long long absent) {
  const char* text = std::getenv(name);
  return text ? std::atoll(text) : absent;
}

}  // namespace

bool inject_enospc(size_t bytes) {
  static const long long limit = env_number("WEI_INJECT_ENOSPC_AFTER", -1);
  static std::atomic<long long> written{0};
  if (limit < 0) return false;
  return written.fetch_add(static_cast<long long>(bytes)) + static_cast<long long>(bytes) > limit;
}

void inject_sigkill_in_write(WritePoint point) {
  static const char* spec = std::getenv("WEI_INJECT_SIGKILL_IN_WRITE");
  if (!spec) return;
  static const long long target = std::atoll(spec);
  static const std::string where = std::strchr(spec, ':') ? std::strchr(spec, ':') + 1 : "partial";
  static std::atomic<long long> writes{0};
  if (point == WritePoint::kPartial) ++writes;
  const char* name = point == WritePoint::kPartial ? "partial" : point == WritePoint::kBeforeRename ? "before_rename"
                                                                                                     : "after_rename";
  if (writes.load() == target && where == name) ::kill(::getpid(), SIGKILL);
}

void inject_allocation() {
  const long long bytes = env_number("WEI_INJECT_ALLOCATE_BYTES", 0);
  if (bytes <= 0) return;
  static std::vector<char> hog;
  hog.resize(static_cast<size_t>(bytes));
  for (size_t i = 0; i < hog.size(); i += 4096) hog[i] = 1;  // touched, so it is really held
}

}  // namespace wei
