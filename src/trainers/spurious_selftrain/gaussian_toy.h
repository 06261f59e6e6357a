#pragma once
// The Gaussian toy of Chen et al. (2020), Section 5: x = [x1, x2] with a 2-d signal part
// x1 ~ N((2y-1) c, I), ||c|| = signal_norm, and a 2-d spurious part x2. In the source each
// spurious coordinate is replaced with probability spurious_prob by |x2_j| (2y-1); in the target
// x2 ~ N(0, I) is independent of y. Labels are balanced: y ~ Bernoulli(1/2).
#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::spurious_selftrain {

constexpr int64_t kToySignalDims = 2;
constexpr int64_t kToySpuriousDims = 2;

struct ToyBatch {
  torch::Tensor x;  // [n, 4] float: signal dims first, then spurious dims
  torch::Tensor y;  // [n] float in {0, 1}
};

class GaussianToy {
 public:
  // `direction_gen` draws the direction of c (uniform on the circle).
  GaussianToy(double signal_norm, double spurious_prob, at::Generator direction_gen);

  ToyBatch sample_source(int64_t n, at::Generator& gen) const;
  ToyBatch sample_target(int64_t n, at::Generator& gen) const;

  // The best achievable target accuracy. x2 is independent of y there and x1 | y is an isotropic
  // Gaussian around +-c, so the Bayes rule is sign(c.x1) with accuracy Phi(||c||).
  double target_bayes_accuracy() const;
  const torch::Tensor& signal_mean() const { return signal_mean_; }

 private:
  ToyBatch sample(int64_t n, bool source, at::Generator& gen) const;
  torch::Tensor signal_mean_;  // [2]
  double signal_norm_;
  double spurious_prob_;
};

// Standard normal CDF.
double normal_cdf(double z);

// Fraction of points where the linear rule 1[w.x > 0] equals y.
double linear_accuracy(const torch::Tensor& w, const ToyBatch& batch);
// ||w2||: the norm of the weights on the spurious coordinates.
double spurious_norm(const torch::Tensor& w);
// Rescales w in place to unit norm (the projection applied after every step).
void project_to_unit_sphere(torch::Tensor& w);

}  // namespace wei::spurious_selftrain
