#pragma once
// The spec keys of trainer "imbalanced_cifar", one field each (defaults: the LDAM-DRW recipe of
// Cao et al. 2019 on CIFAR-10-LT-100).
#include <cstdint>
#include <string>
#include <vector>

#include "data/cifar_binary.h"
#include "data/imbalance.h"
#include "spec/option_schema.h"
#include "train/autocast_scope.h"
#include "trainers/imbalanced_cifar/losses.h"
#include "train/option_sections.h"
#include "trainers/imbalanced_cifar/schedule.h"

namespace wei::imbalanced_cifar {

enum class Classifier { kAuto, kLinear, kCosine };

struct Options {
  struct Data {
    std::string root;  // empty: the seeded synthetic stand-in
    data::CifarKind dataset = data::CifarKind::kCifar10;
    data::ImbalanceProfile imbalance = data::ImbalanceProfile::kExp;
    double ratio = 100.0;
    int64_t max_per_class = 0;   // 0: all (5000 CIFAR-10, 500 CIFAR-100)
    int64_t test_per_class = 0;  // 0: all
  } data;
  struct Model {
    Classifier classifier = Classifier::kAuto;
  } model;
  struct Loss {
    LossType type = LossType::kLdam;
    double focal_gamma = 1.0;
    double max_margin = 0.5;
    double margin = 0.3;
    double scale = 30.0;
  } loss;
  struct Train {
    TrainingRule rule = TrainingRule::kDrw;
    double cb_beta = 0.9999;
    int64_t deferred_epoch = 160;
  } train;
  struct Optim {
    int64_t epochs = 200;
    int64_t batch_size = 128;
    SgdOptions sgd{0.1, 0.9, false, 2e-4, true};
    ScheduleOptions schedule{ScheduleKind::kMultistep, {160, 180}, 0.01, 5};
  } optim;
  struct Augment {
    int64_t padding = 4;
    bool flip = true;
  } augment;
  struct Eval {
    // 128 rather than larger: on 2 CPU cores, fp32 evaluation in batches of 1,000 took 3x as long
    // per image as in batches of 128 (11 s against 3.8 s for the 10,000 test images).
    int64_t batch_size = 128;
  } eval;
  ComputeOptions compute;

  // Cosine (normed) last layer: asked for, or chosen by `auto` for the margin losses (as the reference code).
  bool normed_classifier() const {
    return model.classifier == Classifier::kCosine ||
           (model.classifier == Classifier::kAuto && uses_cosine_logits(loss.type));
  }
};

const OptionSchema<Options>& options_schema();

}  // namespace wei::imbalanced_cifar
