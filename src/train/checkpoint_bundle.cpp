#include "train/checkpoint_bundle.h"

#include <sstream>
#include <stdexcept>

#include "base/errors.h"

namespace wei {

namespace {

using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

InputArchive read_part(InputArchive& archive, const std::string& key) {
  InputArchive part;
  if (!archive.try_read(key, part)) throw RunError("checkpoint has no entry '" + key + "'");
  return part;
}

std::string read_text(InputArchive& archive, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString()) throw RunError("checkpoint has no text entry '" + key + "'");
  return value.toStringRef();
}

void copy_stored(const torch::Tensor& stored, torch::Tensor& into, const std::string& what) {
  if (stored.sizes() != into.sizes()) {
    throw RunError("checkpoint tensor '" + what + "' has shape " + c10::str(stored.sizes()) + ", expected " +
                   c10::str(into.sizes()));
  }
  torch::NoGradGuard no_grad;
  into.copy_(stored);
}

// The inverse of Module::save (one nested archive per child), copying into the existing tensors
// instead of replacing their storage as Module::load does.
void load_module_in_place(InputArchive& archive, torch::nn::Module& module, const std::string& path) {
  for (auto& param : module.named_parameters(/*recurse=*/false)) {
    torch::Tensor stored;
    if (!archive.try_read(param.key(), stored)) throw RunError("checkpoint has no parameter '" + path + param.key() + "'");
    copy_stored(stored, param.value(), path + param.key());
  }
  for (auto& buffer : module.named_buffers(/*recurse=*/false)) {
    if (!buffer.value().defined()) continue;
    torch::Tensor stored;
    if (!archive.try_read(buffer.key(), stored, /*is_buffer=*/true))
      throw RunError("checkpoint has no buffer '" + path + buffer.key() + "'");
    copy_stored(stored, buffer.value(), path + buffer.key());
  }
  for (auto& child : module.named_children()) {
    if (!child.value()->is_serializable()) continue;
    InputArchive part = read_part(archive, child.key());
    load_module_in_place(part, *child.value(), path + child.key() + ".");
  }
}

}  // namespace

void CheckpointBundle::add(Entry entry) {
  for (const auto& e : entries_) {
    if (e.key == entry.key) throw std::logic_error("checkpoint key '" + entry.key + "' registered twice");
  }
  entries_.push_back(std::move(entry));
}

void CheckpointBundle::add_module(const std::string& key, torch::nn::Module& module) {
  add({key, [&module](OutputArchive& ar) { module.save(ar); },
       [&module, key](InputArchive& ar) { load_module_in_place(ar, module, key + ":"); }});
  modules_.push_back(&module);
}

std::vector<torch::Tensor> CheckpointBundle::module_tensors() const {
  std::vector<torch::Tensor> tensors;
  for (torch::nn::Module* module : modules_) {
    for (const auto& p : module->parameters()) tensors.push_back(p);
    for (const auto& b : module->buffers()) {
      if (b.defined()) tensors.push_back(b);
    }
  }
  return tensors;
}

void CheckpointBundle::add_optimizer(const std::string& key, torch::optim::Optimizer& optimizer) {
  add({key, [&optimizer](OutputArchive& ar) { optimizer.save(ar); },
       [&optimizer](InputArchive& ar) { optimizer.load(ar); }});
}

void CheckpointBundle::add_generator(const std::string& key, const at::Generator& generator) {
  add({key,
       [generator](OutputArchive& ar) {
         at::Generator handle = generator;  // get_state() is not const
         std::lock_guard<std::mutex> lock(handle.mutex());
         ar.write("state", handle.get_state());
       },
       [generator, key](InputArchive& ar) {
         torch::Tensor state;
         if (!ar.try_read("state", state)) throw RunError("checkpoint has no generator state '" + key + "'");
         at::Generator handle = generator;
         std::lock_guard<std::mutex> lock(handle.mutex());
         handle.set_state(state);
       }});
}

void CheckpointBundle::add_rng(const std::string& key, std::mt19937_64& rng) {
  add({key,
       [&rng](OutputArchive& ar) {
         std::ostringstream out;
         out << rng;
         ar.write("state", c10::IValue(out.str()));
       },
       [&rng, key](InputArchive& ar) {
         std::istringstream in(read_text(ar, "state"));
         in >> rng;
         if (!in) throw RunError("checkpoint entry '" + key + "' is not a random-engine state");
       }});
}

void CheckpointBundle::add_tensor(const std::string& key, torch::Tensor& tensor) {
  add({key, [&tensor](OutputArchive& ar) { ar.write("value", tensor.detach()); },
       [&tensor, key](InputArchive& ar) {
         torch::Tensor stored;
         if (!ar.try_read("value", stored)) throw RunError("checkpoint has no tensor '" + key + "'");
         copy_stored(stored, tensor, key);
       }});
}

void CheckpointBundle::add_json(const std::string& key, std::function<nlohmann::ordered_json()> save,
                                std::function<void(const nlohmann::ordered_json&)> load) {
  add({key, [save = std::move(save)](OutputArchive& ar) { ar.write("json", c10::IValue(save().dump())); },
       [load = std::move(load), key](InputArchive& ar) {
         nlohmann::ordered_json value;
         try {
           value = nlohmann::ordered_json::parse(read_text(ar, "json"));
         } catch (const nlohmann::json::exception& e) {
           throw RunError("checkpoint entry '" + key + "' is not valid JSON: " + e.what());
         }
         try {
           load(value);
         } catch (const nlohmann::json::exception& e) {
           throw RunError("checkpoint entry '" + key + "' does not hold the expected state: " + e.what());
         }
       }});
}

void CheckpointBundle::save(OutputArchive& archive) const {
  for (const auto& entry : entries_) {
    OutputArchive part(archive.compilation_unit());
    entry.save(part);
    archive.write(entry.key, part);
  }
}

void CheckpointBundle::load(InputArchive& archive) const {
  for (const auto& entry : entries_) {
    InputArchive part = read_part(archive, entry.key);
    entry.load(part);
  }
}

std::vector<std::string> CheckpointBundle::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.key);
  return out;
}

}  // namespace wei
