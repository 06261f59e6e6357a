#pragma once
// How much memory this process may still use: the least of the machine's available memory
// (/proc/meminfo MemAvailable), its cgroup's limit minus its use (v2 memory.max, v1
// memory.limit_in_bytes) and its address-space rlimit.
#include <optional>
#include <string>

namespace wei {

struct MemoryLimit {
  double bytes;
  std::string source;  // "MemAvailable", "cgroup memory.max", "RLIMIT_AS"
};

// nullopt when none of the sources can be read.
std::optional<MemoryLimit> available_memory();

// How many processes the out-of-memory killer has killed in this process's memory cgroup (v2
// memory.events or v1 memory.oom_control, "oom_kill"); nullopt when the kernel does not say.
std::optional<long> oom_kill_count();

}  // namespace wei
