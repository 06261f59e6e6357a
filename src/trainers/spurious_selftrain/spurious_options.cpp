#include "trainers/spurious_selftrain/spurious_options.h"

#include <algorithm>

#include "base/int_math.h"
#include "train/trainer.h"

namespace wei::spurious_selftrain {

namespace {

using O = Options;

// The keys of ImageTraining under `section` ("colored_mnist" or "celeba", also its data.kind).
template <typename Section>
void add_image_training(OptionSchema<O>& s, const std::string& section, Section O::*member) {
  using T = ImageTraining;
  const std::string p = section + ".";
  const auto key = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
    return s.field(p + name, help, member, field).when("data.kind", {section});
  };
  key("source_epochs", "source-phase epochs", &T::source_epochs).greater_than(0);
  key("batch_size", "minibatch size (source phase, pseudo-label epochs)", &T::batch_size).greater_than(0);
  s.enum_choice(p + "optimizer", {{"sgd", OptimizerKind::kSgd}, {"adam", OptimizerKind::kAdam}},
                "optimiser of both phases", member, &T::optimizer)
      .when("data.kind", {section});
  key("lr", "source-phase learning rate", &T::lr).greater_than(0);
  key("momentum", "SGD momentum / Adam beta1", &T::momentum).at_least(0).less_than(1);
  key("weight_decay", "L2 weight decay of both phases", &T::weight_decay).at_least(0);
  key("adapt_steps", "entropy-minimisation steps", &T::adapt_steps).greater_than(0).when("adapt.method", {"entropy"});
  key("adapt_lr", "adapt-phase learning rate (fresh optimiser state)", &T::adapt_lr).greater_than(0);
  key("adapt_batch_size", "target batch per entropy step; 0 = the whole target", &T::adapt_batch_size)
      .at_least(0)
      .when("adapt.method", {"entropy"});
  key("entropy_weight", "weight of the target entropy", &T::entropy_weight)
      .at_least(0)
      .when("adapt.method", {"entropy"});
  key("source_weight", "weight of a source cross-entropy batch in the adapt phase", &T::source_weight).at_least(0);
  key("log_every", "entropy steps per history row", &T::log_every).greater_than(0).when("adapt.method", {"entropy"});
  key("pl_rounds", "pseudo-label rounds (paper: 3, 6 or 30)", &T::pl_rounds)
      .greater_than(0)
      .when("adapt.method", {"pseudo_label"});
  key("pl_epochs", "epochs over the pseudo-labelled target per round", &T::pl_epochs)
      .greater_than(0)
      .when("adapt.method", {"pseudo_label"});
  key("pl_threshold", "keep target points whose top-class probability is at least this", &T::pl_threshold)
      .at_least(0)
      .at_most(1)
      .when("adapt.method", {"pseudo_label"});
}

MemoryEstimate estimate_memory(const O& o) {
  const auto d = [](int64_t v) { return static_cast<double>(v); };
  MemoryEstimate m;
  if (o.data.kind == DataKind::kGaussian) {
    const auto& g = o.gaussian;
    const double rows = d(ceil_div(g.source_steps, g.log_every)) +
                        d(o.adapt.method == AdaptMethod::kEntropy ? ceil_div(g.target_steps, g.log_every) : g.pl_rounds);
    m.parts = {{"data", d(g.source_size + 2 * g.target_size + 2 * g.test_size) * 5 * 4 * 2},
               {"history", rows * kHistoryRowBytes}};
    return m;
  }
  const ImageTraining& t = o.image_training();
  double images = 0, inputs = 0, activations_per_example = 0;
  if (o.data.kind == DataKind::kColoredMnist) {
    images = o.data.root.empty() ? d(o.colored_mnist.synthetic_train_size + o.colored_mnist.synthetic_test_size) : 70000;
    inputs = 2 * 784;
    activations_per_example = inputs;
    for (const int64_t width : o.colored_mnist.hidden) activations_per_example += 2 * d(width);
  } else {
    images = o.celeba.available_only ? 10000 : 202599;  // CelebA's size (an image subset: far fewer)
    inputs = 3 * 32 * 32;
    activations_per_example = 3 * 32 * 32 * 16 * d(o.celeba.width) / 96;
  }
  // The largest batch through the model: a full-batch entropy step takes the whole target (half
  // of the images at most).
  const double batch = o.adapt.method == AdaptMethod::kEntropy && t.adapt_batch_size == 0
                           ? images / 2
                           : d(std::max(t.batch_size, t.adapt_batch_size));
  const double rows = d(t.source_epochs) + d(o.adapt.method == AdaptMethod::kEntropy ? ceil_div(t.adapt_steps, t.log_every)
                                                                                      : t.pl_rounds);
  m.parts = {{"data", images * (inputs * 4 * 2 + 784)},
             {"activations of one batch", batch * activations_per_example * 4 * 3},
             {"history", rows * kHistoryRowBytes}};
  return m;
}

}  // namespace

