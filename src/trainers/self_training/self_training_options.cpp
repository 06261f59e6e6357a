#include "trainers/self_training/self_training_options.h"

#include <algorithm>

#include "data/cifar_sets.h"
#include "models/wide_resnet.h"
#include "train/trainer.h"

namespace wei::self_training {

namespace {

using O = Options;

MemoryEstimate memory_needed(const O& o) {
  const double per_image = models::wide_resnet_activation_bytes(o.model.depth, o.model.widen);
  const auto [train, test] = data::cifar_set_sizes(o.data.train_size, o.data.test_size);
  const double unlabelled_views = o.method == Method::kSupervised ? 0 : o.method == Method::kPseudoLabel ? 1 : 2;
  const double batch = std::min(static_cast<double>(o.optim.batch_size), train) *
                       (1 + unlabelled_views * static_cast<double>(o.unlabelled.mu));
  MemoryEstimate m;
  m.parts = {{"data", 60000 * 3073 + (train + test) * 3072 + test * 3072 * 4},
             // weights, gradients, momentum and the weights' average, in float
             {"model, optimizer and average",
              models::wide_resnet_parameters(
                  models::WideResNetOptions{o.model.depth, o.model.widen, 10, models::WideResNetVariant::kFixMatch}) *
                  4 * 4},
             {"activations of one batch", batch * per_image},
             {"history", static_cast<double>(o.optim.steps / std::max<int64_t>(1, o.optim.eval_every) + 1) *
                             (kHistoryRowBytes + 10 * 32)}};
  return m;
}

}  // namespace

const NamedValues<Method>& method_names() {
  static const NamedValues<Method> names = {
      {"supervised", Method::kSupervised}, {"pseudo_label", Method::kPseudoLabel}, {"fixmatch", Method::kFixMatch}};
  return names;
}

const NamedValues<data::StrongAugment>& strong_augment_names() {
  static const NamedValues<data::StrongAugment> names = {{"randaugment", data::StrongAugment::kReference},
                                                         {"randaugment_fixed", data::StrongAugment::kFixed}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.enum_choice("method", method_names(),
                  "supervised (labelled images only), pseudo_label (hard pseudo-labels on the weak view, trained on "
                  "it) or fixmatch (pseudo-labels of the weak view, trained on the strong view)",
                  &O::method);
    using D = O::Data;
    s.field("data.root", "folder with the CIFAR-10 binary files; empty: seeded synthetic stand-in", &O::data,
            &D::root);
    s.field("data.labels", "labelled images, balanced over the 10 classes (FixMatch: 40, 250, 4000)", &O::data,
            &D::labels)
        .at_least(10)
        .at_most(50000)
        .check([](const ParamValue& v) {
          return std::get<int64_t>(v) % 10 == 0 ? std::string() : std::string("must be a multiple of 10");
        });
    s.field("data.fold", "seed of the labelled subset (two methods with one fold share one split)", &O::data,
            &D::fold)
        .at_least(0);
    s.field("data.train_size", "training images kept, the unlabelled set (a seeded random subset); 0: all",
            &O::data, &D::train_size)
        .at_least(0);
    s.field("data.test_size", "test images kept (a seeded random subset); 0: all", &O::data, &D::test_size)
        .at_least(0);
    s.field("data.mean", "per-channel mean subtracted from pixels in [0, 1]", &O::data, &D::mean);
    s.field("data.std", "per-channel standard deviation", &O::data, &D::std).greater_than(0);

    using M = O::Model;
    s.field("model.depth", "WideResNet depth, 6n + 4 (FixMatch: 28)", &O::model, &M::depth)
        .check([](const ParamValue& v) { return models::wide_resnet_depth_problem(std::get<int64_t>(v)); });
    s.field("model.widen", "width factor k (FixMatch: 2)", &O::model, &M::widen).at_least(1);
    s.field("model.relu_slope", "negative slope of the leaky ReLUs (FixMatch: 0.1; 0: ReLU)", &O::model,
            &M::relu_slope)
        .at_least(0)
        .less_than(1);
    s.field("model.bn_momentum", "BatchNorm momentum, torch's convention (FixMatch: 0.001)", &O::model,
            &M::bn_momentum)
        .greater_than(0)
        .at_most(1);

    using A = O::Augment;
    s.field("augment.padding", "weak view: flip and a reflected translation by up to this many pixels (4: 12.5%)",
            &O::augment, &A::padding)
        .at_least(0)
        .less_than(32);
    s.enum_choice("augment.strong", strong_augment_names(),
                  "strong view: randaugment (the reference: each drawn operation with probability 1/2 at a level "
                  "drawn from 1..magnitude-1) or randaugment_fixed (every drawn operation at level magnitude)",
                  &O::augment, &A::strong);
    s.field("augment.ops", "RandAugment operations drawn per image", &O::augment, &A::ops).at_least(1).at_most(14);
    s.field("augment.magnitude", "RandAugment magnitude (0..10)", &O::augment, &A::magnitude).at_least(2).at_most(10);
    s.field("augment.cutout", "side of the Cutout square after RandAugment; 0: none", &O::augment, &A::cutout)
        .at_least(0)
        .at_most(32);

    using U = O::Unlabelled;
    s.field("unlabelled.mu", "unlabelled images per labelled image in a step (FixMatch: 7)", &O::unlabelled, &U::mu)
        .at_least(1)
        .when("method", {"pseudo_label", "fixmatch"});
    s.field("unlabelled.threshold", "confidence a pseudo-label needs, tau (FixMatch: 0.95)", &O::unlabelled,
            &U::threshold)
        .greater_than(0)
        .at_most(1)
        .when("method", {"pseudo_label", "fixmatch"});
    s.field("unlabelled.weight", "weight of the unlabelled loss, lambda_u (FixMatch: 1)", &O::unlabelled, &U::weight)
        .at_least(0)
        .when("method", {"pseudo_label", "fixmatch"});

    using P = O::Optim;
    s.field("optim.steps", "optimizer steps (FixMatch: 2^20)", &O::optim, &P::steps).at_least(1);
    s.field("optim.batch_size", "labelled images per step (FixMatch: 64)", &O::optim, &P::batch_size).at_least(1);
    s.field("optim.eval_every", "steps between evaluations (one history row each; FixMatch: 1024)", &O::optim,
            &P::eval_every)
        .at_least(1);
    sgd_section(s, "optim", &O::optim, &P::sgd);
    schedule_section(s, "optim", "step", &O::optim, &P::schedule);
    s.field("optim.ema", "decay of the moving average of the weights that is evaluated (FixMatch: 0.999); 0: none",
            &O::optim, &P::ema)
        .at_least(0)
        .less_than(1);

    eval_batch_size_field(s, &O::eval, &O::Eval::batch_size);
    s.field("eval.median_of", "the reported error is the median of the last this many evaluations (FixMatch: 20)",
            &O::eval, &O::Eval::median_of)
        .at_least(1);
    compute_section(s, &O::compute);

    s.check({"data.mean"}, "data.mean has 3 values (R, G, B)", [](const O& o) { return o.data.mean.size() == 3; });
    s.check({"data.std"}, "data.std has 3 values (R, G, B)", [](const O& o) { return o.data.std.size() == 3; });
    s.check({"data.labels", "data.train_size"}, "data.labels <= data.train_size (when set)",
            [](const O& o) { return o.data.train_size == 0 || o.data.labels <= o.data.train_size; });
    s.memory_estimate(memory_needed);
    return s;
  }();
  return schema;
}

}  // namespace wei::self_training
