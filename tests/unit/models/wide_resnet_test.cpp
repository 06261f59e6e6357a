#include <catch2/catch.hpp>
#include <tuple>
#include <vector>

#include "models/module_parameters.h"
#include "models/wide_resnet.h"

namespace {

using wei::models::parameter_count;
using wei::models::WideResNet;
using wei::models::WideResNetOptions;
using wei::models::WideResNetPerturbation;
using wei::models::WideResNetVariant;

int64_t wrn_batchnorm_count(torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& m : module.modules(/*include_self=*/false)) n += m->as<torch::nn::BatchNorm2d>() ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("WideResNet parameter counts of both references", "[models][all_layer_margin]") {
  // Zagoruyko & Komodakis's WRN-28-10 on CIFAR-10 (the large-lr reference): 36,479,194.
  WideResNet standard(WideResNetOptions{28, 10, 10, WideResNetVariant::kStandard});
  CHECK(parameter_count(*standard) == 36479194);
  // The all-layer-margin reference adds a BatchNorm after the stem (16 weights, 16 biases); its other
  // difference, a shortcut convolution in each stage's first block, only changes WRN-d-1, where the
  // first stage keeps 16 channels.
  WideResNet amo(WideResNetOptions{28, 10, 10, WideResNetVariant::kAllLayerMargin});
  CHECK(parameter_count(*amo) == 36479194 + 32);
  // CIFAR-100: the classifier grows by 90 x (640 + 1).
  WideResNet c100(WideResNetOptions{28, 10, 100, WideResNetVariant::kStandard});
  CHECK(parameter_count(*c100) == 36479194 + 90 * 641);
  // WRN-16-1: the first stage's shortcut is an identity in the standard model, a 16x16 conv in the AMO one.
  WideResNet thin_standard(WideResNetOptions{16, 1, 10, WideResNetVariant::kStandard});
  WideResNet thin_amo(WideResNetOptions{16, 1, 10, WideResNetVariant::kAllLayerMargin});
  CHECK(parameter_count(*thin_amo) - parameter_count(*thin_standard) == 32 + 16 * 16);
  CHECK(parameter_count(*thin_standard) == 175066);
}

TEST_CASE("WideResNet refuses a depth that is not 6n + 4", "[models][all_layer_margin]") {
  CHECK(wei::models::wide_resnet_blocks_per_stage(28) == 4);
  CHECK(wei::models::wide_resnet_blocks_per_stage(10) == 1);
  for (const int64_t depth : {4, 9, 12, 27, -2}) {
    CAPTURE(depth);
    CHECK(wei::models::wide_resnet_blocks_per_stage(depth) == 0);
    CHECK_THROWS_AS(WideResNet(WideResNetOptions{depth, 1, 10}), std::invalid_argument);
  }
  CHECK_THROWS_AS(WideResNet(WideResNetOptions{16, 0, 10}), std::invalid_argument);
}

TEST_CASE("WideResNet perturbation sites: shapes, zero deltas change nothing", "[models][all_layer_margin]") {
  torch::manual_seed(1);
  WideResNet model(WideResNetOptions{16, 2, 10});
  const auto x = torch::randn({3, 3, 32, 32});
  const auto plain = model->forward(x);
  REQUIRE(plain.sizes() == torch::IntArrayRef({3, 10}));
  CHECK(model->perturbation_sites() == 12);

  WideResNetPerturbation p;
  p.create_deltas = true;
  const auto with_zero = model->forward(x, &p);
  REQUIRE(p.deltas.size() == 12);
  // Stage widths 32, 64, 128 at resolutions 32, 16, 8: both sites of a block share its output shape.
  const std::vector<std::vector<int64_t>> shapes{{3, 32, 32, 32}, {3, 64, 16, 16}, {3, 128, 8, 8}};
  for (size_t site = 0; site < p.deltas.size(); ++site) {
    CAPTURE(site);
    CHECK(p.deltas[site].sizes() == torch::IntArrayRef(shapes[site / 4]));
    CHECK(p.deltas[site].requires_grad());
    CHECK(p.deltas[site].abs().max().item<float>() == 0.0f);
  }
  // Train mode: batch statistics, so the two passes see the same numbers.
  CHECK(torch::allclose(with_zero, plain, 1e-5, 1e-6));

  // A nonzero delta at the last site moves the output; too few deltas are refused.
  WideResNetPerturbation moved;
  for (const auto& d : p.deltas) moved.deltas.push_back(torch::zeros_like(d));
  moved.deltas.back() = torch::randn_like(moved.deltas.back());
  CHECK_FALSE(torch::allclose(model->forward(x, &moved), plain, 1e-3, 1e-3));
  moved.deltas.pop_back();
  CHECK_THROWS_AS(model->forward(x, &moved), std::invalid_argument);
}

TEST_CASE("WideResNet after_bn hook runs after every BatchNorm", "[models][all_layer_margin]") {
  torch::manual_seed(2);
  for (const auto variant : {WideResNetVariant::kStandard, WideResNetVariant::kAllLayerMargin}) {
    WideResNet model(WideResNetOptions{10, 1, 10, variant});
    model->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({2, 3, 32, 32});
    int calls = 0;
    WideResNetPerturbation p;
    p.after_bn = [&calls](const torch::Tensor& bn_output) {
      ++calls;
      return torch::zeros_like(bn_output);
    };
    CHECK(torch::allclose(model->forward(x, &p), model->forward(x)));
    CHECK(calls == wrn_batchnorm_count(*model));
    CHECK(calls == (variant == WideResNetVariant::kStandard ? 7 : 8));

    p.after_bn = [](const torch::Tensor& bn_output) { return torch::ones_like(bn_output); };
    CHECK_FALSE(torch::allclose(model->forward(x, &p), model->forward(x)));
  }
}

TEST_CASE("FixMatch's WideResNet: WRN-28-2 size, leaky ReLU, BatchNorm momentum, Xavier classifier", "[models]") {
  WideResNetOptions options{28, 2, 10, WideResNetVariant::kFixMatch};
  options.relu_slope = 0.1;
  options.bn_momentum = 0.001;
  torch::manual_seed(0);
  WideResNet net(options);
  CHECK(parameter_count(*net) == 1467610);  // the paper's 1.47 M
  for (const auto& m : net->modules(/*include_self=*/false)) {
    if (const auto* bn = m->as<torch::nn::BatchNorm2d>()) CHECK(bn->options.momentum().value() == 0.001);
  }
  // Xavier normal: std sqrt(2 / (128 + 10)) for the 10 x 128 classifier weight.
  const torch::Tensor fc = net->named_parameters()["fc.weight"];
  CHECK(fc.std().item<double>() == Approx(std::sqrt(2.0 / 138.0)).epsilon(0.1));
  // One training pass moves the running mean by 0.001 of the batch mean.
  net->train();
  const torch::Tensor x = torch::randn({8, 3, 32, 32});
  net->forward(x);
  const torch::Tensor first_mean = net->named_buffers()["layer1_0.bn1.running_mean"];
  CHECK(first_mean.abs().max().item<double>() > 0);
  CHECK(first_mean.abs().max().item<double>() < 0.01);
}

TEST_CASE("WideResNet block: the shortcut reads the raw or the activated input, leaky or plain ReLU", "[models]") {
  WideResNetOptions options{28, 2, 10, WideResNetVariant::kFixMatch};
  options.relu_slope = 0.1;
  torch::manual_seed(1);
  for (const bool reads_activated : {false, true}) {
    wei::models::WideBlock block(4, 8, 1, /*shortcut_conv=*/true, reads_activated, options);
    block->eval();
    auto modules = block->named_children();
    const auto bn1 = modules["bn1"]->as<torch::nn::BatchNorm2d>();
    const auto bn2 = modules["bn2"]->as<torch::nn::BatchNorm2d>();
    const auto conv1 = modules["conv1"]->as<torch::nn::Conv2d>();
    const auto conv2 = modules["conv2"]->as<torch::nn::Conv2d>();
    const auto shortcut = modules["shortcut"]->as<torch::nn::Conv2d>();
    // Non-trivial BatchNorm statistics, so that the activated input differs from the raw one.
    torch::NoGradGuard no_grad;
    bn1->running_mean.uniform_(-1, 1);
    bn1->running_var.uniform_(0.5, 2);
    const torch::Tensor x = torch::randn({2, 4, 8, 8});
    size_t site = 0;
    const torch::Tensor out = block->forward(x, nullptr, site);
    const torch::Tensor activated = torch::leaky_relu(bn1->forward(x), 0.1);
    const torch::Tensor branch = conv2->forward(torch::leaky_relu(bn2->forward(conv1->forward(activated)), 0.1));
    const torch::Tensor expected = branch + shortcut->forward(reads_activated ? activated : x);
    CHECK(torch::allclose(out, expected, 1e-5, 1e-6));
  }
}

TEST_CASE("WideResNet's closed-form parameter count and depth check agree with the built networks", "[models]") {
  for (const auto variant : {WideResNetVariant::kAllLayerMargin, WideResNetVariant::kStandard,
                             WideResNetVariant::kFixMatch}) {
    for (const auto& [depth, widen, classes] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {10, 1, 10}, {16, 2, 100}, {22, 4, 10}}) {
      const WideResNetOptions options{depth, widen, classes, variant};
      WideResNet built(options);
      CHECK(wei::models::wide_resnet_parameters(options) == static_cast<double>(parameter_count(*built)));
    }
  }
  CHECK(wei::models::wide_resnet_depth_problem(28).empty());
  CHECK(wei::models::wide_resnet_depth_problem(12) == "must be 6n + 4 with n >= 1 (10, 16, 22, 28, ...)");
  CHECK(wei::models::wide_resnet_activation_bytes(28, 2) > wei::models::wide_resnet_activation_bytes(16, 2));
}
