#pragma once
// The spec keys of trainer "max_margin". `setting` picks the experiment, and each experiment reads
// only its own section (linear.* or hypersphere.*): setting a key of the other one is refused when
// the spec is loaded.
#include <cstdint>

#include "base/named_values.h"
#include "spec/option_schema.h"

namespace wei::max_margin {

enum class Setting { kLinear, kHypersphere };
// How the Monte Carlo check draws its fresh test points (monte_carlo.h).
enum class McSampling { kSubspace, kFull };

struct Options {
  Setting setting = Setting::kLinear;
  // Nagarajan & Kolter's linear setting as Glasgow et al. study it: y uniform in {-1, +1},
  // x = y mu + xi, xi ~ N(0, sigma^2 I) on the dim - 1 coordinates orthogonal to mu. The defaults
  // (ours) sit where the max-margin classifier generalises while uniform convergence is vacuous.
  struct Linear {
    double mu_norm = 8.0;
    double sigma = 1.0;
    int64_t dim = 20000;
    int64_t n_train = 200;
    double svm_tolerance = 1e-10;
    int64_t svm_max_sweeps = 100000;
    double epsilon = 0.05;
    int64_t logistic_steps = 10000;
    double logistic_step_size = 1.0;
    int64_t log_every = 2500;
    int64_t mc_points = 100000;
    McSampling mc_sampling = McSampling::kSubspace;
  } linear;
  // The hypersphere experiment of the locuslab notebook (its Part 1 values as defaults): two
  // concentric spheres, a 2-layer ReLU network trained by SGD until all but `threshold` of the
  // training points have margin at least `margin`.
  struct Hypersphere {
    int64_t dim = 100;
    int64_t width = 1000;
    int64_t n_train = 256;
    int64_t n_test = 8192;
    int64_t batch_size = 1;
    double lr = 0.2;
    double margin = 4.0;
    double threshold = 0.01;
    double inner_radius = 1.0;
    double outer_radius = 1.2;
    int64_t max_passes = 1000;
    int64_t passes_per_row = 10;
  } hypersphere;
};

const NamedValues<Setting>& setting_names();
const NamedValues<McSampling>& mc_sampling_names();
const OptionSchema<Options>& options_schema();

}  // namespace wei::max_margin
