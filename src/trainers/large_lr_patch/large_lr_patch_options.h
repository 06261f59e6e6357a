#pragma once
// The spec keys of trainer "large_lr_patch", one field each. Defaults: the reference's `large_lr`
// run (cwein3/large-lr-code, train_patches.py): WRN-16-10 on patched CIFAR-10, SGD with Nesterov
// momentum 0.9, weight decay 5e-4, batch 128, 60 epochs, lr 0.1 multiplied by 0.04 from epoch 30.
#include <cstdint>
#include <string>
#include <vector>

#include "spec/option_schema.h"
#include "train/autocast_scope.h"
#include "train/option_sections.h"

namespace wei::large_lr_patch {

// optim.schedule: the reference's lr_sched "decay_early" (step) and "fixed".
// regularizer: none, or the reference's reg_type "act_noise".
enum class Regularizer { kNone, kActivationNoise };

struct Options {
  struct Data {
    std::string root;        // empty: the seeded synthetic stand-in
    int64_t train_size = 0;  // 0: all 50,000 (a seeded random subset otherwise)
    int64_t test_size = 0;   // 0: all 10,000
    // The reference's normalisation: (125.3, 123.0, 113.9)/255 and (63.0, 62.1, 66.7)/255.
    std::vector<double> mean{125.3 / 255, 123.0 / 255, 113.9 / 255};
    std::vector<double> std{63.0 / 255, 62.1 / 255, 66.7 / 255};
  } data;
  struct Patch {
    double fraction = 0.8;  // the reference's prop_augment
    int64_t size = 7;
    double z_scale = 1.25;
    double class_sep = 0.1;
    double only_prob = 0.2;
    double only_scale = 1.75;
  } patch;
  struct Model {
    int64_t depth = 16;
    int64_t widen = 10;
  } model;
  struct Optim {
    int64_t epochs = 60;
    int64_t batch_size = 128;
    SgdOptions sgd{0.1, 0.9, true, 5e-4, true};  // the reference's large learning rate
    // The reference's decay_early: x0.04 from epoch 30 on (29 completed).
    ScheduleOptions schedule{ScheduleKind::kMultistep, {29}, 0.04, 0};
  } optim;
  Regularizer regularizer = Regularizer::kNone;
  struct ActNoise {
    double std = 0.4;
    std::vector<int64_t> milestones{29};  // epochs completed before std is multiplied by gamma
    double gamma = 1e-5;
  } act_noise;
  struct Eval {
    int64_t batch_size = 256;
    int64_t patch_only_images = 1000;
  } eval;
  ComputeOptions compute;
};

const NamedValues<Regularizer>& regularizer_names();
const OptionSchema<Options>& options_schema();

// The activation-noise std of 0-based epoch `epoch` (0 without that regularizer): a multistep
// schedule (train/schedule.h) of act_noise.std.
double act_noise_at(const Options& o, int64_t epoch);

}  // namespace wei::large_lr_patch
