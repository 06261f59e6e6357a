#include "trainers/max_margin/max_margin_options.h"

#include <algorithm>

#include "base/int_math.h"
#include "train/trainer.h"

namespace wei::max_margin {

namespace {

MemoryEstimate estimate_memory(const Options& o) {
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  MemoryEstimate m;
  if (o.setting == Setting::kLinear) {
    const auto& l = o.linear;
    const double n = d(l.n_train), noise = n * d(l.dim - 1);
    // The noise twice while it is drawn and signed; the Gram matrix, the kernel and their copies.
    const double mc = l.mc_sampling == McSampling::kFull ? double(int64_t{1} << 22) : double(int64_t{1} << 16) * 4;
    m.parts = {{"data", (2 * noise + 4 * n * n) * 8},
               {"Monte Carlo batch", mc * 8},
               {"history", d(1 + ceil_div(l.logistic_steps, l.log_every) + 3) * kHistoryRowBytes}};
    return m;
  }
  const auto& h = o.hypersphere;
  const double params = d(h.dim) * d(h.width) + d(h.width) + 2 * d(h.width) + 2;
  const double widest_batch = d(std::min<int64_t>(4096, std::max(h.n_train, h.n_test)));
  m.parts = {{"data", d(2 * h.n_train + h.n_test) * d(h.dim + 1) * 4 * 2},
             {"model and optimizer", params * 4 * 3},
             {"activations of one batch", widest_batch * d(h.width) * 4 * 3},
             {"history", d(ceil_div(h.max_passes, h.passes_per_row)) * kHistoryRowBytes}};
  return m;
}

}  // namespace

const NamedValues<Setting>& setting_names() {
  static const NamedValues<Setting> names = {{"linear", Setting::kLinear}, {"hypersphere", Setting::kHypersphere}};
  return names;
}

const NamedValues<McSampling>& mc_sampling_names() {
  static const NamedValues<McSampling> names = {{"subspace", McSampling::kSubspace}, {"full", McSampling::kFull}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  using O = Options;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.enum_choice("setting", setting_names(),
                  "linear: Gaussian signal + noise, closed-form classifiers; hypersphere: 2-layer ReLU net on two "
                  "concentric spheres",
                  &O::setting);

    using L = O::Linear;
    const auto linear = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("linear." + name, help, &O::linear, field).when("setting", {"linear"});
    };
    linear("mu_norm", "||mu||, the signal: x = y mu + xi", &L::mu_norm).greater_than(0);
    linear("sigma", "noise std of each of the dim - 1 coordinates orthogonal to mu", &L::sigma).greater_than(0);
    linear("dim", "input dimension d (mu spans one coordinate, the noise the other d - 1)", &L::dim).at_least(2);
    linear("n_train", "training points n", &L::n_train).at_least(1);
    linear("svm_tolerance", "hard-margin SVM: stop when (primal - dual) / primal is at most this", &L::svm_tolerance)
        .greater_than(0)
        .less_than(1);
    linear("svm_max_sweeps", "hard-margin SVM: dual coordinate-ascent sweeps before giving up (a run error)",
           &L::svm_max_sweeps)
        .at_least(1);
    linear("epsilon", "the near-max-margin classifier has normalised margin (1 - epsilon) times the maximum",
           &L::epsilon)
        .greater_than(0)
        .less_than(0.5);
    linear("logistic_steps", "full-batch gradient-descent steps of logistic regression from w = 0",
           &L::logistic_steps)
        .at_least(1);
    linear("logistic_step_size",
           "logistic step size in units of 1/L, L = lambda_max(X X^T) / (4 n) the smoothness of the mean loss "
           "(stable below 2)",
           &L::logistic_step_size)
        .greater_than(0)
        .less_than(2);
    linear("log_every", "logistic steps per history row", &L::log_every).at_least(1);
    linear("mc_points", "fresh test points of each classifier's Monte Carlo test error", &L::mc_points).at_least(1);
    s.enum_choice("linear.mc_sampling", mc_sampling_names(),
                  "subspace: draw each fresh point's noise along the classifier's noise direction only (exact, as "
                  "the orthogonal rest changes no prediction); full: draw all dim coordinates (slow at large dim)",
                  &O::linear, &L::mc_sampling)
        .when("setting", {"linear"});

    using H = O::Hypersphere;
    const auto sphere = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("hypersphere." + name, help, &O::hypersphere, field).when("setting", {"hypersphere"});
    };
    sphere("dim", "input dimension (notebook: 100 in part 1, 500 in part 2)", &H::dim).at_least(2);
    sphere("width", "hidden ReLU units (notebook: 1000, 10000)", &H::width).at_least(1);
    sphere("n_train", "training points (notebook: 256 ... 16384, 1024 ... 8192)", &H::n_train).at_least(1);
    sphere("n_test", "fresh test points (notebook: 8192, 4096)", &H::n_test).at_least(1);
    sphere("batch_size", "SGD minibatch (notebook: 1, 64)", &H::batch_size).at_least(1);
    sphere("lr", "SGD learning rate (notebook: 0.2, 0.5)", &H::lr).greater_than(0);
    sphere("margin", "gamma: training stops once all but `threshold` of the points have logit margin >= gamma "
                     "(notebook: 4, 8)",
           &H::margin)
        .greater_than(0);
    sphere("threshold", "fraction of training points allowed below the margin (notebook: 0.01)", &H::threshold)
        .at_least(0)
        .less_than(1);
    sphere("inner_radius", "radius of the class-0 sphere (notebook: 1)", &H::inner_radius).greater_than(0);
    sphere("outer_radius", "radius of the class-1 sphere (notebook: 1.2)", &H::outer_radius).greater_than(0);
    sphere("max_passes", "cap on passes over the training set (the notebook has none: it trains until the margin)",
           &H::max_passes)
        .at_least(1);
    sphere("passes_per_row",
           "passes per history row; the margin is checked after every pass, and the row that reaches it ends there. "
           "Rows after it repeat the final state with trained: false (the run's row count is fixed)",
           &H::passes_per_row)
        .at_least(1);

    s.check({"hypersphere.inner_radius", "hypersphere.outer_radius"},
            "hypersphere.inner_radius < hypersphere.outer_radius",
            [](const O& o) { return o.hypersphere.inner_radius < o.hypersphere.outer_radius; });
    s.check({"hypersphere.batch_size", "hypersphere.n_train"}, "hypersphere.batch_size <= hypersphere.n_train",
            [](const O& o) { return o.hypersphere.batch_size <= o.hypersphere.n_train; });
    s.check({"linear.log_every", "linear.logistic_steps"}, "linear.log_every <= linear.logistic_steps",
            [](const O& o) { return o.linear.log_every <= o.linear.logistic_steps; });
    s.check({"hypersphere.passes_per_row", "hypersphere.max_passes"},
            "hypersphere.passes_per_row <= hypersphere.max_passes",
            [](const O& o) { return o.hypersphere.passes_per_row <= o.hypersphere.max_passes; });
    s.memory_estimate(estimate_memory);
    return s;
  }();
  return schema;
}

}  // namespace wei::max_margin
