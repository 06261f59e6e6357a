#include "base/seeding.h"

#include <ATen/CPUGeneratorImpl.h>

namespace wei {

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

uint64_t derive_seed(uint64_t seed, std::string_view stream) {
  uint64_t hash = 0xCBF29CE484222325ULL;  // FNV-1a
  for (const char c : stream) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return splitmix64(splitmix64(seed) ^ hash);
}

at::Generator make_generator(uint64_t seed, std::string_view stream) {
  return at::detail::createCPUGenerator(derive_seed(seed, stream));
}

std::mt19937_64 make_std_rng(uint64_t seed, std::string_view stream) {
  return std::mt19937_64(derive_seed(seed, stream));
}

}  // namespace wei
