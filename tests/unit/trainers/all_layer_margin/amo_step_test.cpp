#include <catch2/catch.hpp>

#include <torch/autograd.h>
#include <torch/nn/functional.h>

#include "trainers/all_layer_margin/amo_step.h"

namespace {

namespace F = torch::nn::functional;
using wei::AmoSettings;
using wei::models::WideResNet;
using wei::models::WideResNetOptions;
using wei::models::WideResNetVariant;

// A second, separately written forward pass of the WideResNet, in train mode (batch statistics),
// from the module's parameters by name; `deltas` enter as the paper and the reference place them,
// out + ||out_b|| * delta_b after each block's conv1 and conv2. Used to check where and how the
// production forward applies the perturbations.
class IndependentWrn {
 public:
  explicit IndependentWrn(WideResNet& model) : model_(model), params_(model->named_parameters()) {}

  torch::Tensor forward(const torch::Tensor& x, const std::vector<torch::Tensor>& deltas) const {
    size_t site = 0;
    torch::Tensor out = conv(x, "conv1", 1);
    if (params_.contains("bn1.weight")) out = torch::relu(bn(out, "bn1"));
    const int64_t n = (model_->options().depth - 4) / 6;
    for (int64_t stage = 1; stage <= 3; ++stage) {
      for (int64_t b = 0; b < n; ++b) {
        const std::string block = "layer" + std::to_string(stage) + "_" + std::to_string(b) + ".";
        const int64_t stride = b == 0 && stage > 1 ? 2 : 1;
        const torch::Tensor activated = torch::relu(bn(out, block + "bn1"));
        torch::Tensor h = perturb(conv(activated, block + "conv1", stride), deltas.at(site++));
        h = torch::relu(bn(h, block + "bn2"));
        h = perturb(conv(h, block + "conv2", 1), deltas.at(site++));
        const torch::Tensor shortcut =
            params_.contains(block + "shortcut.weight") ? conv(activated, block + "shortcut", stride) : out;
        out = h + shortcut;
      }
    }
    out = torch::relu(bn(out, "bn2")).mean({2, 3});
    return F::linear(out, params_["fc.weight"], params_["fc.bias"]);
  }

 private:
  torch::Tensor conv(const torch::Tensor& x, const std::string& name, int64_t stride) const {
    const torch::Tensor& w = params_[name + ".weight"];
    return F::conv2d(x, w, F::Conv2dFuncOptions().stride(stride).padding(w.size(2) / 2));
  }
  torch::Tensor bn(const torch::Tensor& x, const std::string& name) const {
    const auto mean = x.mean({0, 2, 3}, /*keepdim=*/true);
    const auto var = (x - mean).pow(2).mean({0, 2, 3}, /*keepdim=*/true);
    return (x - mean) / (var + 1e-5).sqrt() * params_[name + ".weight"].view({1, -1, 1, 1}) +
           params_[name + ".bias"].view({1, -1, 1, 1});
  }
  static torch::Tensor perturb(const torch::Tensor& out, const torch::Tensor& delta) {
    const auto norm = out.flatten(1).pow(2).sum(1).sqrt().view({-1, 1, 1, 1});
    return out + norm * delta;
  }

  WideResNet& model_;
  torch::OrderedDict<std::string, torch::Tensor> params_;
};

struct AmoCase {
  WideResNet model{nullptr};
  torch::Tensor x, y;
};

// A tiny WRN in double precision (so that finite differences are exact enough) and a fixed batch.
AmoCase amo_case(WideResNetVariant variant, int64_t depth = 10, int64_t widen = 1) {
  torch::manual_seed(11);
  AmoCase c;
  c.model = WideResNet(WideResNetOptions{depth, widen, 10, variant});
  c.model->to(torch::kDouble);
  c.model->train();
  c.x = torch::randn({6, 3, 32, 32}, torch::kDouble);
  c.y = torch::tensor({0, 3, 5, 9, 3, 1}, torch::kInt64);
  return c;
}

std::vector<torch::Tensor> zero_deltas(WideResNet& model, const torch::Tensor& x) {
  wei::models::WideResNetPerturbation p;
  p.create_deltas = true;
  model->forward(x, &p);
  for (auto& d : p.deltas) d = d.detach();
  return p.deltas;
}

std::vector<torch::Tensor> with_grad(const std::vector<torch::Tensor>& deltas) {
  std::vector<torch::Tensor> out;
  for (const auto& d : deltas) out.push_back(d.detach().clone().requires_grad_(true));
  return out;
}

}  // namespace

