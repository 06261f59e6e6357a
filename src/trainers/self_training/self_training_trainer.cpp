#include "trainers/self_training/self_training_trainer.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <torch/nn/functional/loss.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/cifar_batches.h"
#include "data/cifar_sets.h"
#include "data/endless_order.h"
#include "data/imbalance.h"
#include "data/rand_augment.h"
#include "data/subsets.h"
#include "models/module_parameters.h"
#include "models/wide_resnet.h"
#include "train/autocast_scope.h"
#include "train/data_parallel.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "train/weight_average.h"
#include "trainers/self_training/consistency_losses.h"
#include "trainers/self_training/self_training_options.h"
#include "trainers/self_training/teacher_checkpoint.h"
#include "trainers/self_training/teacher_student_metrics.h"
#include "trainers/self_training/toy_self_training.h"

namespace wei {
namespace self_training {
namespace {

using json = nlohmann::ordered_json;
constexpr int64_t kClasses = 10;

// The CIFAR-10 setting. Method teacher_student with a teacher trained in the same run has two
// phases: the teacher's epochs (a supervised run of teacher.steps steps, its own cosine), then, at
// the first student epoch, the teacher (its weights' average) labels every unlabelled image once,
// the network is re-initialised in place and trained as the student for optim.steps steps. The
// steps are numbered on across the phases (augmentation and batch streams), the schedules per phase.
class SelfTrainingTrainer final : public Trainer {
 public:
  SelfTrainingTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        norm_(data::normalization_from(options.data.mean, options.data.std)),
        lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.steps)),
        teacher_lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.teacher.steps)),
        teacher_trained_here_(options.method == Method::kTeacherStudent && options.teacher.checkpoint.empty()),
        augmenter_(options.augment.padding,
                   data::StrongAugmentSettings{options.augment.strong, options.augment.ops, options.augment.magnitude,
                                               options.augment.cutout, 128}),
        augment_seed_(derive_seed(ctx.seed, "augment")) {}

  void prepare() override {
    data::CifarSets sets = data::load_cifar_sets(options_.data.root, data::CifarKind::kCifar10,
                                                 options_.data.train_size, options_.data.test_size, ctx_.seed);
    ctx_.stop.throw_if_requested();
    images_ = sets.train.images.contiguous();
    hidden_labels_ = sets.train.labels;  // read only to score the pseudo-labels, never to train
    auto fold = make_generator(static_cast<uint64_t>(options_.data.fold), "labelled-split");
    labelled_ = data::select_class_subset(sets.train.labels,
                                          std::vector<int64_t>(kClasses, options_.data.labels / kClasses), fold);
    labelled_targets_ = sets.train.labels.index_select(0, labelled_);
    labelled_order_.emplace(labelled_.size(0), derive_seed(ctx_.seed, "labelled-order"));
    unlabelled_order_.emplace(images_.size(0), derive_seed(ctx_.seed, "unlabelled-order"));
    test_pixels_ = sets.test.images;
    test_images_ = data::normalize_images(sets.test.images, norm_, ctx_.device, options_.compute.channels_last);
    test_labels_ = sets.test.labels.to(ctx_.device);

    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    model_ = models::WideResNet(network_options());
    model_->to(ctx_.device);
    if (options_.compute.channels_last) models::to_channels_last(*model_);
    optimizer_ = make_sgd(*model_, options_.optim.sgd);
    if (options_.optim.ema > 0) average_ = std::make_unique<WeightAverage>(*model_, options_.optim.ema);
    warn_if_slow_bf16(options_.compute, ctx_.device, ctx_.log);
    if (options_.method == Method::kTeacherStudent) {
      pseudo_labels_ = torch::full({images_.size(0)}, -1, torch::kInt64);
      teacher_test_predictions_ = torch::full({test_labels_.size(0)}, -1, torch::kInt64);
      if (!teacher_trained_here_) {
        LoadedTeacher teacher = load_teacher(options_.teacher.checkpoint,
                                             {!options_.data.root.empty(), options_.data.mean, options_.data.std});
        teacher.network->to(ctx_.device);
        if (options_.compute.channels_last) models::to_channels_last(*teacher.network);
        label_with_teacher(*teacher.network, {{"source", "checkpoint"},
                                              {"run", teacher.run_dir},
                                              {"model", teacher.network_name},
                                              {"weights_average", teacher.averaged}});
      }
    }

    data_info_ = {{"source", sets.source},
                  {"dataset", "cifar10"},
                  {"root", options_.data.root},
                  {"num_classes", kClasses},
                  {"labelled", labelled_.size(0)},
                  {"unlabelled", images_.size(0)},
                  {"test_size", test_labels_.size(0)},
                  {"fold", options_.data.fold},
                  {"labelled_class_counts", data::class_counts(labelled_targets_, kClasses)},
                  {"model", models::wide_resnet_name(options_.model.depth, options_.model.widen)},
                  {"model_parameters", models::parameter_count(*model_)}};
    ctx_.log.info("self_training: {}, {} ({} parameters), {} labelled of {} images / {} test ({})",
                  name_of(method_names(), options_.method), data_info_["model"].get<std::string>(),
                  data_info_["model_parameters"].get<int64_t>(), labelled_.size(0), images_.size(0),
                  test_labels_.size(0), sets.source);
  }

  json data_info() const override { return data_info_; }
  int64_t num_epochs() const override {
    return teacher_epochs() + ceil_div(options_.optim.steps, options_.optim.eval_every);
  }
  HeadlineMetric headline() const override { return {"test_error", true}; }
  // Images through the network a step: the teacher's epochs are much cheaper than the student's.
  double epoch_cost(int64_t epoch) const override {
    const Phase phase = phase_of(epoch);
    const double labelled = static_cast<double>(options_.optim.batch_size);
    const double unlabelled = static_cast<double>(unlabelled_batch());
    double images = labelled;
    switch (phase.method) {
      case Method::kSupervised: break;
      case Method::kPseudoLabel: images += unlabelled; break;
      case Method::kFixMatch: images += 2 * unlabelled; break;
      case Method::kTeacherStudent: {
        const Neighbourhood n = options_.consistency.neighbourhood;
        images = unlabelled * (n == Neighbourhood::kNone ? 1 : n == Neighbourhood::kAugment ? 2 : 3);
        break;
      }
    }
    return static_cast<double>(phase.steps) * images;
  }
  bool supports_data_parallel() const override { return true; }

  json train_epoch(int64_t epoch) override {
    const Phase phase = phase_of(epoch);
    if (options_.method == Method::kTeacherStudent && !phase.teacher && !labelled_by_teacher()) become_student();
    step_method_ = phase.method;
    model_->train();
    const auto counter = torch::TensorOptions(ctx_.device).dtype(torch::kDouble);
    sums_ = {torch::zeros({}, counter), torch::zeros({}, counter), torch::zeros({}, counter), torch::zeros({}, counter),
             0};
    DriverOptions driver;
    const Schedule& lr = phase.teacher ? teacher_lr_ : lr_;
    driver.lr_per_step = [&lr, offset = phase.step_offset](int64_t step) { return schedule_value(lr, step - offset); };
    driver.finite_check_every = 64;
    if (average_) driver.after_step = [this](const StepBatch&) { average_->update(); };
    const EpochTotals totals =
        EpochDriver(*optimizer_, ctx_, driver)
            .run(EpochPlan::step_range(phase.steps, epoch, phase.step_offset + phase.first),
                 [this](const StepBatch& b) { return step(b); });
    // This process's sums; in a data-parallel run, the ranks' together (the losses are per-shard
    // means, so their sum is divided by the ranks).
    std::vector<double> sums = {sums_.labelled_loss.item<double>(), sums_.unlabelled_loss.item<double>(),
                                sums_.kept.item<double>(), sums_.kept_right.item<double>()};
    double ranks = 1;
    if (DataParallel* group = current_data_parallel()) {
      sums = group->sum(sums);
      ranks = group->world_size();
    }
    json row;
    if (options_.method == Method::kTeacherStudent) row["phase"] = phase.teacher ? "teacher" : "student";
    row["step"] = phase.first + phase.steps;
    row["lr"] = totals.lr;
    row["train_loss"] = totals.mean_loss();
    const double n = static_cast<double>(std::max<int64_t>(1, sums_.steps)) * ranks;
    if (step_method_ == Method::kTeacherStudent) {
      // labelled_loss holds the fit to the teacher's labels, unlabelled_loss the consistency term.
      row["teacher_label_loss"] = sums[0] / n;
      if (options_.consistency.neighbourhood != Neighbourhood::kNone) row["consistency_loss"] = sums[1] / n;
      return row;
    }
    row["labelled_loss"] = sums[0] / n;
    if (step_method_ != Method::kSupervised) {
      const double kept = sums[2];
      row["unlabelled_loss"] = sums[1] / n;
      row["mask_rate"] = kept / (static_cast<double>(sums_.steps) * static_cast<double>(unlabelled_batch()));
      row["pseudo_label_accuracy"] = kept > 0 ? 100.0 * sums[3] / kept : 0.0;
    }
    return row;
  }

  json evaluate(int64_t epoch) override {
    const torch::Tensor logits = evaluated_test_logits();
    json row;
    add_scores(row, "test_", logits, test_labels_, /*with_error=*/true);
    row["test_per_class_accuracy"] = class_tally(logits.argmax(1), test_labels_, kClasses).accuracy();
    recent_errors_.push_back(row["test_error"].get<double>());
    while (static_cast<int64_t>(recent_errors_.size()) > options_.eval.median_of) {
      recent_errors_.erase(recent_errors_.begin());
    }
    row["test_error_median"] = median(recent_errors_);
    return row;
  }

  json final_metrics(const json& last_row) override {
    json final;
    if (options_.method == Method::kTeacherStudent && labelled_by_teacher()) {
      // The student's last evaluation beside the teacher's, on the same test images.
      const torch::Tensor student = evaluated_test_logits().argmax(1).cpu();
      final["teacher"] = teacher_report_;
      final["teacher_student"] = compare_to_teacher(teacher_test_predictions_, student, test_labels_.cpu()).to_json();
    }
    final["test_error"] = median(recent_errors_);  // FixMatch's reported number
    final["test_error_last"] = last_row.at("test_error");
    final["test_accuracy"] = last_row.at("test_accuracy");
    final["test_per_class_accuracy"] = last_row.at("test_per_class_accuracy");
    final["evaluations_in_median"] = recent_errors_.size();
    for (const char* key : {"mask_rate", "pseudo_label_accuracy"}) {
      if (last_row.contains(key)) final[key] = last_row[key];
    }
    final["method"] = name_of(method_names(), options_.method);
    final["labels"] = options_.data.labels;
    final["model"] = models::wide_resnet_name(options_.model.depth, options_.model.widen);
    return final;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("optimizer", *optimizer_);
    if (average_) average_->register_state(bundle, "weight_average");
    bundle.add_value("recent_errors", recent_errors_);
    if (options_.method == Method::kTeacherStudent) {
      bundle.add_tensor("pseudo_labels", pseudo_labels_);
      bundle.add_tensor("teacher_test_predictions", teacher_test_predictions_);
      bundle.add_value("teacher_report", teacher_report_);
    }
  }

 private:
  struct EpochSums {
    torch::Tensor labelled_loss, unlabelled_loss, kept, kept_right;  // on the device
    int64_t steps = 0;
  };

  // The steps of epoch `epoch`: phase-local [first, first + steps), numbered globally from
  // step_offset + first (the teacher's steps come first when it is trained in the run).
  struct Phase {
    bool teacher;
    Method method;
    int64_t first, steps, step_offset;
  };
  Phase phase_of(int64_t epoch) const {
    const int64_t every = options_.optim.eval_every;
    if (epoch < teacher_epochs()) {
      const int64_t first = epoch * every;
      return {true, Method::kSupervised, first, std::min(every, options_.teacher.steps - first), 0};
    }
    const int64_t first = (epoch - teacher_epochs()) * every;
    return {false, options_.method, first, std::min(every, options_.optim.steps - first),
            teacher_trained_here_ ? options_.teacher.steps : 0};
  }
  int64_t teacher_epochs() const {
    return teacher_trained_here_ ? ceil_div(options_.teacher.steps, options_.optim.eval_every) : 0;
  }
  bool labelled_by_teacher() const { return !teacher_report_.empty(); }

  models::WideResNetOptions network_options() const {
    models::WideResNetOptions network{options_.model.depth, options_.model.widen, kClasses,
                                      models::WideResNetVariant::kFixMatch};
    network.relu_slope = options_.model.relu_slope;
    network.bn_momentum = options_.model.bn_momentum;
    return network;
  }

  // The evaluated model's (the weights' average, when kept) logits on the test set.
  torch::Tensor evaluated_test_logits() {
    std::optional<WeightAverage::Swap> use_average;
    if (average_) use_average.emplace(*average_);
    return predict_logits(*model_, test_images_.size(0),
                          [this](int64_t start, int64_t length) { return test_images_.narrow(0, start, length); });
  }

  torch::Tensor predict_logits(models::WideResNetImpl& net, int64_t n,
                               const std::function<torch::Tensor(int64_t, int64_t)>& inputs) {
    return evaluate_in_batches({&net}, n, options_.eval.batch_size, ctx_.stop, [&](int64_t start, int64_t length) {
      const AutocastScope autocast(options_.compute.bf16(), ctx_.device);
      return net.forward(inputs(start, length)).to(torch::kFloat);
    });
  }

  // The teacher labels every unlabelled image once (no augmentation) and is scored on the test set;
  // its error set's expansion is estimated on the first theory.expansion_images test images of a
  // seeded order, each with theory.expansion_views strong views (teacher_student_metrics.h). The
  // hidden labels of the unlabelled images are read here only to score the pseudo-labels.
  void label_with_teacher(models::WideResNetImpl& teacher, json source) {
    pseudo_labels_.copy_(predict_logits(teacher, images_.size(0), [&](int64_t start, int64_t length) {
                           return data::normalize_images(images_.narrow(0, start, length), norm_, ctx_.device,
                                                         options_.compute.channels_last);
                         }).argmax(1).cpu());
    const torch::Tensor test_logits = predict_logits(teacher, test_images_.size(0), [this](int64_t start, int64_t length) {
      return test_images_.narrow(0, start, length);
    });
    teacher_test_predictions_.copy_(test_logits.argmax(1).cpu());

    const int64_t points = std::min(options_.theory.expansion_images, test_labels_.size(0));
    const int64_t views = options_.theory.expansion_views;
    const torch::Tensor sample =
        torch::randperm(test_labels_.size(0), make_generator(ctx_.seed, "expansion-sample"), torch::kInt64)
            .narrow(0, 0, points);
    const torch::Tensor truth = test_labels_.cpu().index_select(0, sample);
    torch::Tensor wrong_on_view = torch::zeros({points, views}, torch::kBool);
    for (int64_t v = 0; v < views; ++v) {
      const torch::Tensor logits = predict_logits(teacher, points, [&](int64_t start, int64_t length) {
        return strong_views_of(test_pixels_, sample.narrow(0, start, length), derive_seed(ctx_.seed, "expansion") + v);
      });
      wrong_on_view.select(1, v).copy_(logits.argmax(1).cpu().ne(truth));
    }
    const ExpansionEstimate expansion =
        estimate_expansion(teacher_test_predictions_.index_select(0, sample).ne(truth), wrong_on_view);
    json scores;
    add_scores(scores, "test_", test_logits, test_labels_, /*with_error=*/true);
    teacher_report_ = std::move(source);
    teacher_report_["test_error"] = scores["test_error"];
    teacher_report_["pseudo_label_accuracy"] =
        100.0 * pseudo_labels_.eq(hidden_labels_).to(torch::kDouble).mean().item<double>();
    teacher_report_["expansion"] = expansion.to_json();
    ctx_.log.info("self_training: teacher test error {:.2f}%, pseudo-labels {:.2f}% right, expansion of its errors "
                  "{:.2f} (P(V) {:.4f}, P(N(V)) {:.4f}, {} test images x {} strong views)",
                  teacher_report_["test_error"].get<double>(), teacher_report_["pseudo_label_accuracy"].get<double>(),
                  expansion.ratio(), expansion.error_mass, expansion.neighbourhood_mass, points, views);
  }

  // Strong views of images `indices` of `pixels` (uint8, CPU), image i from its own stream.
  torch::Tensor strong_views_of(const torch::Tensor& pixels, const torch::Tensor& indices, uint64_t seed) const {
    torch::Tensor batch = pixels.index_select(0, indices).contiguous();
    const auto index = indices.accessor<int64_t, 1>();
    for (int64_t i = 0; i < batch.size(0); ++i) {
      std::mt19937_64 rng = make_std_rng(seed, std::to_string(index[i]));
      augmenter_.strong(data::ImageView{batch[i].data_ptr<uint8_t>(), 3, batch.size(2), batch.size(3)}, rng);
    }
    return data::normalize_images(batch, norm_, ctx_.device, options_.compute.channels_last);
  }

  // The end of the teacher's phase: its labels, then the network re-initialised in place (the
  // optimizer, its momentum and the weights' average start over) to be trained as the student.
  void become_student() {
    {
      std::optional<WeightAverage::Swap> use_average;
      if (average_) use_average.emplace(*average_);
      label_with_teacher(*model_, {{"source", "trained in this run"},
                                   {"steps", options_.teacher.steps},
                                   {"model", models::wide_resnet_name(options_.model.depth, options_.model.widen)}});
    }
    torch::manual_seed(derive_seed(ctx_.seed, "student-init"));
    models::copy_weights(*models::WideResNet(network_options()), *model_);
    optimizer_->state().clear();
    if (average_) average_->restart();
    recent_errors_.clear();
  }

  int64_t unlabelled_batch() const { return options_.unlabelled.mu * options_.optim.batch_size; }

  static double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const size_t m = values.size() / 2;
    return values.size() % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
  }

  // Images `indices` (CPU int64) augmented weakly or strongly, each from its own stream, which is
  // named by the step, the view and the image's place in the global batch (so every rank of a
  // data-parallel run draws what a one-process run draws for the same place).
  torch::Tensor view_of(const torch::Tensor& indices, const torch::Tensor& places, int64_t step, int view) const {
    torch::Tensor batch = images_.index_select(0, indices).contiguous();
    const auto place = places.accessor<int64_t, 1>();
    for (int64_t i = 0; i < batch.size(0); ++i) {
      std::mt19937_64 rng = make_std_rng(augment_seed_ + static_cast<uint64_t>(step) * 4 + static_cast<uint64_t>(view),
                                         std::to_string(place[i]));
      data::ImageView image{batch[i].data_ptr<uint8_t>(), 3, batch.size(2), batch.size(3)};
      if (view == kStrongView) {
        augmenter_.strong(image, rng);
      } else {
        augmenter_.weak(image, rng);
      }
    }
    return data::normalize_images(batch, norm_, ctx_.device, options_.compute.channels_last);
  }

  StepLoss step(const StepBatch& b) {
    if (step_method_ == Method::kTeacherStudent) return student_step(b);
    const int64_t batch_size = options_.optim.batch_size;
    torch::Tensor inputs, targets, unlabelled, places_u;
    int64_t labelled_count = 0, unlabelled_count = 0;
    {
      const auto loading = b.time_loading();
      const torch::Tensor places_l = b.shard(torch::arange(batch_size, torch::kInt64));
      const torch::Tensor global_l = labelled_order_->take(b.step * batch_size, batch_size);
      const torch::Tensor chosen_l = global_l.index_select(0, places_l);
      std::vector<torch::Tensor> parts = {
          view_of(labelled_.index_select(0, chosen_l), places_l, b.step, kLabelledView)};
      targets = labelled_targets_.index_select(0, chosen_l).to(ctx_.device);
      labelled_count = chosen_l.size(0);
      if (step_method_ != Method::kSupervised) {
        places_u = b.shard(torch::arange(unlabelled_batch(), torch::kInt64));
        unlabelled =
            unlabelled_order_->take(b.step * unlabelled_batch(), unlabelled_batch()).index_select(0, places_u);
        parts.push_back(view_of(unlabelled, places_u, b.step, kWeakView));
        if (step_method_ == Method::kFixMatch) parts.push_back(view_of(unlabelled, places_u, b.step, kStrongView));
        unlabelled_count = unlabelled.size(0);
      }
      inputs = torch::cat(parts);
    }
    torch::Tensor logits;
    {
      // Labelled, weak and strong images in one pass, so that BatchNorm sees all of them.
      const AutocastScope autocast(options_.compute.bf16(), ctx_.device);
      logits = model_->forward(inputs).to(torch::kFloat);
    }
    const torch::Tensor labelled_loss =
        torch::nn::functional::cross_entropy(logits.narrow(0, 0, labelled_count), targets);
    torch::Tensor loss = labelled_loss;
    sums_.labelled_loss += labelled_loss.detach().to(torch::kDouble);
    if (step_method_ != Method::kSupervised) {
      const torch::Tensor weak = logits.narrow(0, labelled_count, unlabelled_count);
      const torch::Tensor trained =
          step_method_ == Method::kFixMatch ? logits.narrow(0, labelled_count + unlabelled_count, unlabelled_count)
                                               : weak;
      const PseudoLabelTerm term = masked_pseudo_label_loss(weak, trained, options_.unlabelled.threshold);
      loss = loss + options_.unlabelled.weight * term.loss;
      sums_.unlabelled_loss += term.loss.detach().to(torch::kDouble);
      sums_.kept += term.mask.sum().to(torch::kDouble);
      const torch::Tensor right = term.labels.eq(hidden_labels_.index_select(0, unlabelled).to(ctx_.device));
      sums_.kept_right += (right.to(torch::kFloat) * term.mask).sum().to(torch::kDouble);
    }
    ++sums_.steps;
    return StepLoss{loss};
  }

  // The theory's objective on a batch of unlabelled images: cross-entropy against the teacher's
  // fixed labels on the weak view, plus consistency.weight times the neighbourhood's term.
  StepLoss student_step(const StepBatch& b) {
    const int64_t batch = unlabelled_batch();
    const Neighbourhood neighbourhood = options_.consistency.neighbourhood;
    torch::Tensor inputs, targets, places;
    int64_t count = 0;
    {
      const auto loading = b.time_loading();
      places = b.shard(torch::arange(batch, torch::kInt64));
      const torch::Tensor chosen = unlabelled_order_->take(b.step * batch, batch).index_select(0, places);
      count = chosen.size(0);
      std::vector<torch::Tensor> parts = {view_of(chosen, places, b.step, kWeakView)};
      if (neighbourhood == Neighbourhood::kAugment) parts.push_back(view_of(chosen, places, b.step, kStrongView));
      inputs = torch::cat(parts);
      targets = pseudo_labels_.index_select(0, chosen).to(ctx_.device);
    }
    const auto forward = [this](const torch::Tensor& x) {
      const AutocastScope autocast(options_.compute.bf16(), ctx_.device);
      return model_->forward(x).to(torch::kFloat);
    };
    const torch::Tensor logits = forward(inputs);  // weak (and strong) views in one pass
    const torch::Tensor weak = logits.narrow(0, 0, count);
    const torch::Tensor fit = torch::nn::functional::cross_entropy(weak, targets);
    torch::Tensor loss = fit;
    sums_.labelled_loss += fit.detach().to(torch::kDouble);
    torch::Tensor consistency;
    if (neighbourhood == Neighbourhood::kAugment) {
      // The strong view must take the weak view's label (threshold 0: every image counts).
      consistency = masked_pseudo_label_loss(weak, logits.narrow(0, count, count), 0.0).loss;
    } else if (neighbourhood == Neighbourhood::kL2) {
      const torch::Tensor clean = inputs.narrow(0, 0, count);
      // The noise of the power iteration, named by the step and the shard's first place.
      at::Generator gen = make_generator(derive_seed(ctx_.seed, "vat") + static_cast<uint64_t>(b.step),
                                         std::to_string(places[0].item<int64_t>()));
      const torch::Tensor r = vat_perturbation(forward, clean, weak, options_.consistency.radius, 1e-6, gen);
      consistency = mean_kl_divergence(weak, forward(clean + r));
    }
    if (consistency.defined()) {
      loss = loss + options_.consistency.weight * consistency;
      sums_.unlabelled_loss += consistency.detach().to(torch::kDouble);
    }
    ++sums_.steps;
    return StepLoss{loss};
  }

  static constexpr int kLabelledView = 0, kWeakView = 1, kStrongView = 2;

  RunContext ctx_;
  const Options options_;
  const data::Normalization norm_;
  const Schedule lr_, teacher_lr_;
  const bool teacher_trained_here_;
  const data::ImageAugmenter augmenter_;
  const uint64_t augment_seed_;
  torch::Tensor images_, hidden_labels_;  // uint8 [N, 3, 32, 32] and int64 [N], CPU: the unlabelled set
  torch::Tensor labelled_, labelled_targets_;  // indices into images_ and their labels
  std::optional<data::EndlessOrder> labelled_order_, unlabelled_order_;
  torch::Tensor test_pixels_, test_images_, test_labels_;  // uint8 CPU; normalised and labels on the device
  json data_info_;
  models::WideResNet model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<WeightAverage> average_;
  std::vector<double> recent_errors_;
  EpochSums sums_;
  Method step_method_ = Method::kSupervised;  // what the current epoch's steps train
  // teacher_student: the teacher's label of every unlabelled image (-1 before it labelled them),
  // its test predictions and its report (empty before it labelled them).
  torch::Tensor pseudo_labels_, teacher_test_predictions_;
  json teacher_report_;
};

}  // namespace
}  // namespace self_training

TrainerInfo self_training_trainer_info() {
  return trainer_info("self_training",
                      "semi-supervised CIFAR-10: supervised, pseudo-labels, FixMatch, the teacher-student objective; a toy "
                      "setting with exact expansion (Wei, Shen, Chen & Ma 2021; "
                      "Sohn et al. 2020)",
                      self_training::options_schema(),
                      [](const RunContext& ctx, const self_training::Options& o) -> std::unique_ptr<Trainer> {
                        if (o.setting == self_training::Setting::kToy) return self_training::make_toy_trainer(ctx, o);
                        return std::make_unique<self_training::SelfTrainingTrainer>(ctx, o);
                      });
}

}  // namespace wei
