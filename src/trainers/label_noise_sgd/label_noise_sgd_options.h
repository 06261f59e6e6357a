#pragma once
// The spec keys of trainer "label_noise_sgd", one field each (defaults: the paper's label-noise run
// without its learning-rate decay).
#include <cstdint>
#include <vector>

#include "spec/option_schema.h"
#include "train/option_sections.h"

namespace wei::label_noise_sgd {

enum class Method { kGd, kSgd, kLabelNoise, kGaussianNoise };

struct Options {
  Method method = Method::kLabelNoise;
  struct Data {
    int64_t dim = 100;
    int64_t n_train = 40;
    int64_t support = 5;
  } data;
  struct Init {
    double alpha = 1.0;
  } init;
  struct Optim {
    double lr = 0.01;
    int64_t steps = 300000;
    ScheduleOptions schedule{ScheduleKind::kMultistep, {}, 0.1, 0};  // per step
  } optim;
  struct Noise {
    double delta = 1.0;
    int64_t batch_size = 1;
  } noise;
  int64_t log_every = 1000;
};

const OptionSchema<Options>& options_schema();

}  // namespace wei::label_noise_sgd
