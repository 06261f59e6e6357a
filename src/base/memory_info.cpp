#include "base/memory_info.h"

#include <sys/resource.h>

#include <fstream>
#include <sstream>

namespace wei {

namespace {

std::optional<double> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024.0;
  }
  return std::nullopt;
}

// The cgroup of this process: "/system.slice/x.service" from "0::/system.slice/x.service" (v2).
std::string own_cgroup(bool v2) {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    if (v2 ? controllers.empty() : controllers.find("memory") != std::string::npos) return line.substr(second + 1);
  }
  return "";
}

std::optional<double> cgroup_room(std::string& source) {
  const std::string v2 = "/sys/fs/cgroup" + own_cgroup(true);
  if (const auto limit = read_number(v2 + "/memory.max")) {
    source = "cgroup memory.max";
    return *limit - read_number(v2 + "/memory.current").value_or(0);
  }
  const std::string v1 = "/sys/fs/cgroup/memory" + own_cgroup(false);
  if (const auto limit = read_number(v1 + "/memory.limit_in_bytes"); limit && *limit < 1e18) {
    source = "cgroup memory.limit_in_bytes";
    return *limit - read_number(v1 + "/memory.usage_in_bytes").value_or(0);
  }
  return std::nullopt;
}

}  // namespace

std::optional<long> oom_kill_count() {
  // v2: memory.events; v1: memory.oom_control (Linux >= 4.13). Both list "oom_kill N".
  for (const std::string& path : {"/sys/fs/cgroup" + own_cgroup(true) + "/memory.events",
                                 "/sys/fs/cgroup/memory" + own_cgroup(false) + "/memory.oom_control"}) {
    std::ifstream in(path);
    std::string key;
    long count = 0;
    while (in >> key >> count) {
      if (key == "oom_kill") return count;
    }
  }
  return std::nullopt;
}

std::optional<MemoryLimit> available_memory() {
  std::optional<MemoryLimit> least;
  const auto offer = [&](std::optional<double> bytes, const std::string& source) {
    if (bytes && (!least || *bytes < least->bytes)) least = MemoryLimit{*bytes, source};
  };
  offer(mem_available(), "MemAvailable");
  std::string cgroup_source;
  const auto room = cgroup_room(cgroup_source);
  offer(room, cgroup_source);
  struct rlimit limit {};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    offer(static_cast<double>(limit.rlim_cur), "RLIMIT_AS");
  }
  return least;
}

}  // namespace wei