TEST_CASE("the WideResNet forward perturbs where an independent forward does", "[all_layer_margin]") {
  for (const auto variant : {WideResNetVariant::kAllLayerMargin, WideResNetVariant::kStandard}) {
    AmoCase c = amo_case(variant, 16, 1);
    const IndependentWrn independent(c.model);
    std::vector<torch::Tensor> deltas;
    for (const auto& d : zero_deltas(c.model, c.x)) deltas.push_back(0.05 * torch::randn_like(d));
    wei::models::WideResNetPerturbation p;
    p.deltas = deltas;
    const torch::Tensor ours = c.model->forward(c.x, &p);
    const torch::Tensor theirs = independent.forward(c.x, deltas);
    CHECK(torch::allclose(ours, theirs, 1e-9, 1e-10));
    // And the perturbation matters: without it the logits differ.
    CHECK_FALSE(torch::allclose(c.model->forward(c.x), theirs, 1e-4, 1e-4));
  }
}

TEST_CASE("one AMO step equals the independent computation", "[all_layer_margin]") {
  AmoCase c = amo_case(WideResNetVariant::kAllLayerMargin);
  const IndependentWrn independent(c.model);
  AmoSettings settings;  // the reference: one inner step, lr 0.01, no weight decay
  const auto step = wei::all_layer_margin::amo_loss(c.model, c.x, c.y, settings);

  // Inner step: delta = 0 + lr * d CE / d delta at delta = 0 (ascent).
  auto at_zero = with_grad(zero_deltas(c.model, c.x));
  const auto clean = independent.forward(c.x, at_zero);
  const auto grads = torch::autograd::grad({F::cross_entropy(clean, c.y)}, at_zero);
  REQUIRE(step.deltas.size() == grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    CAPTURE(i);
    CHECK_FALSE(step.deltas[i].requires_grad());
    CHECK(grads[i].abs().max().item<double>() > 0);
    CHECK(torch::allclose(step.deltas[i], 0.01 * grads[i], 1e-8, 1e-14));
  }
  CHECK(torch::allclose(step.clean_logits, clean.detach(), 1e-9, 1e-10));

  // Outer loss: cross-entropy of the perturbed forward, the deltas held fixed; the parameters'
  // gradient is that of this loss alone.
  const auto perturbed = independent.forward(c.x, step.deltas);
  const auto expected = F::cross_entropy(perturbed, c.y);
  CHECK(step.loss.item<double>() == Approx(expected.item<double>()).epsilon(1e-12));
  CHECK(step.loss.item<double>() > F::cross_entropy(clean, c.y).item<double>());  // the ascent raised it
  const auto params = c.model->parameters();
  const auto ours = torch::autograd::grad({step.loss}, params);
  const auto theirs = torch::autograd::grad({expected}, params);
  for (size_t i = 0; i < params.size(); ++i) CHECK(torch::allclose(ours[i], theirs[i], 1e-8, 1e-12));
}

