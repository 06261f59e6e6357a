#pragma once
// One recorded seed, many independent streams: each consumer (data subsampling, init, shuffling,
// augmentation, noise) derives its own seed from (seed, stream name), so adding a consumer never
// shifts the numbers another one draws.
#include <cstdint>
#include <random>
#include <string_view>

#include <ATen/core/Generator.h>

namespace wei {

// SplitMix64 of the seed mixed with an FNV-1a hash of the stream name.
uint64_t derive_seed(uint64_t seed, std::string_view stream);
// A CPU torch generator for the stream (pass it to torch::randn(..., gen), randperm, ...).
at::Generator make_generator(uint64_t seed, std::string_view stream);
std::mt19937_64 make_std_rng(uint64_t seed, std::string_view stream);

// Uniform double in [0, 1) from the engine's top 53 bits: the same numbers on every standard
// library (std::uniform_real_distribution's are not specified).
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
// Uniform integer in [0, n), n > 0, from uniform01.
inline int64_t uniform_below(std::mt19937_64& rng, int64_t n) {
  const auto k = static_cast<int64_t>(uniform01(rng) * static_cast<double>(n));
  return k < n ? k : n - 1;
}

}  // namespace wei
