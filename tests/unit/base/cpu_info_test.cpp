#include "base/cpu_info.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace {

// /proc/cpuinfo of a host with `processors` identical entries carrying `flags`.
std::string cpuinfo_text(const std::string& model, const std::string& flags, int processors) {
  std::string text;
  for (int i = 0; i < processors; ++i) {
    text += "processor\t: " + std::to_string(i) + "\nvendor_id\t: X\nmodel name\t: " + model +
            "\nflags\t\t: " + flags + "\n\n";
  }
  return text;
}

wei::CpuInfo parse(const std::string& text) {
  std::istringstream in(text);
  return wei::parse_cpu_info(in);
}

}  // namespace

TEST_CASE("cpuinfo: model, cores and the bf16 kernel level from the flags", "[core]") {
  const auto amd = parse(cpuinfo_text("AMD EPYC", "fpu sse2 avx avx2 fma f16c", 2));
  CHECK(amd.model == "AMD EPYC");
  CHECK(amd.logical_cores == 2);
  CHECK(amd.bf16 == wei::Bf16Support::kNone);

  const auto sapphire = parse(cpuinfo_text("Intel(R) Xeon(R) Platinum 8480+",
                                           "avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16 amx_bf16 amx_tile", 4));
  CHECK(sapphire.logical_cores == 4);
  CHECK(sapphire.bf16 == wei::Bf16Support::kAmx);

  CHECK(parse(cpuinfo_text("Zen 4", "avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16", 1)).bf16 ==
        wei::Bf16Support::kAvx512Bf16);
  CHECK(parse(cpuinfo_text("Skylake", "avx2 avx512f avx512dq avx512bw avx512vl", 1)).bf16 ==
        wei::Bf16Support::kAvx512);
  // AVX-512 Foundation alone is not oneDNN's avx512_core level.
  CHECK(parse(cpuinfo_text("Knights Landing", "avx2 avx512f avx512cd", 1)).bf16 == wei::Bf16Support::kNone);
  // "avx512_bf16" as a prefix of another flag does not count.
  CHECK(parse(cpuinfo_text("X", "avx2 avx512_bf16x", 1)).bf16 == wei::Bf16Support::kNone);
}

TEST_CASE("cpuinfo: unreadable or empty text gives an unknown CPU", "[core]") {
  const auto none = parse("");
  CHECK(none.model.empty());
  CHECK(none.logical_cores == 0);
  CHECK(none.bf16 == wei::Bf16Support::kNone);
  const auto json = wei::cpu_info_json(parse(cpuinfo_text("AMD EPYC", "avx2", 2)));
  CHECK(json.dump() == R"({"model":"AMD EPYC","logical_cores":2,"bf16_kernels":"none"})");
  CHECK(wei::bf16_support_name(wei::Bf16Support::kAvx512) == "avx512_emulated");
  CHECK(wei::cpu_summary(parse(cpuinfo_text("AMD EPYC", "avx2", 2))) == "AMD EPYC, 2 logical cores, bf16 kernels: none");
  CHECK(wei::cpu_summary(parse("")) == "unknown, 0 logical cores, bf16 kernels: none");
}
