#include "trainers/self_training/self_training_options.h"

#include <algorithm>

#include "data/cifar_sets.h"
#include "models/wide_resnet.h"
#include "train/trainer.h"

namespace wei::self_training {

namespace {

using O = Options;

MemoryEstimate memory_needed(const O& o) {
  if (o.setting == Setting::kToy) {
    const double points = static_cast<double>(o.toy.train_size + o.toy.test_points * o.toy.classes);
    const double width = static_cast<double>(o.toy.hidden);
    MemoryEstimate m;
    m.parts = {{"data", points * static_cast<double>(o.toy.dim + 2) * 8},
               {"model and optimizer", (static_cast<double>(o.toy.dim) * width + width * width) * 4 * 4},
               {"activations of one batch", static_cast<double>(o.optim.batch_size) * width * 3 * 4 * 4}};
    return m;
  }
  const double per_image = models::wide_resnet_activation_bytes(o.model.depth, o.model.widen);
  const auto [train, test] = data::cifar_set_sizes(o.data.train_size, o.data.test_size);
  const double unlabelled_views = o.method == Method::kSupervised    ? 0
                                  : o.method == Method::kPseudoLabel ? 1
                                                                     : 2;
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
  static const NamedValues<Method> names = {{"supervised", Method::kSupervised},
                                            {"pseudo_label", Method::kPseudoLabel},
                                            {"fixmatch", Method::kFixMatch},
                                            {"teacher_student", Method::kTeacherStudent}};
  return names;
}

const NamedValues<Neighbourhood>& neighbourhood_names() {
  static const NamedValues<Neighbourhood> names = {
      {"none", Neighbourhood::kNone}, {"augment", Neighbourhood::kAugment}, {"l2", Neighbourhood::kL2}};
  return names;
}

const NamedValues<Setting>& setting_names() {
  static const NamedValues<Setting> names = {{"cifar10", Setting::kCifar10}, {"toy", Setting::kToy}};
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
    s.enum_choice("setting", setting_names(),
                  "cifar10 (CIFAR-10 images) or toy (classes on circles in R^dim, where the expansion is exact)",
                  &O::setting);
    s.enum_choice("method", method_names(),
                  "supervised (labelled images only), pseudo_label (hard pseudo-labels on the weak view, trained on "
                  "it), fixmatch (pseudo-labels of the weak view, trained on the strong view) or teacher_student "
                  "(a fixed teacher's labels plus input consistency, the theory's objective)",
                  &O::method);
    const std::vector<std::string> cifar = {"cifar10"};
    using D = O::Data;
    s.field("data.root", "folder with the CIFAR-10 binary files; empty: seeded synthetic stand-in", &O::data,
            &D::root)
        .when("setting", cifar);
    s.field("data.labels", "labelled images, balanced over the 10 classes (FixMatch: 40, 250, 4000)", &O::data,
            &D::labels)
        .at_least(10)
        .at_most(50000)
        .check([](const ParamValue& v) {
          return std::get<int64_t>(v) % 10 == 0 ? std::string() : std::string("must be a multiple of 10");
        })
        .when("setting", cifar);
    s.field("data.fold", "seed of the labelled subset (two methods with one fold share one split)", &O::data,
            &D::fold)
        .at_least(0)
        .when("setting", cifar);
    s.field("data.train_size", "training images kept, the unlabelled set (a seeded random subset); 0: all",
            &O::data, &D::train_size)
        .at_least(0)
        .when("setting", cifar);
    s.field("data.test_size", "test images kept (a seeded random subset); 0: all", &O::data, &D::test_size)
        .at_least(0)
        .when("setting", cifar);
    s.field("data.mean", "per-channel mean subtracted from pixels in [0, 1]", &O::data, &D::mean)
        .when("setting", cifar);
    s.field("data.std", "per-channel standard deviation", &O::data, &D::std).greater_than(0)
        .when("setting", cifar);

    using M = O::Model;
    s.field("model.depth", "WideResNet depth, 6n + 4 (FixMatch: 28)", &O::model, &M::depth)
        .check([](const ParamValue& v) { return models::wide_resnet_depth_problem(std::get<int64_t>(v)); })
        .when("setting", cifar);
    s.field("model.widen", "width factor k (FixMatch: 2)", &O::model, &M::widen).at_least(1)
        .when("setting", cifar);
    s.field("model.relu_slope", "negative slope of the leaky ReLUs (FixMatch: 0.1; 0: ReLU)", &O::model,
            &M::relu_slope)
        .at_least(0)
        .less_than(1)
        .when("setting", cifar);
    s.field("model.bn_momentum", "BatchNorm momentum, torch's convention (FixMatch: 0.001)", &O::model,
            &M::bn_momentum)
        .greater_than(0)
        .at_most(1)
        .when("setting", cifar);

    using A = O::Augment;
    s.field("augment.padding", "weak view: flip and a reflected translation by up to this many pixels (4: 12.5%)",
            &O::augment, &A::padding)
        .at_least(0)
        .less_than(32)
        .when("setting", cifar);
    s.enum_choice("augment.strong", strong_augment_names(),
                  "strong view: randaugment (the reference: each drawn operation with probability 1/2 at a level "
                  "drawn from 1..magnitude-1) or randaugment_fixed (every drawn operation at level magnitude)",
                  &O::augment, &A::strong)
        .when("setting", cifar);
    s.field("augment.ops", "RandAugment operations drawn per image", &O::augment, &A::ops).at_least(1).at_most(14)
        .when("setting", cifar);
    s.field("augment.magnitude", "RandAugment magnitude (0..10)", &O::augment, &A::magnitude).at_least(2).at_most(10)
        .when("setting", cifar);
    s.field("augment.cutout", "side of the Cutout square after RandAugment; 0: none", &O::augment, &A::cutout)
        .at_least(0)
        .at_most(32)
        .when("setting", cifar);

    using U = O::Unlabelled;
    s.field("unlabelled.mu",
            "unlabelled images per labelled image in a step (FixMatch: 7); teacher_student: the student's batch is "
            "mu * optim.batch_size unlabelled images",
            &O::unlabelled, &U::mu)
        .at_least(1)
        .when("method", {"pseudo_label", "fixmatch", "teacher_student"})
        .when("setting", cifar);
    s.field("unlabelled.threshold", "confidence a pseudo-label needs, tau (FixMatch: 0.95)", &O::unlabelled,
            &U::threshold)
        .greater_than(0)
        .at_most(1)
        .when("method", {"pseudo_label", "fixmatch"})
        .when("setting", cifar);
    s.field("unlabelled.weight", "weight of the unlabelled loss, lambda_u (FixMatch: 1)", &O::unlabelled, &U::weight)
        .at_least(0)
        .when("method", {"pseudo_label", "fixmatch"})
        .when("setting", cifar);

    const std::vector<std::string> student = {"teacher_student"};
    s.field("teacher.checkpoint",
            "the teacher: a self_training run directory (or its checkpoints/last.pt) on the same data and "
            "normalisation; its weights' average when it kept one. Empty: a supervised teacher is trained first",
            &O::teacher, &O::Teacher::checkpoint)
        .when("method", student)
        .when("setting", cifar);
    s.field("teacher.steps", "steps of the teacher trained first when teacher.checkpoint is empty", &O::teacher,
            &O::Teacher::steps)
        .at_least(1)
        .when("method", student)
        .when("setting", cifar);
    s.enum_choice("consistency.neighbourhood", neighbourhood_names(),
                  "none (the student fits the teacher's labels), augment (the strong view must agree with the weak "
                  "view's prediction) or l2 (an adversarial perturbation of norm consistency.radius must not change "
                  "the prediction, VAT)",
                  &O::consistency, &O::Consistency::neighbourhood)
        .when("method", student);
    s.field("consistency.weight", "weight of the consistency term, lambda", &O::consistency,
            &O::Consistency::weight)
        .at_least(0)
        .when("method", student);
    s.field("consistency.radius",
            "l2 neighbourhood: norm of the adversarial perturbation, in normalised pixels (VAT on CIFAR-10: 6) or "
            "toy input units",
            &O::consistency, &O::Consistency::radius)
        .greater_than(0)
        .when("method", student)
        .when("consistency.neighbourhood", {"l2"});
    s.field("theory.expansion_images", "test images on which the teacher's error set's expansion is estimated",
            &O::theory, &O::Theory::expansion_images)
        .at_least(1)
        .when("method", student)
        .when("setting", cifar);
    s.field("theory.expansion_views", "strong views drawn of each of them", &O::theory, &O::Theory::expansion_views)
        .at_least(1)
        .when("method", student)
        .when("setting", cifar);

    const std::vector<std::string> toy = {"toy"};
    using T = O::Toy;
    s.field("toy.classes", "classes, one circle each", &O::toy, &T::classes)
        .at_least(2)
        .at_most(64)
        .when("setting", toy);
    s.field("toy.dim", "dimension of the inputs (each circle lies in its own plane: dim >= 2 * classes)", &O::toy,
            &T::dim)
        .at_least(4)
        .when("setting", toy);
    s.field("toy.separation", "distance between the circles' centres (radius 1; > 2 keeps the classes apart)",
            &O::toy, &T::separation)
        .greater_than(0)
        .when("setting", toy);
    s.field("toy.teacher_error", "the teacher's error in every class, the total mass of its error arcs", &O::toy,
            &T::teacher_error)
        .greater_than(0)
        .less_than(0.5)
        .when("setting", toy);
    s.field("toy.error_arcs", "equal, evenly spaced arcs the teacher's errors of a class sit in", &O::toy,
            &T::error_arcs)
        .at_least(1)
        .at_most(1000)
        .when("setting", toy);
    s.field("toy.shift", "neighbourhood: points within this fraction of the circle of each other", &O::toy,
            &T::shift)
        .greater_than(0)
        .less_than(0.5)
        .when("setting", toy);
    s.field("toy.train_size", "unlabelled training points (uniform over classes and angles)", &O::toy,
            &T::train_size)
        .at_least(1)
        .when("setting", toy);
    s.field("toy.test_points", "evaluation grid points per class (evenly spaced angles)", &O::toy, &T::test_points)
        .at_least(10)
        .when("setting", toy);
    s.field("toy.hidden", "width of the student's two hidden layers (ReLU)", &O::toy, &T::hidden)
        .at_least(1)
        .when("setting", toy);

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
    s.check({"setting", "method"}, "setting toy has method teacher_student (its teacher is constructed)",
            [](const O& o) { return o.setting == Setting::kCifar10 || o.method == Method::kTeacherStudent; });
    s.check({"toy.dim", "toy.classes"}, "toy.dim >= 2 * toy.classes (each circle in its own plane)",
            [](const O& o) { return o.toy.dim >= 2 * o.toy.classes; });
    s.check({"data.labels", "data.train_size"}, "data.labels <= data.train_size (when set)",
            [](const O& o) { return o.data.train_size == 0 || o.data.labels <= o.data.train_size; });
    s.memory_estimate(memory_needed);
    return s;
  }();
  return schema;
}

}  // namespace wei::self_training
