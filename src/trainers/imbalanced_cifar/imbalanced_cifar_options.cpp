#include "trainers/imbalanced_cifar/imbalanced_cifar_options.h"

#include <algorithm>
#include <cmath>

#include "train/option_sections.h"
#include "train/trainer.h"

namespace wei::imbalanced_cifar {

const OptionSchema<Options>& options_schema() {
  using O = Options;
  static const OptionSchema<O> schema = [] {
    OptionSchema<O> s;
    s.field("data.root", "folder with the CIFAR binary files; empty: seeded synthetic stand-in", &O::data,
            &O::Data::root);
    s.enum_choice("data.dataset", data::cifar_kind_names(), "dataset (and number of classes)", &O::data,
                  &O::Data::dataset);
    s.enum_choice("data.imbalance", data::imbalance_profile_names(),
                  "imbalance profile: exp = long-tailed, step = half the classes rare", &O::data, &O::Data::imbalance);
    s.field("data.ratio", "imbalance ratio n_max / n_min", &O::data, &O::Data::ratio)
        .at_least(1)
        .when("data.imbalance", {"exp", "step"});
    s.field("data.max_per_class", "n_max of the profile; 0: all (5000 CIFAR-10, 500 CIFAR-100)", &O::data,
            &O::Data::max_per_class)
        .at_least(0);
    s.field("data.test_per_class", "test images kept per class (seeded subset); 0: all", &O::data,
            &O::Data::test_per_class)
        .at_least(0);
    s.enum_choice("model.classifier",
                  {{"auto", Classifier::kAuto}, {"linear", Classifier::kLinear}, {"cosine", Classifier::kCosine}},
                  "last layer; auto: cosine (normed) for margin losses, as the reference code", &O::model,
                  &O::Model::classifier);
    s.enum_choice("loss.type", loss_type_names(), "training loss", &O::loss, &O::Loss::type);
    s.field("loss.focal_gamma", "focal loss gamma (reference code: 1)", &O::loss, &O::Loss::focal_gamma)
        .at_least(0)
        .when("loss.type", {"focal"});
    s.field("loss.max_margin", "largest LDAM margin (the rarest class)", &O::loss, &O::Loss::max_margin)
        .greater_than(0)
        .when("loss.type", {"ldam", "ldam_hinge"});
    s.field("loss.margin", "the one margin of margin_ce (M-DRW) and hinge; tuned in the paper, not reported",
            &O::loss, &O::Loss::margin)
        .at_least(0)
        .when("loss.type", {"margin_ce", "hinge"});
    s.field("loss.scale", "s: cosine logits are scaled by it in the margin losses", &O::loss, &O::Loss::scale)
        .greater_than(0)
        .when("loss.type", {"ldam", "margin_ce", "hinge", "ldam_hinge"});
    s.enum_choice("train.rule", training_rule_names(),
                  "class balancing: none, resample, reweight, deferred re-weighting, deferred re-sampling", &O::train,
                  &O::Train::rule);
    s.field("train.cb_beta", "beta of the class-balanced weights (1-b)/(1-b^n)", &O::train, &O::Train::cb_beta)
        .at_least(0)
        .less_than(1)
        .when("train.rule", {"reweight", "drw"});
    s.field("train.deferred_epoch", "0-based epoch from which drw/drs apply", &O::train, &O::Train::deferred_epoch)
        .at_least(0)
        .when("train.rule", {"drw", "drs"});
    s.field("optim.epochs", "training epochs", &O::optim, &O::Optim::epochs).greater_than(0);
    s.field("optim.batch_size", "training batch size", &O::optim, &O::Optim::batch_size).greater_than(0);
    sgd_section(s, "optim", &O::optim, &O::Optim::sgd);
    schedule_section(s, "optim", "epoch", &O::optim, &O::Optim::schedule);
    s.field("augment.padding", "random crop from the zero-padded image (pixels each side); 0: none", &O::augment,
            &O::Augment::padding)
        .at_least(0);
    s.field("augment.flip", "random horizontal flip", &O::augment, &O::Augment::flip);
    eval_batch_size_field(s, &O::eval, &O::Eval::batch_size);
    compute_section(s, &O::compute);
    s.memory_estimate([](const O& o) {
      // Upper bounds: every class at n_max; a real dataset is read whole before its subset is taken.
      const bool cifar10 = o.data.dataset == data::CifarKind::kCifar10;
      const double classes = cifar10 ? 10 : 100;
      const double image = 3 * 32 * 32;
      const double train = classes * static_cast<double>(o.data.max_per_class > 0 ? o.data.max_per_class : (cifar10 ? 5000 : 500));
      const double test = o.data.test_per_class > 0 ? classes * static_cast<double>(o.data.test_per_class) : 10000;
      const double padded = 3 * std::pow(32.0 + 2.0 * static_cast<double>(o.augment.padding), 2);
      const double loading = o.data.root.empty() ? (train + test) * image * 4 * 3  // the stand-in is drawn in float
                                                 : 60000 * (image + 2) + train * image;
      // ResNet-32 keeps about 3.1 MB of fp32 activations per training image for its backward pass.
      constexpr double kActivationsPerImage = 3.1e6;
      constexpr double kParameters = 470000;
      MemoryEstimate m;
      // A batch is at most the whole (long-tailed) training or test set.
      int64_t examples = 0;
      const int64_t n_max = o.data.max_per_class > 0 ? o.data.max_per_class : (cifar10 ? 5000 : 500);
      for (const int64_t n : data::imbalanced_class_counts(n_max, static_cast<int64_t>(classes), o.data.imbalance,
                                                           o.data.ratio)) {
        examples += n;
      }
      const double batch = static_cast<double>(std::min(o.optim.batch_size, examples));
      const double eval_batch = std::min(static_cast<double>(o.eval.batch_size), test);
      m.parts = {{"data", loading + train * padded + test * image * 4},
                 {"model and optimizer", kParameters * 4 * 4},
                 {"activations of one batch", batch * kActivationsPerImage + eval_batch * kActivationsPerImage / 6},
                 {"history", static_cast<double>(o.optim.epochs) * (kHistoryRowBytes + classes * 3 * 32)}};
      return m;
    });
    return s;
  }();
  return schema;
}

}  // namespace wei::imbalanced_cifar
