#include "core/checkpoint_io.h"

#include <sstream>

#include "core/errors.h"

namespace wei {

namespace {
c10::IValue read_value(torch::serialize::InputArchive& ar, const std::string& key) {
  c10::IValue value;
  if (!ar.try_read(key, value)) throw RunError("checkpoint has no entry '" + key + "'");
  return value;
}
}  // namespace

void write_generator(torch::serialize::OutputArchive& ar, const std::string& key, const at::Generator& gen) {
  at::Generator handle = gen;  // a shared handle; get_state() is not const
  std::lock_guard<std::mutex> lock(handle.mutex());
  ar.write(key, handle.get_state());
}

void read_generator(torch::serialize::InputArchive& ar, const std::string& key, at::Generator& gen) {
  torch::Tensor state;
  if (!ar.try_read(key, state)) throw RunError("checkpoint has no generator '" + key + "'");
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

void write_std_rng(torch::serialize::OutputArchive& ar, const std::string& key, const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  write_string(ar, key, out.str());
}

void read_std_rng(torch::serialize::InputArchive& ar, const std::string& key, std::mt19937_64& rng) {
  std::istringstream in(read_string(ar, key));
  in >> rng;
  if (!in) throw RunError("checkpoint entry '" + key + "' is not a random-engine state");
}

void write_string(torch::serialize::OutputArchive& ar, const std::string& key, const std::string& value) {
  ar.write(key, c10::IValue(value));
}

std::string read_string(torch::serialize::InputArchive& ar, const std::string& key) {
  const c10::IValue value = read_value(ar, key);
  if (!value.isString()) throw RunError("checkpoint entry '" + key + "' is not a string");
  return value.toStringRef();
}

void write_int(torch::serialize::OutputArchive& ar, const std::string& key, int64_t value) {
  ar.write(key, c10::IValue(value));
}

int64_t read_int(torch::serialize::InputArchive& ar, const std::string& key) {
  const c10::IValue value = read_value(ar, key);
  if (!value.isInt()) throw RunError("checkpoint entry '" + key + "' is not an integer");
  return value.toInt();
}

void write_tensor(torch::serialize::OutputArchive& ar, const std::string& key, const torch::Tensor& value) {
  ar.write(key, value.detach().cpu());
}

void read_tensor_into(torch::serialize::InputArchive& ar, const std::string& key, torch::Tensor& value) {
  torch::Tensor stored;
  if (!ar.try_read(key, stored)) throw RunError("checkpoint has no tensor '" + key + "'");
  if (stored.sizes() != value.sizes())
    throw RunError("checkpoint tensor '" + key + "' has another shape than the model's");
  torch::NoGradGuard no_grad;
  value.copy_(stored);
}

}  // namespace wei
