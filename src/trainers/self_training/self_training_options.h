#pragma once
// The spec keys of trainer "self_training", one field each (defaults: FixMatch's CIFAR-10 recipe,
// Sohn et al. 2020, as google-research/fixmatch runs it; the teacher-student objective and the toy
// setting of Wei, Shen, Chen & Ma 2021).
#include <cstdint>
#include <string>
#include <vector>

#include "base/named_values.h"
#include "data/rand_augment.h"
#include "spec/option_schema.h"
#include "train/option_sections.h"

namespace wei::self_training {

enum class Method {
  kSupervised,   // the labelled subset only, weak augmentation: the floor
  kPseudoLabel,  // + hard pseudo-labels of the model on weak views, trained on the same weak views
  kFixMatch,     // + pseudo-labels of weak views, trained on strong views of the same images
  // The theory's objective: a fixed teacher labels every unlabelled image once; a student trained
  // from scratch fits those labels plus `consistency.weight` times an input-consistency term.
  kTeacherStudent,
};
// Where the student's predictions must not change (Wei et al. 2021's neighbourhood N(x)).
enum class Neighbourhood {
  kNone,     // no consistency term: the student fits the teacher's labels (the control)
  kAugment,  // the strong view's prediction must match the weak view's (FixMatch, UDA)
  kL2,       // an adversarial l2 perturbation of radius `consistency.radius` must not change it (VAT)
};
enum class Setting { kCifar10, kToy };
const NamedValues<Method>& method_names();
const NamedValues<Neighbourhood>& neighbourhood_names();
const NamedValues<Setting>& setting_names();
const NamedValues<data::StrongAugment>& strong_augment_names();

struct Options {
  Setting setting = Setting::kCifar10;
  Method method = Method::kFixMatch;
  struct Data {
    std::string root;             // the CIFAR-10 folder; empty: the seeded synthetic stand-in
    int64_t labels = 4000;        // labelled images, the same number of each class
    int64_t fold = 0;             // seed of the labelled subset, apart from `seed`
    int64_t train_size = 0;       // training images kept (the unlabelled set); 0: all
    int64_t test_size = 0;        // 0: all
    std::vector<double> mean{0.4914, 0.4822, 0.4465};
    std::vector<double> std{0.2471, 0.2435, 0.2616};
  } data;
  struct Model {
    int64_t depth = 28;
    int64_t widen = 2;
    double relu_slope = 0.1;
    double bn_momentum = 0.001;
  } model;
  struct Augment {
    int64_t padding = 4;  // weak: flip and a reflected translation by up to this many pixels
    data::StrongAugment strong = data::StrongAugment::kReference;
    int64_t ops = 2;
    int64_t magnitude = 10;
    int64_t cutout = 16;
  } augment;
  struct Unlabelled {
    int64_t mu = 7;           // unlabelled images per labelled one in a step
    double threshold = 0.95;  // tau
    double weight = 1.0;      // lambda_u
  } unlabelled;
  struct Teacher {
    std::string checkpoint;  // a self_training run directory or its checkpoint; empty: trained first
    int64_t steps = 65536;   // steps of the teacher trained first (supervised, the optim.* recipe)
  } teacher;
  struct Consistency {
    Neighbourhood neighbourhood = Neighbourhood::kAugment;
    double weight = 1.0;  // lambda
    double radius = 6.0;  // l2: the perturbation's norm (VAT on CIFAR-10: 6; toy: input units)
  } consistency;
  struct Theory {
    int64_t expansion_images = 1000;  // test images of the expansion estimate
    int64_t expansion_views = 8;      // strong views drawn of each
  } theory;
  // Wei et al.'s assumptions made exact: each class uniform on a circle in its own plane of R^dim,
  // the neighbourhood of a point the arc of half-width `shift` (a fraction of the circle) around it,
  // a teacher wrong on `error_arcs` equal arcs of total mass `teacher_error` in every class.
  struct Toy {
    int64_t classes = 3;
    int64_t dim = 10;
    double separation = 3.0;  // distance between the circles' centres (radius 1)
    double teacher_error = 0.1;
    int64_t error_arcs = 1;
    double shift = 0.1;
    int64_t train_size = 4096;
    int64_t test_points = 3600;  // evaluation grid points per class (exact up to the grid)
    int64_t hidden = 128;        // width of the student's two hidden layers
  } toy;
  struct Optim {
    int64_t steps = int64_t{1} << 20;
    int64_t batch_size = 64;  // labelled images per step
    int64_t eval_every = 1024;
    SgdOptions sgd{0.03, 0.9, true, 5e-4, false};
    ScheduleOptions schedule{ScheduleKind::kFixmatchCosine, {}, 0.1, 0};
    double ema = 0.999;  // decay of the weights' moving average used for evaluation; 0: none
  } optim;
  struct Eval {
    int64_t batch_size = 256;
    int64_t median_of = 20;  // the reported error: the median of the last this many evaluations
  } eval;
  ComputeOptions compute;
};

const OptionSchema<Options>& options_schema();

}  // namespace wei::self_training
