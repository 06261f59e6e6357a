#include "models/wide_resnet.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/nn/functional.h>

namespace wei::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d wide_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

torch::Tensor pre_activation(const torch::Tensor& bn_output, WideResNetPerturbation* p, double slope) {
  const torch::Tensor in = p && p->after_bn ? bn_output + p->after_bn(bn_output) : bn_output;
  return slope == 0.0 ? torch::relu(in) : torch::leaky_relu(in, slope);
}

nn::BatchNorm2d wide_bn(int64_t channels, double momentum) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).momentum(momentum));
}

// out + ||out_b|| * delta_b at the next site, when the forward pass carries deltas.
torch::Tensor perturbed(const torch::Tensor& out, WideResNetPerturbation* p, size_t& next_site) {
  const size_t site = next_site++;
  if (!p || (!p->create_deltas && p->deltas.empty())) return out;
  if (p->create_deltas) {
    if (site != p->deltas.size()) throw std::logic_error("WideResNet: deltas created out of order");
    // In the output's memory format: a channels-last activation plus an NCHW delta would be slow.
    p->deltas.push_back(torch::zeros_like(out).requires_grad_(true));
  }
  if (site >= p->deltas.size()) throw std::invalid_argument("WideResNet: fewer deltas than perturbation sites");
  const torch::Tensor norms = at::linalg_vector_norm(out, 2, {1, 2, 3}, /*keepdim=*/true, c10::nullopt);
  // Deltas created by this pass are zero, so the path through the norms carries an exactly zero
  // gradient (d(out + n * delta)/d out = I when delta = 0): detaching it leaves every gradient bit
  // for bit the same and saves the norm's backward in the inner pass.
  return out + (p->create_deltas ? norms.detach() : norms) * p->deltas[site];
}

}  // namespace

int64_t wide_resnet_blocks_per_stage(int64_t depth) {
  return depth >= 10 && (depth - 4) % 6 == 0 ? (depth - 4) / 6 : 0;
}

WideBlockImpl::WideBlockImpl(int64_t in_planes, int64_t out_planes, int64_t stride, bool shortcut_conv,
                             bool shortcut_reads_activated, const WideResNetOptions& options)
    : shortcut_reads_activated_(shortcut_reads_activated), relu_slope_(options.relu_slope) {
  bn1_ = register_module("bn1", wide_bn(in_planes, options.bn_momentum));
  conv1_ = register_module("conv1", wide_conv(in_planes, out_planes, 3, stride));
  bn2_ = register_module("bn2", wide_bn(out_planes, options.bn_momentum));
  conv2_ = register_module("conv2", wide_conv(out_planes, out_planes, 3, 1));
  if (shortcut_conv) shortcut_ = register_module("shortcut", wide_conv(in_planes, out_planes, 1, stride));
}

torch::Tensor WideBlockImpl::forward(const torch::Tensor& x, WideResNetPerturbation* p, size_t& next_site) {
  const torch::Tensor activated = pre_activation(bn1_->forward(x), p, relu_slope_);
  torch::Tensor out = perturbed(conv1_->forward(activated), p, next_site);
  out = pre_activation(bn2_->forward(out), p, relu_slope_);
  out = perturbed(conv2_->forward(out), p, next_site);
  if (!shortcut_) return out + x;
  return out + shortcut_->forward(shortcut_reads_activated_ ? activated : x);
}

