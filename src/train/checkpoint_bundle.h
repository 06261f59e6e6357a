#pragma once
// Everything a run needs to continue bit-identically after its last completed epoch, registered once
// and saved and loaded by the same code: modules (parameters and buffers), optimizers (their state
// and options, learning rate included), random streams (torch generators, std engines), tensors and
// JSON state. The runner registers its own state beside the trainer's, saves the bundle after every
// epoch and loads it on resume.
//
// Registration keeps a reference to each object: a registered object must outlive the bundle, and a
// registered tensor or engine member must not be replaced by one the bundle does not see (a
// generator's state object is shared by its handles, so copying a handle is fine). Loading copies
// into the registered objects in place, keeping their device, dtype and memory layout (a
// channels-last model stays channels-last) and the optimizer's references to its parameters.
// A checkpoint without a registered key, or with a tensor of another shape, is a RunError naming it.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

namespace wei {

class CheckpointBundle {
 public:
  void add_module(const std::string& key, torch::nn::Module& module);
  void add_optimizer(const std::string& key, torch::optim::Optimizer& optimizer);
  void add_generator(const std::string& key, const at::Generator& generator);
  void add_rng(const std::string& key, std::mt19937_64& rng);
  void add_tensor(const std::string& key, torch::Tensor& tensor);
  void add_json(const std::string& key, std::function<nlohmann::ordered_json()> save,
                std::function<void(const nlohmann::ordered_json&)> load);
  // Any value nlohmann::json converts both ways (numbers, strings, vectors, json itself).
  template <typename T>
  void add_value(const std::string& key, T& value) {
    add_json(key, [&value] { return nlohmann::ordered_json(value); },
             [&value](const nlohmann::ordered_json& j) { value = j.get<T>(); });
  }

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive) const;
  // Registered keys in registration order.
  std::vector<std::string> keys() const;
  // The parameters and buffers of the registered modules (what a data-parallel run broadcasts
  // from rank 0), in registration order.
  std::vector<torch::Tensor> module_tensors() const;

 private:
  struct Entry {
    std::string key;
    std::function<void(torch::serialize::OutputArchive&)> save;
    std::function<void(torch::serialize::InputArchive&)> load;
  };
  void add(Entry entry);
  std::vector<Entry> entries_;
  std::vector<torch::nn::Module*> modules_;
};

}  // namespace wei
