#include "base/world_info.h"

#include <cstdlib>
#include <thread>

#include "base/device.h"
#include "base/errors.h"

namespace wei {

namespace {

int64_t parse_integer(const std::string& name, const std::string& text, int64_t min, int64_t max) {
  size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max) {
    throw InputError("environment variable " + name + "='" + text + "': expected an integer in [" + std::to_string(min) +
                     ", " + std::to_string(max) + "]");
  }
  return value;
}

int required_int(const EnvLookup& env, const std::string& name, int64_t min, int64_t max) {
  const auto text = env(name);
  if (!text) throw InputError("environment variable " + name + " is not set (needed for a data-parallel run)");
  return static_cast<int>(parse_integer(name, *text, min, max));
}

int optional_int(const EnvLookup& env, const std::string& name, int fallback, int64_t min, int64_t max) {
  const auto text = env(name);
  return text ? static_cast<int>(parse_integer(name, *text, min, max)) : fallback;
}

constexpr int64_t kMaxRanks = 1 << 20;

WorldInfo torchrun_world(const EnvLookup& env) {
  WorldInfo w;
  w.launcher = "torchrun";
  w.world_size = required_int(env, "WORLD_SIZE", 1, kMaxRanks);
  w.rank = required_int(env, "RANK", 0, w.world_size - 1);
  w.local_world_size = optional_int(env, "LOCAL_WORLD_SIZE", w.world_size, 1, w.world_size);
  w.local_rank = optional_int(env, "LOCAL_RANK", w.rank % w.local_world_size, 0, w.local_world_size - 1);
  if (w.world_size > 1) {
    const auto addr = env("MASTER_ADDR");
    if (!addr || addr->empty()) throw InputError("environment variable MASTER_ADDR is not set (RANK and WORLD_SIZE are)");
    w.master_addr = *addr;
    w.master_port = required_int(env, "MASTER_PORT", 1, 65535);
  }
  return w;
}

// "2(x3),1" -> 2: the tasks on the first node (every node of a homogeneous step).
int tasks_on_first_node(const std::string& tasks_per_node) {
  const size_t end = tasks_per_node.find_first_of("(,");
  return static_cast<int>(parse_integer("SLURM_STEP_TASKS_PER_NODE", tasks_per_node.substr(0, end), 1, kMaxRanks));
}

WorldInfo slurm_world(const EnvLookup& env) {
  WorldInfo w;
  w.launcher = "slurm";
  const char* tasks_name = env("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
  w.world_size = required_int(env, tasks_name, 1, kMaxRanks);
  w.rank = required_int(env, "SLURM_PROCID", 0, w.world_size - 1);
  const auto per_node = env("SLURM_STEP_TASKS_PER_NODE");
  w.local_world_size = per_node ? std::min(w.world_size, tasks_on_first_node(*per_node)) : w.world_size;
  w.local_rank = optional_int(env, "SLURM_LOCALID", 0, 0, kMaxRanks);
  if (w.world_size > 1) {
    const auto nodes = env("SLURM_JOB_NODELIST");
    if (!nodes || nodes->empty()) throw InputError("environment variable SLURM_JOB_NODELIST is not set");
    w.master_addr = first_slurm_host(*nodes);
    const auto job = env("SLURM_JOB_ID");
    if (!job) throw InputError("environment variable SLURM_JOB_ID is not set");
    w.master_port = slurm_master_port(parse_integer("SLURM_JOB_ID", *job, 0, INT64_MAX));
  }
  return w;
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

WorldInfo detect_world(const EnvLookup& env) {
  if (env("RANK") || env("WORLD_SIZE")) return torchrun_world(env);
  if (env("SLURM_STEP_ID") && env("SLURM_PROCID")) {
    WorldInfo w = slurm_world(env);
    if (w.world_size > 1) return w;
  }
  return WorldInfo{};
}

std::string first_slurm_host(const std::string& node_list) {
  // The first entry ends at the first comma outside brackets.
  size_t end = 0;
  int depth = 0;
  for (; end < node_list.size(); ++end) {
    if (node_list[end] == '[') ++depth;
    if (node_list[end] == ']') --depth;
    if (node_list[end] == ',' && depth == 0) break;
  }
  std::string host = node_list.substr(0, end);
  if (host.empty()) throw InputError("SLURM_JOB_NODELIST='" + node_list + "': no host");
  // Each bracket stands for its first item: "03-05" -> "03", "9,11" -> "9".
  for (size_t open = host.find('['); open != std::string::npos; open = host.find('[')) {
    const size_t close = host.find(']', open);
    if (close == std::string::npos) throw InputError("SLURM_JOB_NODELIST='" + node_list + "': unbalanced '['");
    const std::string ranges = host.substr(open + 1, close - open - 1);
    const std::string first = ranges.substr(0, ranges.find_first_of(",-"));
    if (first.empty()) throw InputError("SLURM_JOB_NODELIST='" + node_list + "': empty range");
    host = host.substr(0, open) + first + host.substr(close + 1);
  }
  return host;
}

int slurm_master_port(int64_t job_id) { return 20000 + static_cast<int>(job_id % 40000); }

int usable_cores_per_rank(const WorldInfo& world) {
  const int cores = usable_cores();
  if (world.local_world_size <= 1 || cores < static_cast<int>(std::thread::hardware_concurrency())) return cores;
  return std::max(1, cores / world.local_world_size);
}

}  // namespace wei
