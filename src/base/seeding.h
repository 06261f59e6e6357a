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

}  // namespace wei
