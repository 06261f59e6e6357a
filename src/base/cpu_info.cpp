#include "base/cpu_info.h"

#include <fstream>
#include <set>
#include <sstream>

namespace wei {
namespace {

// "key\t: value" -> {"key", "value"}; a line without ':' gives an empty key.
std::pair<std::string, std::string> split_field(const std::string& line) {
  const auto colon = line.find(':');
  if (colon == std::string::npos) return {};
  auto trim = [](std::string s) {
    const auto first = s.find_first_not_of(" \t");
    const auto last = s.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
  };
  return {trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

Bf16Support bf16_support_from_flags(const std::set<std::string>& flags) {
  if (flags.count("amx_bf16")) return Bf16Support::kAmx;
  if (flags.count("avx512_bf16")) return Bf16Support::kAvx512Bf16;
  // oneDNN's avx512_core level: F, BW, VL and DQ together.
  if (flags.count("avx512f") && flags.count("avx512bw") && flags.count("avx512vl") && flags.count("avx512dq")) {
    return Bf16Support::kAvx512;
  }
  return Bf16Support::kNone;
}

}  // namespace

CpuInfo parse_cpu_info(std::istream& cpuinfo) {
  CpuInfo info;
  std::set<std::string> flags;
  bool have_flags = false;
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto [key, value] = split_field(line);
    if (key == "processor") {
      ++info.logical_cores;
    } else if (key == "model name" && info.model.empty()) {
      info.model = value;
    } else if (key == "flags" && !have_flags) {
      std::istringstream words(value);
      for (std::string flag; words >> flag;) flags.insert(flag);
      have_flags = true;
    }
  }
  info.bf16 = bf16_support_from_flags(flags);
  return info;
}

const CpuInfo& host_cpu() {
  static const CpuInfo info = [] {
    std::ifstream in("/proc/cpuinfo");
    return in ? parse_cpu_info(in) : CpuInfo{};
  }();
  return info;
}

std::string bf16_support_name(Bf16Support support) {
  switch (support) {
    case Bf16Support::kAmx: return "amx";
    case Bf16Support::kAvx512Bf16: return "avx512_bf16";
    case Bf16Support::kAvx512: return "avx512_emulated";
    case Bf16Support::kNone: break;
  }
  return "none";
}

std::string cpu_summary(const CpuInfo& cpu) {
  return (cpu.model.empty() ? std::string("unknown") : cpu.model) + ", " + std::to_string(cpu.logical_cores) +
         " logical cores, bf16 kernels: " + bf16_support_name(cpu.bf16);
}

nlohmann::ordered_json cpu_info_json(const CpuInfo& cpu) {
  return {{"model", cpu.model}, {"logical_cores", cpu.logical_cores}, {"bf16_kernels", bf16_support_name(cpu.bf16)}};
}

}  // namespace wei
