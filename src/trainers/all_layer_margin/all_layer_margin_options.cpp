#include "trainers/all_layer_margin/all_layer_margin_options.h"

#include <algorithm>
#include <cmath>

#include "data/cifar_sets.h"
#include "train/trainer.h"

namespace wei::all_layer_margin {

namespace {

using O = Options;

MemoryEstimate estimate(const O& o) {
  const double classes = o.data.dataset == data::CifarKind::kCifar10 ? 10 : 100;
  const double per_image = models::wide_resnet_activation_bytes(o.model.depth, o.model.widen);
  const auto [train, test] = data::cifar_set_sizes(o.data.train_size, o.data.test_size);
  const double padded = 3 * std::pow(32.0 + 2.0 * static_cast<double>(o.augment.padding), 2);
  const double amo = o.method == Method::kAmo ? 2 : 1;  // the perturbation and a second graph
  MemoryEstimate m;
  m.parts = {{"data", 60000 * 3073 + train * padded + test * 3072 * 4},
             {"model and optimizer",
              models::wide_resnet_parameters(models::WideResNetOptions{
                  o.model.depth, o.model.widen, static_cast<int64_t>(classes), o.model.variant}) *
                  4 * 4},
             {"activations of one batch", std::min(static_cast<double>(o.optim.batch_size), train) * per_image * amo},
             {"history", static_cast<double>(o.optim.epochs) * kHistoryRowBytes}};
  return m;
}

}  // namespace

const NamedValues<Method>& method_names() {
  static const NamedValues<Method> names = {{"sgd", Method::kSgd}, {"amo", Method::kAmo}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    using D = O::Data;
    s.field("data.root", "folder with the CIFAR binary files; empty: seeded synthetic stand-in", &O::data, &D::root);
    s.enum_choice("data.dataset", data::cifar_kind_names(), "dataset (and number of classes)", &O::data, &D::dataset);
    s.field("data.train_size", "training images kept (a seeded random subset); 0: all",
            &O::data, &D::train_size)
        .at_least(0);
    s.field("data.test_size", "test images kept (a seeded random subset); 0: all", &O::data, &D::test_size).at_least(0);
    s.field("data.corrupt_prob", "chance that a training label is replaced by a uniformly random one (reference)",
            &O::data, &D::corrupt_prob)
        .at_least(0)
        .at_most(1);
    s.field("data.mean", "per-channel mean subtracted from pixels in [0, 1] (reference: (125.3, 123.0, 113.9)/255)",
            &O::data, &D::mean);
    s.field("data.std", "per-channel standard deviation (reference: (63.0, 62.1, 66.7)/255)", &O::data, &D::std)
        .greater_than(0);

    using M = O::Model;
    s.field("model.depth", "WideResNet depth, 6n + 4 (paper: 16 and 28)", &O::model, &M::depth)
        .check([](const ParamValue& v) { return models::wide_resnet_depth_problem(std::get<int64_t>(v)); });
    s.field("model.widen", "width factor k: stages of 16k, 32k, 64k channels (paper: 10)", &O::model, &M::widen)
        .at_least(1);
    s.enum_choice("model.variant",
                  {{"all_layer_margin", models::WideResNetVariant::kAllLayerMargin},
                   {"standard", models::WideResNetVariant::kStandard}},
                  "all_layer_margin: the reference's WRN (stem BN, a shortcut conv in each stage's first block); "
                  "standard: Zagoruyko & Komodakis's",
                  &O::model, &M::variant);

    s.enum_choice("method", method_names(), "sgd, or all-layer margin optimization (AMO) from amo.switch_time",
                  &O::method);
    using A = O::Amo;
    s.field("amo.switch_time", "1-based epoch from which AMO replaces plain SGD (reference README: 1)", &O::amo,
            &A::switch_time)
        .at_least(1)
        .when("method", {"amo"});
    s.field("amo.inner_steps", "SGD steps on the perturbations per update (reference: 1)", &O::amo, &A::inner_steps)
        .at_least(1)
        .when("method", {"amo"});
    s.field("amo.inner_lr", "learning rate of the perturbation ascent (reference: 0.01)", &O::amo, &A::inner_lr)
        .greater_than(0)
        .when("method", {"amo"});
    s.field("amo.inner_weight_decay", "weight decay of the perturbations (reference: 0)", &O::amo,
            &A::inner_weight_decay)
        .at_least(0)
        .when("method", {"amo"});
    s.field("amo.bn_stats_from_inner_passes",
            "BatchNorm running statistics updated by every pass of an AMO step, as the reference (false: the "
            "outer pass only)",
            &O::amo, &A::bn_stats_from_inner_passes)
        .when("method", {"amo"});

    using P = O::Optim;
    s.field("optim.epochs", "training epochs (reference: 200)", &O::optim, &P::epochs).at_least(1);
    s.field("optim.batch_size", "training batch size (reference: 128)", &O::optim, &P::batch_size).at_least(1);
    sgd_section(s, "optim", &O::optim, &P::sgd);
    schedule_section(s, "optim", "epoch", &O::optim, &P::schedule);

    using G = O::Augment;
    s.field("augment.padding", "random 32x32 crop from the padded image (pixels each side); 0: no crop", &O::augment,
            &G::padding)
        .at_least(0)
        .less_than(32);
    s.choice("augment.pad_mode", {"reflect", "zero"}, "padding of the crop (reference: reflect)", &O::augment,
             &G::pad_mode);
    s.field("augment.flip", "random horizontal flip", &O::augment, &G::flip);
    eval_batch_size_field(s, &O::eval, &O::Eval::batch_size);

    using R = O::Margin;
    s.field("margin.every", "epochs between all-layer margin estimates (and the last epoch); 0: the last only",
            &O::margin, &R::every)
        .at_least(0);
    s.field("margin.train_examples", "fixed training examples whose margin is estimated", &O::margin,
            &R::train_examples)
        .at_least(1);
    s.field("margin.test_examples", "fixed test examples whose margin is estimated", &O::margin, &R::test_examples)
        .at_least(1);
    s.field("margin.steps", "projected-gradient steps of each flip search", &O::margin, &R::steps).at_least(1);
    s.field("margin.bisections", "halvings of the radius interval", &O::margin, &R::bisections).at_least(1);
    s.field("margin.max_radius", "largest relative perturbation norm searched (larger margins are censored here)",
            &O::margin, &R::max_radius)
        .greater_than(0);

    compute_section(s, &O::compute);

    s.check({"data.mean"}, "data.mean has 3 values (R, G, B)", [](const O& o) { return o.data.mean.size() == 3; });
    s.check({"data.std"}, "data.std has 3 values (R, G, B)", [](const O& o) { return o.data.std.size() == 3; });
    s.check({"amo.switch_time", "optim.epochs"}, "amo.switch_time <= optim.epochs",
            [](const O& o) { return o.amo.switch_time <= o.optim.epochs; });
    s.check({"margin.train_examples", "data.train_size"}, "margin.train_examples <= data.train_size (when set)",
            [](const O& o) { return o.data.train_size == 0 || o.margin.train_examples <= o.data.train_size; });
    s.check({"margin.test_examples", "data.test_size"}, "margin.test_examples <= data.test_size (when set)",
            [](const O& o) { return o.data.test_size == 0 || o.margin.test_examples <= o.data.test_size; });
    s.memory_estimate(estimate);
    return s;
  }();
  return schema;
}

}  // namespace wei::all_layer_margin
