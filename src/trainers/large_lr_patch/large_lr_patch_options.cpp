#include "trainers/large_lr_patch/large_lr_patch_options.h"

#include <algorithm>
#include <cmath>

#include "data/cifar_sets.h"
#include "models/wide_resnet.h"
#include "train/trainer.h"

namespace wei::large_lr_patch {

namespace {

using O = Options;

MemoryEstimate memory_needed(const O& o) {
  const double per_image = models::wide_resnet_activation_bytes(o.model.depth, o.model.widen);
  const auto [train, test] = data::cifar_set_sizes(o.data.train_size, o.data.test_size);
  const double eval_images = 2 * test + static_cast<double>(o.eval.patch_only_images);
  MemoryEstimate m;
  m.parts = {{"data", 60000 * 3073 + train * 3072 + eval_images * 3072 * 4},
             {"model and optimizer",
              models::wide_resnet_parameters(
                  models::WideResNetOptions{o.model.depth, o.model.widen, 10, models::WideResNetVariant::kStandard}) *
                  4 * 4},
             {"activations of one batch", std::min(static_cast<double>(o.optim.batch_size), train) * per_image},
             {"history", static_cast<double>(o.optim.epochs) * kHistoryRowBytes}};
  return m;
}

}  // namespace

double act_noise_at(const Options& o, int64_t epoch) {
  if (o.regularizer != Regularizer::kActivationNoise) return 0.0;
  Schedule noise;
  noise.kind = ScheduleKind::kMultistep;
  noise.base = o.act_noise.std;
  noise.milestones = o.act_noise.milestones;
  noise.gamma = o.act_noise.gamma;
  return schedule_value(noise, epoch);
}

const NamedValues<Regularizer>& regularizer_names() {
  static const NamedValues<Regularizer> names = {{"none", Regularizer::kNone},
                                                 {"act_noise", Regularizer::kActivationNoise}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    using D = O::Data;
    s.field("data.root", "folder with the CIFAR-10 binary files; empty: seeded synthetic stand-in", &O::data,
            &D::root);
    s.field("data.train_size", "training images kept (a seeded random subset); 0: all", &O::data, &D::train_size)
        .at_least(0);
    s.field("data.test_size", "test images kept (a seeded random subset); 0: all", &O::data, &D::test_size)
        .at_least(0);
    s.field("data.mean", "per-channel mean subtracted from pixels in [0, 1] (reference: (125.3, 123.0, 113.9)/255)",
            &O::data, &D::mean);
    s.field("data.std", "per-channel standard deviation (reference: (63.0, 62.1, 66.7)/255)", &O::data, &D::std)
        .greater_than(0);

    using P = O::Patch;
    s.field("patch.fraction", "share of training (and test) images selected once to carry the patch (reference: 0.8)",
            &O::patch, &P::fraction)
        .at_least(0)
        .at_most(1);
    s.field("patch.size", "side of the square patch at the image centre, in pixels (reference: 7, pixels 12..18)",
            &O::patch, &P::size)
        .at_least(1)
        .at_most(32);
    s.field("patch.z_scale", "the shared pattern z = z_scale * N(0, 1) (reference: 1.25)", &O::patch, &P::z_scale)
        .at_least(0);
    s.field("patch.class_sep", "class patterns zeta_c ~ U(-class_sep, class_sep) (reference: 0.1)", &O::patch,
            &P::class_sep)
        .at_least(0);
    s.field("patch.only_prob", "chance that a drawn selected image is zeroed but for its patch (reference: 0.2)",
            &O::patch, &P::only_prob)
        .at_least(0)
        .at_most(1);
    s.field("patch.only_scale", "patch-only images carry z + s * only_scale * U(0, 1) * zeta_y (reference: 1.75)",
            &O::patch, &P::only_scale)
        .at_least(0);

    using M = O::Model;
    s.field("model.depth", "WideResNet depth, 6n + 4 (reference: 16)", &O::model, &M::depth)
        .check([](const ParamValue& v) { return models::wide_resnet_depth_problem(std::get<int64_t>(v)); });
    s.field("model.widen", "width factor k: stages of 16k, 32k, 64k channels (reference: 10)", &O::model, &M::widen)
        .at_least(1);

    using G = O::Optim;
    s.field("optim.epochs", "training epochs (reference: 60)", &O::optim, &G::epochs).at_least(1);
    s.field("optim.batch_size", "training batch size (reference: 128)", &O::optim, &G::batch_size).at_least(1);
    sgd_section(s, "optim", &O::optim, &G::sgd);
    schedule_section(s, "optim", "epoch", &O::optim, &G::schedule);

    s.enum_choice("regularizer", regularizer_names(),
                  "none, or act_noise: N(0, 1) noise of shape H x W, times act_noise.std, added after every "
                  "BatchNorm before its ReLU in training passes",
                  &O::regularizer);
    using A = O::ActNoise;
    s.field("act_noise.std", "standard deviation of the activation noise (reference: 0.4)", &O::act_noise, &A::std)
        .at_least(0)
        .when("regularizer", {"act_noise"});
    s.field("act_noise.milestones", "epochs completed before the noise is multiplied by act_noise.gamma "
            "(reference: 29, from epoch 30 on)",
            &O::act_noise, &A::milestones)
        .at_least(0)
        .when("regularizer", {"act_noise"});
    s.field("act_noise.gamma", "noise factor at each milestone (reference: 1e-5)", &O::act_noise, &A::gamma)
        .at_least(0)
        .when("regularizer", {"act_noise"});

    using E = O::Eval;
    eval_batch_size_field(s, &O::eval, &E::batch_size);
    s.field("eval.patch_only_images", "zero images carrying the patch of a random label (reference: 1000)",
            &O::eval, &E::patch_only_images)
        .at_least(1);

    compute_section(s, &O::compute);

    s.check({"data.mean"}, "data.mean has 3 values (R, G, B)", [](const O& o) { return o.data.mean.size() == 3; });
    s.check({"data.std"}, "data.std has 3 values (R, G, B)", [](const O& o) { return o.data.std.size() == 3; });
    s.memory_estimate(memory_needed);
    return s;
  }();
  return schema;
}

}  // namespace wei::large_lr_patch
