#pragma once
// The host processor, as metrics.json records it (run.cpu) and as precision choices need it: an
// epoch time or a bf16 speed-up means little without the processor it was measured on, and bf16
// autocast on a CPU without bf16 kernels is far slower than fp32 (15x measured on an AVX2-only
// AMD EPYC, where oneDNN has no bf16 convolutions and LibTorch falls back to its reference code).
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace wei {

// How the CPU runs bf16 matrix and convolution kernels (oneDNN's ISA levels):
//   kAmx          AMX tiles (amx_bf16): the fast path the bf16 targets assume;
//   kAvx512Bf16   AVX512-BF16 dot products;
//   kAvx512       AVX-512 without bf16 instructions: oneDNN emulates bf16 with fp32 FMAs;
//   kNone         no AVX-512: no oneDNN bf16 kernels, reference code far slower than fp32.
enum class Bf16Support { kNone, kAvx512, kAvx512Bf16, kAmx };

struct CpuInfo {
  std::string model;  // "model name" of the first processor; "" when unknown
  int logical_cores = 0;  // processor entries listed
  Bf16Support bf16 = Bf16Support::kNone;
};

// Parses /proc/cpuinfo text; the flags of the first processor decide (all cores of a host match).
CpuInfo parse_cpu_info(std::istream& cpuinfo);
// The host's, read once from /proc/cpuinfo; model "" and kNone where that file is unreadable.
const CpuInfo& host_cpu();

// "amx", "avx512_bf16", "avx512_emulated" or "none".
std::string bf16_support_name(Bf16Support support);
// "MODEL, N logical cores, bf16 kernels: LEVEL" (model "unknown" when unread): wei-run --version's
// second line, which scripts/bench_imbalanced_cifar.sh reads, and log messages.
std::string cpu_summary(const CpuInfo& cpu);
// {"model", "logical_cores", "bf16_kernels"}: the metrics.json run.cpu block.
nlohmann::ordered_json cpu_info_json(const CpuInfo& cpu);

}  // namespace wei