const NamedValues<DataKind>& data_kind_names() {
  static const NamedValues<DataKind> names = {
      {"gaussian", DataKind::kGaussian}, {"colored_mnist", DataKind::kColoredMnist}, {"celeba", DataKind::kCeleba}};
  return names;
}

const OptionSchema<Options>& options_schema() {
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.enum_choice("data.kind", data_kind_names(), "which experiment", &O::data, &O::Data::kind);
    s.field("data.root",
            "colored_mnist: folder of the MNIST idx files (.gz or plain); celeba: folder of the label files and "
            "img_align_celeba/; empty: a synthetic stand-in (colored_mnist only)",
            &O::data, &O::Data::root)
        .when("data.kind", {"colored_mnist", "celeba"});
    s.enum_choice("adapt.method", {{"entropy", AdaptMethod::kEntropy}, {"pseudo_label", AdaptMethod::kPseudoLabel}},
                  "target adaptation: conditional-entropy minimisation or pseudo-labelling", &O::adapt,
                  &O::Adapt::method);

    using G = O::Gaussian;
    const auto toy = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("gaussian." + name, help, &O::gaussian, field).when("data.kind", {"gaussian"});
    };
    toy("source_size", "labelled source points (paper: 10,000)", &G::source_size).greater_than(0);
    toy("target_size", "target points per batch (paper: 10,000)", &G::target_size).greater_than(0);
    toy("test_size", "held-out source and target points for accuracies", &G::test_size).greater_than(0);
    toy("signal_norm", "||c||, the class-mean offset of the signal dims", &G::signal_norm).greater_than(0);
    toy("spurious_prob", "source: chance a spurious coordinate follows the label", &G::spurious_prob)
        .at_least(0)
        .at_most(1);
    toy("lr", "step size of both phases (paper: 1e-3)", &G::lr).greater_than(0);
    toy("source_steps", "full-batch logistic steps on the source", &G::source_steps).greater_than(0);
    toy("target_steps", "entropy-minimisation steps on the target", &G::target_steps)
        .greater_than(0)
        .when("adapt.method", {"entropy"});
    toy("fresh_batches", "draw a new target batch for every step / round (false: reuse one fixed target set)",
        &G::fresh_batches);
    toy("pl_rounds", "pseudo-label rounds", &G::pl_rounds).greater_than(0).when("adapt.method", {"pseudo_label"});
    toy("pl_steps", "logistic steps on the pseudo-labels of each round", &G::pl_steps)
        .greater_than(0)
        .when("adapt.method", {"pseudo_label"});
    toy("pl_threshold", "keep target points with |w.x| above this", &G::pl_threshold)
        .at_least(0)
        .when("adapt.method", {"pseudo_label"});
    toy("log_every", "steps per history row", &G::log_every).greater_than(0);

    using M = O::ColoredMnist;
    const auto mnist = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("colored_mnist." + name, help, &O::colored_mnist, field).when("data.kind", {"colored_mnist"});
    };
    mnist("correlation", "source: chance the colour encodes the label (paper: 0.95, 0.97)", &M::correlation)
        .at_least(0)
        .at_most(1);
    mnist("hidden", "MLP hidden widths (paper: 128, 64)", &M::hidden).at_least(1);
    mnist("synthetic_train_size", "stand-in training images when data.root is empty", &M::synthetic_train_size)
        .at_least(30);
    mnist("synthetic_test_size", "stand-in test images when data.root is empty", &M::synthetic_test_size)
        .at_least(10);
    add_image_training(s, "colored_mnist", &O::colored_mnist);

    using C = O::Celeba;
    const auto celeba = [&](const std::string& name, const std::string& help, auto field) -> ParamDef& {
      return s.field("celeba." + name, help, &O::celeba, field).when("data.kind", {"celeba"});
    };
    celeba("quota_dark_women", "source: first N dark-haired women in file order (paper: 1749)",
           &C::quota_dark_women)
        .at_least(1);
    celeba("quota_blond_men", "source: first N blond men in file order (paper: 1250)", &C::quota_blond_men)
        .at_least(1);
    celeba("test_fraction", "held-out fraction of each domain (paper: 0.1)", &C::test_fraction)
        .greater_than(0)
        .less_than(1);
    celeba("available_only", "use only rows whose image exists (an image subset); false: a missing image is an error",
           &C::available_only);
    celeba("width", "conv-small base width (VAT: 96)", &C::width).greater_than(0);
    add_image_training(s, "celeba", &O::celeba);

    s.check({"data.root", "data.kind"}, "data.root is set when data.kind is celeba (CelebA has no stand-in)",
            [](const O& o) { return o.data.kind != DataKind::kCeleba || !o.data.root.empty(); });
    s.memory_estimate(estimate_memory);
    return s;
  }();
  return schema;
}

}  // namespace wei::spurious_selftrain
