#pragma once
// An estimate of each example's all-layer margin (Wei & Ma 2020): the smallest norm of a
// perturbation at every perturbation site of the network, relative to each site's activation
// (out + ||out_b|| delta_b, as AMO perturbs), that changes the prediction; the norm is taken over
// all sites together, sqrt(sum_sites ||delta_site,b||^2).
//
// For a radius r, `steps` steps of projected gradient descent on the logit margin
// z_y - max_{j != y} z_j, with steps of 2.5 r / steps along the normalised gradient and deltas kept
// in the ball of radius r, search for a flipping perturbation; bisection on r (from 0 to
// max_radius, `bisections` halvings) finds the smallest radius at which the search succeeds. A
// search can miss a flip that exists, so the result is an UPPER bound on the all-layer margin.
// Misclassified examples have margin 0; examples for which no tested radius flips get max_radius
// (censored: their margin may be larger). The network is evaluated in eval mode (BatchNorm's running
// statistics), and its mode is restored.
#include <cstdint>

#include <torch/types.h>

#include "base/stop_token.h"
#include "models/wide_resnet.h"

namespace wei::all_layer_margin {

struct MarginSearch {
  int64_t steps = 10;
  int64_t bisections = 8;
  double max_radius = 1.0;
  int64_t batch_size = 128;
};

// The estimate per example, float64 [N] on the CPU.
torch::Tensor estimate_all_layer_margins(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y,
                                         const MarginSearch& search, const StopToken& stop);

}  // namespace wei::all_layer_margin
