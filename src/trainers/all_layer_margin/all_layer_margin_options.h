#pragma once
// The spec keys of trainer "all_layer_margin", one field each. Defaults: the reference recipe
// (cwein3/all-layer-margin-opt, README command) with WRN-28-10 on CIFAR-10.
#include <cstdint>
#include <string>
#include <vector>

#include "data/cifar_binary.h"
#include "models/wide_resnet.h"
#include "spec/option_schema.h"
#include "train/option_sections.h"
#include "train/autocast_scope.h"

namespace wei::all_layer_margin {

enum class Method { kSgd, kAmo };

struct Options {
  struct Data {
    std::string root;  // empty: the seeded synthetic stand-in
    data::CifarKind dataset = data::CifarKind::kCifar10;
    int64_t train_size = 0;  // 0: all 50,000 (a seeded random subset otherwise)
    int64_t test_size = 0;   // 0: all 10,000
    double corrupt_prob = 0.0;
    // The references' normalisation: (125.3, 123.0, 113.9)/255 and (63.0, 62.1, 66.7)/255.
    std::vector<double> mean{125.3 / 255, 123.0 / 255, 113.9 / 255};
    std::vector<double> std{63.0 / 255, 62.1 / 255, 66.7 / 255};
  } data;
  struct Model {
    int64_t depth = 28;
    int64_t widen = 10;
    models::WideResNetVariant variant = models::WideResNetVariant::kAllLayerMargin;
  } model;
  Method method = Method::kAmo;
  struct Amo {
    int64_t switch_time = 1;  // the 1-based epoch from which AMO replaces SGD (README command: 1)
    int64_t inner_steps = 1;
    double inner_lr = 0.01;
    double inner_weight_decay = 0.0;
    bool bn_stats_from_inner_passes = true;
  } amo;
  struct Optim {
    int64_t epochs = 200;
    int64_t batch_size = 128;
    SgdOptions sgd{0.1, 0.9, true, 5e-4, true};
    // The reference's x0.2 from epochs 60, 120 and 150 on (59, 119 and 149 completed).
    ScheduleOptions schedule{ScheduleKind::kMultistep, {59, 119, 149}, 0.2, 0};
  } optim;
  struct Augment {
    int64_t padding = 4;
    std::string pad_mode = "reflect";
    bool flip = true;
  } augment;
  struct Eval {
    int64_t batch_size = 256;
  } eval;
  struct Margin {
    int64_t every = 10;  // epochs between estimates (the last epoch always has one); 0: the last only
    int64_t train_examples = 256;
    int64_t test_examples = 256;
    int64_t steps = 10;
    int64_t bisections = 8;  // resolution max_radius / 256
    double max_radius = 1.0;
  } margin;
  ComputeOptions compute;
};

const NamedValues<Method>& method_names();
const OptionSchema<Options>& options_schema();

}  // namespace wei::all_layer_margin
