#include "train/checkpoint_bundle.h"

#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "base/errors.h"
#include "base/seeding.h"
#include "support/trainer_fixture.h"

namespace {

struct Net : torch::nn::Module {
  Net() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
    head = register_module("head", torch::nn::Linear(4, 2));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return head(torch::relu(bn(conv(x))).mean({2, 3}));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear head{nullptr};
};

// Everything a trainer might register, with a step that changes all of it.
struct State {
  explicit State(uint64_t seed) : gen(wei::make_generator(seed, "shuffle")), rng(wei::make_std_rng(seed, "noise")) {
    torch::manual_seed(seed);
    net = std::make_shared<Net>();
    optimizer = std::make_unique<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    weights = torch::zeros({3});
  }
  void step() {
    const auto x = torch::randn({4, 3, 6, 6}, gen);
    optimizer->zero_grad();
    net->forward(x).pow(2).mean().backward();
    optimizer->step();
    weights += torch::rand({3}, gen);
    history.push_back(static_cast<double>(rng() % 1000));
  }
  void register_in(wei::CheckpointBundle& bundle) {
    bundle.add_module("model", *net);
    bundle.add_optimizer("optimizer", *optimizer);
    bundle.add_generator("shuffle", gen);
    bundle.add_rng("noise", rng);
    bundle.add_tensor("weights", weights);
    bundle.add_value("history", history);
  }
  std::shared_ptr<Net> net;
  std::unique_ptr<torch::optim::SGD> optimizer;
  at::Generator gen;
  std::mt19937_64 rng;
  torch::Tensor weights;
  std::vector<double> history;
};

std::string save(State& state) {
  return wei::testing::save_registered([&](wei::CheckpointBundle& bundle) { state.register_in(bundle); });
}

void load(State& state, const std::string& bytes) {
  wei::testing::load_registered([&](wei::CheckpointBundle& bundle) { state.register_in(bundle); }, bytes);
}

}  // namespace

TEST_CASE("a bundle saves and loads modules, optimizers, streams and values by the same code", "[train]") {
  State original(1);
  original.step();
  original.step();
  const std::string checkpoint = save(original);

  State restored(2);  // another seed: every registered object differs before the load
  load(restored, checkpoint);
  for (int i = 0; i < 3; ++i) {
    original.step();
    restored.step();
  }
  const auto a = original.net->parameters(), b = restored.net->parameters();
  for (size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i], b[i]));
  CHECK(torch::equal(original.net->bn->running_mean, restored.net->bn->running_mean));
  CHECK(torch::equal(original.weights, restored.weights));
  CHECK(original.history == restored.history);
  CHECK(original.rng() == restored.rng());
}

TEST_CASE("loading copies into the registered tensors, keeping their layout and the optimizer's references",
          "[train]") {
  State original(3);
  original.step();
  const std::string checkpoint = save(original);
  State restored(4);
  auto& weight = restored.net->conv->weight;
  weight.set_data(weight.contiguous(torch::MemoryFormat::ChannelsLast));
  const void* storage = restored.net->conv->weight.data_ptr();
  load(restored, checkpoint);
  CHECK(restored.net->conv->weight.data_ptr() == storage);
  CHECK(restored.net->conv->weight.is_contiguous(torch::MemoryFormat::ChannelsLast));
  CHECK(torch::equal(restored.net->conv->weight, original.net->conv->weight));
}

TEST_CASE("a checkpoint without a registered key or with another shape is refused by name", "[train]") {
  State state(5);
  const std::string checkpoint = save(state);

  wei::CheckpointBundle more;
  state.register_in(more);
  torch::Tensor extra = torch::zeros({2});
  more.add_tensor("extra", extra);
  std::istringstream in(checkpoint);
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  CHECK_THROWS_WITH(more.load(archive), "checkpoint has no entry 'extra'");

  State other(6);
  other.weights = torch::zeros({5});
  CHECK_THROWS_WITH(load(other, checkpoint), Catch::Contains("'weights' has shape [3], expected [5]"));

  wei::CheckpointBundle twice;
  twice.add_tensor("x", extra);
  CHECK_THROWS_AS(twice.add_tensor("x", extra), std::logic_error);
  CHECK(twice.keys() == std::vector<std::string>{"x"});
}