TEST_CASE("the AMO delta gradient matches finite differences", "[all_layer_margin]") {
  AmoCase c = amo_case(WideResNetVariant::kAllLayerMargin);
  AmoSettings settings;
  settings.inner_lr = 1.0;  // deltas = the gradient itself
  const auto step = wei::all_layer_margin::amo_loss(c.model, c.x, c.y, settings);
  const auto base = zero_deltas(c.model, c.x);
  const double h = 1e-6;
  const auto loss_with = [&](size_t site, int64_t flat, double value) {
    wei::models::WideResNetPerturbation p;
    p.deltas = base;
    p.deltas[site] = base[site].clone();
    p.deltas[site].view({-1})[flat] = value;
    return F::cross_entropy(c.model->forward(c.x, &p), c.y).item<double>();
  };
  // Coordinates at every site: the first, the last, and one of the fourth example.
  int checked = 0;
  for (size_t site = 0; site < base.size(); ++site) {
    const int64_t numel = base[site].numel();
    for (const int64_t flat : {int64_t{0}, numel - 1, 3 * numel / 6 + 17}) {
      CAPTURE(site, flat);
      const double numeric = (loss_with(site, flat, h) - loss_with(site, flat, -h)) / (2 * h);
      const double analytic = step.deltas[site].view({-1})[flat].item<double>();
      CHECK(analytic == Approx(numeric).epsilon(1e-5).margin(1e-9));
      ++checked;
    }
  }
  CHECK(checked == 18);
}

TEST_CASE("several inner steps with weight decay follow the independent ascent", "[all_layer_margin]") {
  AmoCase c = amo_case(WideResNetVariant::kStandard);
  const IndependentWrn independent(c.model);
  AmoSettings settings;
  settings.inner_steps = 3;
  settings.inner_lr = 0.5;
  settings.inner_weight_decay = 0.1;
  const auto step = wei::all_layer_margin::amo_loss(c.model, c.x, c.y, settings);

  std::vector<torch::Tensor> deltas = zero_deltas(c.model, c.x);
  for (int k = 0; k < 3; ++k) {
    auto current = with_grad(deltas);
    const auto grads = torch::autograd::grad({F::cross_entropy(independent.forward(c.x, current), c.y)}, current);
    for (size_t i = 0; i < deltas.size(); ++i) deltas[i] = deltas[i] - 0.5 * (-grads[i] + 0.1 * deltas[i]);
  }
  for (size_t i = 0; i < deltas.size(); ++i) CHECK(torch::allclose(step.deltas[i], deltas[i], 1e-7, 1e-12));
  CHECK(step.loss.item<double>() ==
        Approx(F::cross_entropy(independent.forward(c.x, deltas), c.y).item<double>()).epsilon(1e-10));
}

TEST_CASE("BatchNorm statistics: every pass by default, the outer pass only as an option", "[all_layer_margin]") {
  for (const bool every_pass : {true, false}) {
    CAPTURE(every_pass);
    AmoCase c = amo_case(WideResNetVariant::kAllLayerMargin);
    AmoSettings settings;
    settings.inner_steps = 2;
    settings.bn_stats_from_inner_passes = every_pass;
    wei::all_layer_margin::amo_loss(c.model, c.x, c.y, settings);
    // The stem BatchNorm sees the same batch in every pass (no perturbation comes before it): its
    // running mean after k updates of momentum 0.1 from 0 is (1 - 0.9^k) * the batch mean.
    const auto buffers = c.model->named_buffers();
    const int64_t passes = every_pass ? 3 : 1;  // the first pass, one more inner pass, the outer pass
    CHECK(buffers["bn1.num_batches_tracked"].item<int64_t>() == passes);
    CHECK(buffers["layer3_0.bn2.num_batches_tracked"].item<int64_t>() == passes);
    torch::NoGradGuard no_grad;
    const auto stem = c.model->named_children()["conv1"]->as<torch::nn::Conv2d>()->forward(c.x);
    const auto batch_mean = stem.mean({0, 2, 3});
    CHECK(torch::allclose(buffers["bn1.running_mean"], (1 - std::pow(0.9, passes)) * batch_mean, 1e-9, 1e-12));
  }
}
