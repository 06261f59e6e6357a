#include "trainers/all_layer_margin/all_layer_margin_estimate.h"

#include <algorithm>
#include <limits>

#include <torch/autograd.h>

#include "train/evaluation.h"

namespace wei::all_layer_margin {

namespace {

// Per-example norm over every site: [B].
torch::Tensor joint_norm(const std::vector<torch::Tensor>& parts) {
  torch::Tensor squares;
  for (const auto& part : parts) {
    const torch::Tensor s = part.reshape({part.size(0), -1}).pow(2).sum(1);
    squares = squares.defined() ? squares + s : s;
  }
  return squares.sqrt();
}

torch::Tensor per_example(const torch::Tensor& v, const torch::Tensor& like) {
  std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
  shape[0] = v.size(0);
  return v.view(shape);
}

// z_y - max_{j != y} z_j per example.
torch::Tensor logit_margin(const torch::Tensor& logits, const torch::Tensor& y) {
  const torch::Tensor own = logits.gather(1, y.view({-1, 1})).squeeze(1);
  const torch::Tensor others = logits.scatter(1, y.view({-1, 1}), -std::numeric_limits<float>::infinity());
  return own - std::get<0>(others.max(1));
}

// Whether `steps` projected-gradient steps find, for each example, a perturbation of joint norm at
// most radius[b] that changes its prediction. [B] bool.
torch::Tensor flips_within(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y,
                           const torch::Tensor& radius, int64_t steps) {
  models::WideResNetPerturbation p;
  p.create_deltas = true;
  torch::Tensor logits = model->forward(x, &p);
  std::vector<torch::Tensor> deltas = std::move(p.deltas);
  torch::Tensor flipped = logits.argmax(1).ne(y);
  const torch::Tensor step_size = radius * (2.5 / static_cast<double>(steps));
  for (int64_t k = 0; k < steps; ++k) {
    const std::vector<torch::Tensor> grads = torch::autograd::grad({logit_margin(logits, y).sum()}, deltas);
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor grad_norm = joint_norm(grads).clamp_min(1e-12);
      for (size_t i = 0; i < deltas.size(); ++i) {
        deltas[i] = deltas[i] - per_example(step_size / grad_norm, grads[i]) * grads[i];
      }
      const torch::Tensor scale = (radius / joint_norm(deltas).clamp_min(1e-12)).clamp_max(1.0);
      for (auto& delta : deltas) delta = (delta * per_example(scale, delta)).requires_grad_(true);
    }
    models::WideResNetPerturbation again;
    again.deltas = deltas;
    logits = model->forward(x, &again);
    flipped = flipped | logits.argmax(1).ne(y);
  }
  return flipped.detach();
}

}  // namespace

torch::Tensor estimate_all_layer_margins(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y,
                                         const MarginSearch& search, const StopToken& stop) {
  const EvalModeScope eval({model.get()});
  const torch::AutoGradMode grad(true);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < x.size(0); start += search.batch_size) {
    const int64_t length = std::min(search.batch_size, x.size(0) - start);
    const torch::Tensor xb = x.narrow(0, start, length), yb = y.narrow(0, start, length);
    const auto options = torch::TensorOptions().dtype(torch::kFloat).device(x.device());
    torch::Tensor lo = torch::zeros({length}, options);
    torch::Tensor hi = torch::full({length}, search.max_radius, options);
    stop.throw_if_requested();
    torch::Tensor misclassified;
    {
      torch::NoGradGuard no_grad;
      misclassified = model->forward(xb).argmax(1).ne(yb);
    }
    for (int64_t b = 0; b < search.bisections; ++b) {
      stop.throw_if_requested();
      const torch::Tensor mid = (lo + hi) / 2;
      const torch::Tensor flips = flips_within(model, xb, yb, mid, search.steps);
      hi = torch::where(flips, mid, hi);
      lo = torch::where(flips, lo, mid);
    }
    const torch::Tensor margin = torch::where(misclassified, torch::zeros_like(hi), hi);
    parts.push_back(margin.to(torch::kCPU, torch::kDouble));
  }
  return torch::cat(parts);
}

}  // namespace wei::all_layer_margin
