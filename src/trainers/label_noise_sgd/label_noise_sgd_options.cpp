#include "trainers/label_noise_sgd/label_noise_sgd_options.h"

#include "base/int_math.h"
#include "train/trainer.h"

namespace wei::label_noise_sgd {

const OptionSchema<Options>& options_schema() {
  using O = Options;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.enum_choice("method",
                  {{"gd", Method::kGd},
                   {"sgd", Method::kSgd},
                   {"label_noise", Method::kLabelNoise},
                   {"gaussian_noise", Method::kGaussianNoise}},
                  "noise added to the full-batch gradient: none, mini-batch, label noise, or spherical Gaussian",
                  &O::method);
    s.field("data.dim", "input dimension d", &O::data, &O::Data::dim).at_least(1);
    s.field("data.n_train", "number of training points x ~ N(0, I)", &O::data, &O::Data::n_train).at_least(1);
    s.field("data.support", "ground truth w* = ones on the first `support` coordinates", &O::data,
            &O::Data::support)
        .at_least(1);
    s.field("init.alpha", "initialisation v = alpha * ones", &O::init, &O::Init::alpha).greater_than(0);
    s.field("optim.lr", "learning rate", &O::optim, &O::Optim::lr).greater_than(0);
    s.field("optim.steps", "number of steps (the paper: 300k; 1.2M for Gaussian noise)", &O::optim,
            &O::Optim::steps)
        .at_least(1);
    schedule_section(s, "optim", "step", &O::optim, &O::Optim::schedule);
    s.renamed("optim.lr_decay", "optim.lr_gamma");
    s.field("noise.delta", "noise scale: label-noise std, mini-batch noise weight, or Gaussian std", &O::noise,
            &O::Noise::delta)
        .at_least(0)
        .when("method", {"sgd", "label_noise", "gaussian_noise"});
    s.field("noise.batch_size", "mini-batch size of the sgd noise term (samples drawn without replacement)",
            &O::noise, &O::Noise::batch_size)
        .at_least(1)
        .when("method", {"sgd"});
    s.field("log_every", "steps per history row (one 'epoch' of the run)", &O::log_every).at_least(1);
    s.check({"data.support", "data.dim"}, "data.support <= data.dim",
            [](const O& o) { return o.data.support <= o.data.dim; });
    s.check({"noise.batch_size", "data.n_train"}, "noise.batch_size <= data.n_train",
            [](const O& o) { return o.noise.batch_size <= o.data.n_train; });
    s.memory_estimate([](const O& o) {
      const double n = static_cast<double>(o.data.n_train), d = static_cast<double>(o.data.dim);
      MemoryEstimate m;
      m.parts = {{"data", (n * d + n * 2 + d * 4) * 8},
                 {"history", static_cast<double>(ceil_div(o.optim.steps, o.log_every)) * kHistoryRowBytes}};
      return m;
    });
    return s;
  }();
  return schema;
}

}  // namespace wei::label_noise_sgd
