#pragma once
// Device policy (GUIDE §3): "auto" = CUDA if available else CPU (logged); "cpu"; "cuda"/"cuda:N" must
// be honoured or the run is refused (InputError, exit 2) — never a silent fallback.
#include <string>

#include <spdlog/logger.h>
#include <torch/types.h>

namespace wei {

// "" when `spec` is auto, cpu, or cuda / cuda:N with such a CUDA device present; else the problem.
std::string device_spec_problem(const std::string& spec);
torch::Device resolve_device(const std::string& spec, spdlog::logger& log);
// Threads torch may use: `requested`; with 0, $WEI_THREADS when set (sweep workers get their share
// of the cores this way, so the resolved spec does not depend on --jobs), else the cores in this
// process's affinity mask.
int resolve_threads(int64_t requested);
// The cores in this process's affinity mask: the most threads a spec may ask for.
int usable_cores();

}  // namespace wei
