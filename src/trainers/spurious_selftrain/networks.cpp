#include "trainers/spurious_selftrain/networks.h"

#include <cmath>

#include <torch/nn.h>

namespace wei::spurious_selftrain {

namespace nn = torch::nn;

nn::Sequential make_mlp(int64_t inputs, const std::vector<int64_t>& hidden, int64_t classes) {
  nn::Sequential net;
  net->push_back(nn::Flatten());
  int64_t width = inputs;
  for (const int64_t h : hidden) {
    net->push_back(nn::Linear(width, h));
    net->push_back(nn::ReLU());
    width = h;
  }
  net->push_back(nn::Linear(width, classes));
  return net;
}

namespace {
void add_conv(nn::Sequential& net, int64_t in, int64_t out, int64_t kernel, int64_t padding) {
  net->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, kernel).padding(padding)));
  net->push_back(nn::BatchNorm2d(out));
  net->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1)));
}
}  // namespace

nn::Sequential make_small_cnn(int64_t width, int64_t classes) {
  nn::Sequential net;
  add_conv(net, 3, width, 3, 1);
  add_conv(net, width, width, 3, 1);
  add_conv(net, width, width, 3, 1);
  net->push_back(nn::MaxPool2d(2));
  add_conv(net, width, 2 * width, 3, 1);
  add_conv(net, 2 * width, 2 * width, 3, 1);
  add_conv(net, 2 * width, 2 * width, 3, 1);
  net->push_back(nn::MaxPool2d(2));
  add_conv(net, 2 * width, 2 * width, 3, 0);
  add_conv(net, 2 * width, 2 * width, 1, 0);
  add_conv(net, 2 * width, 2 * width, 1, 0);
  net->push_back(nn::AdaptiveAvgPool2d(1));
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(2 * width, classes));
  return net;
}

void reinitialise(nn::Module& model, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  for (const auto& module : model.modules(/*include_self=*/true)) {
    torch::Tensor weight, bias;
    if (auto* linear = module->as<nn::Linear>()) {
      weight = linear->weight;
      bias = linear->bias;
    } else if (auto* conv = module->as<nn::Conv2d>()) {
      weight = conv->weight;
      bias = conv->bias;
    } else {
      continue;
    }
    const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));
    weight.uniform_(-bound, bound, gen);
    if (bias.defined()) bias.uniform_(-bound, bound, gen);
  }
}

}  // namespace wei::spurious_selftrain