WideResNetImpl::WideResNetImpl(const WideResNetOptions& options) : options_(options) {
  const int64_t n = wide_resnet_blocks_per_stage(options.depth);
  if (n == 0) throw std::invalid_argument("WideResNet depth " + std::to_string(options.depth) + " is not 6n + 4");
  if (options.widen < 1) throw std::invalid_argument("WideResNet width must be >= 1");
  const bool amo = options.variant == WideResNetVariant::kAllLayerMargin;
  conv1_ = register_module("conv1", wide_conv(3, 16, 3, 1));
  if (amo) stem_bn_ = register_module("bn1", wide_bn(16, options.bn_momentum));
  int64_t in_planes = 16;
  const int64_t widths[3] = {16 * options.widen, 32 * options.widen, 64 * options.widen};
  for (int64_t stage = 0; stage < 3; ++stage) {
    for (int64_t b = 0; b < n; ++b) {
      const int64_t stride = b == 0 && stage > 0 ? 2 : 1;
      const bool shortcut_conv = b == 0 && (amo || in_planes != widths[stage]);
      // FixMatch's network activates before the shortcut only in the first stage.
      const bool reads_activated = options.variant != WideResNetVariant::kFixMatch || stage == 0;
      blocks_.push_back(register_module("layer" + std::to_string(stage + 1) + "_" + std::to_string(b),
                                        WideBlock(in_planes, widths[stage], stride, shortcut_conv, reads_activated,
                                                  options)));
      in_planes = widths[stage];
    }
  }
  bn_ = register_module("bn2", wide_bn(in_planes, options.bn_momentum));
  fc_ = register_module("fc", nn::Linear(in_planes, options.num_classes));

  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      const auto& k = conv->options.kernel_size();
      const double fan_out = static_cast<double>((*k)[0] * (*k)[1] * conv->options.out_channels());
      conv->weight.normal_(0, std::sqrt(2.0 / fan_out));
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      bn->weight.fill_(1);
      bn->bias.zero_();
    } else if (auto* linear = module->as<nn::Linear>()) {
      // FixMatch: Xavier normal; the other references keep torch's default (uniform in +-1/sqrt(fan_in)).
      if (options.variant == WideResNetVariant::kFixMatch) {
        const double fan_sum = static_cast<double>(linear->options.in_features() + linear->options.out_features());
        linear->weight.normal_(0, std::sqrt(2.0 / fan_sum));
      }
      linear->bias.zero_();
    }
  }
}

torch::Tensor WideResNetImpl::forward(const torch::Tensor& x, WideResNetPerturbation* perturbation) {
  torch::Tensor out = conv1_->forward(x);
  if (stem_bn_) out = pre_activation(stem_bn_->forward(out), perturbation, options_.relu_slope);
  size_t next_site = 0;
  for (auto& block : blocks_) out = block->forward(out, perturbation, next_site);
  out = pre_activation(bn_->forward(out), perturbation, options_.relu_slope);
  out = out.mean({2, 3});
  return fc_->forward(out);
}

std::string wide_resnet_depth_problem(int64_t depth) {
  return wide_resnet_blocks_per_stage(depth) > 0 ? "" : "must be 6n + 4 with n >= 1 (10, 16, 22, 28, ...)";
}

double wide_resnet_parameters(const WideResNetOptions& options) {
  const bool amo = options.variant == WideResNetVariant::kAllLayerMargin;
  const int64_t n = wide_resnet_blocks_per_stage(options.depth);
  const double k = static_cast<double>(options.widen), classes = static_cast<double>(options.num_classes);
  double p = 3 * 16 * 9 + (amo ? 32 : 0), in = 16;
  for (const double w : {16 * k, 32 * k, 64 * k}) {
    for (int64_t b = 0; b < n; ++b) {
      const double c = b == 0 ? in : w;
      const bool shortcut_conv = b == 0 && (amo || c != w);
      p += 2 * c + c * w * 9 + 2 * w + w * w * 9 + (shortcut_conv ? c * w : 0);
    }
    in = w;
  }
  return p + 2 * in + in * classes + classes;
}

double wide_resnet_activation_bytes(int64_t depth, int64_t widen) {
  const double n = static_cast<double>(wide_resnet_blocks_per_stage(depth));
  const double k = static_cast<double>(widen);
  return 4 * (6 * n * (16 * k * 1024 + 32 * k * 256 + 64 * k * 64) + 3 * 16 * 1024);
}

std::string wide_resnet_name(int64_t depth, int64_t widen) {
  return "WRN-" + std::to_string(depth) + "-" + std::to_string(widen);
}

}  // namespace wei::models
