#pragma once
// Helpers for trainers' save_state/load_state: RNG streams and plain values in torch archives.
// A missing key on load throws RunError naming the key (a checkpoint from another version/spec).
#include <random>
#include <string>

#include <ATen/core/Generator.h>
#include <torch/serialize/archive.h>

namespace wei {

void write_generator(torch::serialize::OutputArchive& ar, const std::string& key, const at::Generator& gen);
void read_generator(torch::serialize::InputArchive& ar, const std::string& key, at::Generator& gen);
void write_std_rng(torch::serialize::OutputArchive& ar, const std::string& key, const std::mt19937_64& rng);
void read_std_rng(torch::serialize::InputArchive& ar, const std::string& key, std::mt19937_64& rng);
void write_string(torch::serialize::OutputArchive& ar, const std::string& key, const std::string& value);
std::string read_string(torch::serialize::InputArchive& ar, const std::string& key);
void write_int(torch::serialize::OutputArchive& ar, const std::string& key, int64_t value);
int64_t read_int(torch::serialize::InputArchive& ar, const std::string& key);
void write_tensor(torch::serialize::OutputArchive& ar, const std::string& key, const torch::Tensor& value);
// Copies the stored tensor into `value` (same shape), keeping `value`'s storage and device.
void read_tensor_into(torch::serialize::InputArchive& ar, const std::string& key, torch::Tensor& value);

}  // namespace wei
