#include "trainers/self_training/teacher_checkpoint.h"

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "base/errors.h"
#include "train/checkpoint_bundle.h"
#include "train/checkpoint_file.h"
#include "train/weight_average.h"

namespace wei::self_training {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
  throw InputError("teacher.checkpoint: " + path + ": " + problem);
}

// The value at a dotted path of the run's resolved spec (a fresh handle per level: assigning to a
// yaml-cpp node would write through it).
YAML::Node at_path(const YAML::Node& node, const std::string& dotted) {
  if (!node.IsMap()) return YAML::Node();
  const size_t dot = dotted.find('.');
  const YAML::Node child = node[dotted.substr(0, dot)];
  if (!child || dot == std::string::npos) return child;
  return at_path(child, dotted.substr(dot + 1));
}

template <typename T>
T read_key(const YAML::Node& config, const std::string& key, const std::string& path) {
  const YAML::Node node = at_path(config, key);
  if (!node) refuse(path, "its config.yaml has no " + key);
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    refuse(path, "its config.yaml has an unreadable " + key);
  }
}

}  // namespace

LoadedTeacher load_teacher(const std::string& path, const TeacherExpectations& expected) {
  const fs::path given(path);
  const fs::path run_dir = fs::is_directory(given) ? given : given.parent_path().parent_path();
  const fs::path checkpoint = fs::is_directory(given) ? run_dir / "checkpoints" / "last.pt" : given;
  if (!fs::exists(checkpoint)) refuse(path, "no checkpoint (expected a run directory or its checkpoints/last.pt)");
  const fs::path config_path = run_dir / "config.yaml";
  if (!fs::exists(config_path)) refuse(path, "no config.yaml beside the checkpoint's run");

  YAML::Node config;
  try {
    config = YAML::LoadFile(config_path.string());
  } catch (const YAML::Exception& e) {
    refuse(path, "its config.yaml is not YAML: " + std::string(e.what()));
  }
  const auto trainer = read_key<std::string>(config, "trainer", path);
  if (trainer != "self_training") refuse(path, "a run of trainer " + trainer + ", not self_training");
  const YAML::Node setting = at_path(config, "setting");
  if (setting && setting.as<std::string>() != "cifar10") refuse(path, "a run of setting " + setting.as<std::string>());
  const bool real_data = !read_key<std::string>(config, "data.root", path).empty();
  if (real_data != expected.real_data) {
    const auto data_name = [](bool real) { return real ? "CIFAR-10 files" : "the synthetic stand-in"; };
    refuse(path, std::string("its teacher was trained on ") + data_name(real_data) + ", this run reads " +
                     data_name(expected.real_data));
  }
  if (read_key<std::vector<double>>(config, "data.mean", path) != expected.mean ||
      read_key<std::vector<double>>(config, "data.std", path) != expected.std) {
    refuse(path, "its teacher normalises images with another data.mean or data.std");
  }

  models::WideResNetOptions shape{read_key<int64_t>(config, "model.depth", path),
                                  read_key<int64_t>(config, "model.widen", path), 10,
                                  models::WideResNetVariant::kFixMatch};
  shape.relu_slope = read_key<double>(config, "model.relu_slope", path);
  shape.bn_momentum = read_key<double>(config, "model.bn_momentum", path);
  LoadedTeacher teacher;
  teacher.network = models::WideResNet(shape);
  teacher.run_dir = run_dir.string();
  teacher.network_name = models::wide_resnet_name(shape.depth, shape.widen);
  const double ema = read_key<double>(config, "optim.ema", path);
  std::unique_ptr<WeightAverage> average;
  CheckpointBundle bundle;
  bundle.add_module("model", *teacher.network);
  if (ema > 0) {
    average = std::make_unique<WeightAverage>(*teacher.network, ema);
    average->register_state(bundle, "weight_average");
  }
  try {
    torch::serialize::InputArchive archive;
    read_checkpoint(checkpoint, archive);
    bundle.load(archive);
  } catch (const CheckpointError& e) {
    refuse(path, e.what());
  } catch (const RunError& e) {
    refuse(path, "its checkpoint does not hold the " + teacher.network_name + " of its config.yaml (" +
                     first_line(e.what()) + ")");
  }
  if (average) {
    // The averages are in the order of the module's parameters then buffers.
    const std::vector<torch::Tensor>& averaged = average->averages();
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& p : teacher.network->parameters()) p.copy_(averaged[i++]);
    for (auto& b : teacher.network->buffers()) b.copy_(averaged[i++]);
    teacher.averaged = true;
  }
  teacher.network->eval();
  return teacher;
}

}  // namespace wei::self_training
