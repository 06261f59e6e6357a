#include "base/device.h"

#include <sched.h>

#include <cstdlib>
#include <regex>
#include <thread>

#include <torch/cuda.h>

#include "base/errors.h"

namespace wei {

std::string device_spec_problem(const std::string& spec) {
  static const std::regex kPattern("auto|cpu|cuda(:[0-9]+)?");
  if (!std::regex_match(spec, kPattern)) return "must be auto, cpu, cuda or cuda:N";
  if (spec == "auto" || spec == "cpu") return "";
  if (!torch::cuda::is_available()) {
    return "CUDA is not available on this machine (this LibTorch sees no CUDA device); use device=cpu or device=auto";
  }
  const torch::Device device(spec);
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (device.has_index() && device.index() >= count) {
    return "only " + std::to_string(count) + " CUDA device(s) exist (cuda:0 .. cuda:" + std::to_string(count - 1) + ")";
  }
  return "";
}

torch::Device resolve_device(const std::string& spec, spdlog::logger& log) {
  if (const std::string problem = device_spec_problem(spec); !problem.empty()) {
    throw InputError("device '" + spec + "': " + problem);
  }
  if (spec == "auto") {
    if (torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
    log.info("device auto: no CUDA device available, running on CPU");
    return torch::Device(torch::kCPU);
  }
  if (spec == "cpu") return torch::Device(torch::kCPU);
  const torch::Device device(spec);
  return device.has_index() ? device : torch::Device(torch::kCUDA, 0);
}

int resolve_threads(int64_t requested) {
  if (requested > 0) return static_cast<int>(requested);
  if (const char* env = std::getenv("WEI_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return usable_cores();
}

int usable_cores() {
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) return std::max(1, CPU_COUNT(&mask));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace wei
