#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"

#include <cmath>

#include <torch/optim/sgd.h>

#include "base/cpu_info.h"
#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
#include "base/stopwatch.h"
#include "data/cifar_batches.h"
#include "data/subsets.h"
#include "data/synthetic_cifar.h"
#include "models/module_parameters.h"
#include "models/resnet_cifar.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/imbalanced_cifar/accuracy_report.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_options.h"

namespace wei {
namespace imbalanced_cifar {
namespace {

// Full-size per-class counts of the balanced datasets (the n_max of the reference code).
int64_t default_per_class(data::CifarKind kind) { return kind == data::CifarKind::kCifar10 ? 5000 : 500; }
int64_t default_test_per_class(data::CifarKind kind) { return kind == data::CifarKind::kCifar10 ? 1000 : 100; }

// Losses are checked for finiteness every this many batches (and at the end of the epoch): often
// enough to stop soon after a divergence, rarely enough not to stall a CUDA stream on each step.
constexpr int64_t kFiniteCheckInterval = 25;

class ImbalancedCifarTrainer final : public Trainer {
 public:
  ImbalancedCifarTrainer(const RunContext& ctx, const Options& options);

  void prepare() override;
  nlohmann::ordered_json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return o_.optim.epochs; }
  nlohmann::ordered_json train_epoch(int64_t epoch) override;
  nlohmann::ordered_json final_metrics() override;
  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }
  void register_state(CheckpointBundle& bundle) override;

 private:
  void load_data();
  // Logits in fp32: the trunk runs under autocast when precision is bf16, the classifier (whose
  // cosine logits carry the margins) always in fp32.
  torch::Tensor logits(const torch::Tensor& x);
  torch::Tensor weights_tensor(const EpochBalancing& plan) const;
  // Test loss (the training criterion with this epoch's weights) and accuracies.
  std::pair<double, AccuracyReport> evaluate(const torch::Tensor& class_weights);

  RunContext ctx_;
  const Options o_;
  const bool bf16_;
  LossConfig loss_;
  LrSchedule lr_;

  std::vector<int64_t> train_counts_;
  std::vector<double> margins_;
  torch::Tensor train_labels_;  // int64 [N], CPU
  std::unique_ptr<data::AugmentedImages> train_images_;
  torch::Tensor test_images_, test_labels_;  // on device
  nlohmann::ordered_json data_info_;

  models::ResNetCifar model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  at::Generator shuffle_gen_, augment_gen_;
  nlohmann::ordered_json last_row_;  // the latest history row, for final_metrics
};

ImbalancedCifarTrainer::ImbalancedCifarTrainer(const RunContext& ctx, const Options& options)
    : ctx_(ctx),
      o_(options),
      bf16_(options.precision == Precision::kBf16),
      shuffle_gen_(make_generator(ctx.seed, "shuffle")),
      augment_gen_(make_generator(ctx.seed, "augment")) {
  loss_.type = o_.loss.type;
  loss_.focal_gamma = o_.loss.focal_gamma;
  loss_.scale = uses_cosine_logits(loss_.type) ? o_.loss.scale : 1.0;
  lr_.base_lr = o_.optim.lr;
  lr_.warmup_epochs = o_.optim.warmup_epochs;
  lr_.milestones = o_.optim.lr_milestones;
  lr_.gamma = o_.optim.lr_gamma;
}

void ImbalancedCifarTrainer::load_data() {
  const data::CifarKind kind = o_.data.dataset;
  const int64_t classes = data::cifar_num_classes(kind);
  const int64_t n_max = o_.data.max_per_class > 0 ? o_.data.max_per_class : default_per_class(kind);
  train_counts_ = data::imbalanced_class_counts(n_max, classes, o_.data.imbalance, o_.data.ratio);
  data::CifarSplit train, test;
  if (o_.data.root.empty()) {
    auto synthetic = data::make_synthetic_cifar(
        train_counts_, o_.data.test_per_class > 0 ? o_.data.test_per_class : default_test_per_class(kind), ctx_.seed);
    train = std::move(synthetic.train);
    test = std::move(synthetic.test);
  } else {
    train = data::load_cifar(o_.data.root, kind, /*train=*/true);
    test = data::load_cifar(o_.data.root, kind, /*train=*/false);
    auto subset_gen = make_generator(ctx_.seed, "imbalanced-subset");
    train = data::take(train, data::select_class_subset(train.labels, train_counts_, subset_gen));
    if (o_.data.test_per_class > 0) {
      auto test_gen = make_generator(ctx_.seed, "test-subset");
      test = data::take(test, data::select_class_subset(
                                  test.labels, std::vector<int64_t>(classes, o_.data.test_per_class), test_gen));
    }
  }
  train_labels_ = train.labels;
  const data::Augmentation augmentation{o_.augment.padding, data::PadMode::kZero, o_.augment.flip};
  train_images_ = std::make_unique<data::AugmentedImages>(train.images, augmentation, data::Normalization{}, ctx_.device);
  test_images_ = data::normalize_images(test.images, data::Normalization{}, ctx_.device, o_.channels_last);
  test_labels_ = test.labels.to(ctx_.device);

  std::array<int64_t, 3> shots{};
  for (auto n : train_counts_) ++shots[static_cast<size_t>(shot_of(n))];
  data_info_ = {
      {"source", o_.data.root.empty() ? std::string("synthetic") : data::cifar_name(kind)},
      {"dataset", data::cifar_name(kind)},
      {"root", o_.data.root},
      {"imbalance", name_of(data::imbalance_profile_names(), o_.data.imbalance)},
      {"ratio", o_.data.ratio},
      {"num_classes", classes},
      {"train_size", train_labels_.size(0)},
      {"test_size", test_labels_.size(0)},
      {"class_counts", train_counts_},
      {"test_class_counts", data::class_counts(test.labels, classes)},
      {"shot_classes", {{"many", shots[0]}, {"medium", shots[1]}, {"few", shots[2]}}},
  };
}

void ImbalancedCifarTrainer::prepare() {
  load_data();
  const int64_t classes = data::cifar_num_classes(o_.data.dataset);
  if (loss_.type == LossType::kLdam || loss_.type == LossType::kLdamHinge) {
    margins_ = ldam_margins(train_counts_, o_.loss.max_margin);
  } else if (loss_.type == LossType::kMarginCe || loss_.type == LossType::kHinge) {
    margins_.assign(classes, o_.loss.margin);
  } else {
    margins_.assign(classes, 0.0);
  }
  loss_.margins = torch::tensor(margins_, torch::kFloat).to(ctx_.device);

  // The model is initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
  torch::manual_seed(derive_seed(ctx_.seed, "init"));
  model_ = models::ResNetCifar(models::ResNetCifarOptions{classes, 5, o_.normed_classifier()});
  model_->to(ctx_.device);
  if (o_.channels_last) models::to_channels_last(*model_);
  optimizer_ = std::make_unique<torch::optim::SGD>(
      model_->parameters(),
      torch::optim::SGDOptions(lr_.base_lr).momentum(o_.optim.momentum).weight_decay(o_.optim.weight_decay));
  ctx_.log.info("imbalanced_cifar: {} train / {} test images ({}), loss {}, rule {}, {} classifier, {}{}",
                train_labels_.size(0), test_labels_.size(0), data_info_["source"].get<std::string>(),
                name_of(loss_type_names(), o_.loss.type), name_of(training_rule_names(), o_.train.rule),
                o_.normed_classifier() ? "cosine" : "linear", bf16_ ? "bf16" : "fp32",
                o_.channels_last ? " channels-last" : "");
  if (bf16_ && ctx_.device.is_cpu() && host_cpu().bf16 == Bf16Support::kNone) {
    ctx_.log.warn("precision bf16 on a CPU without AVX-512 ({}): LibTorch has no fast bf16 kernels here and "
                  "runs far slower than fp32 (15x measured on an AVX2 AMD EPYC); use precision=fp32",
                  cpu_summary(host_cpu()));
  }
}

torch::Tensor ImbalancedCifarTrainer::logits(const torch::Tensor& x) {
  torch::Tensor features;
  {
    AutocastScope autocast(bf16_, ctx_.device);
    features = model_->features(x);
  }
  return model_->classify(features.to(torch::kFloat));
}

torch::Tensor ImbalancedCifarTrainer::weights_tensor(const EpochBalancing& plan) const {
  if (plan.class_weights.empty()) return {};
  return torch::tensor(plan.class_weights, torch::kFloat).to(ctx_.device);
}

std::pair<double, AccuracyReport> ImbalancedCifarTrainer::evaluate(const torch::Tensor& class_weights) {
  const auto all = evaluate_in_batches({model_.get()}, test_images_.size(0), o_.eval.batch_size, ctx_.stop,
                                       [&](int64_t start, int64_t length) {
                                         return logits(test_images_.narrow(0, start, length));
                                       });
  const double loss = imbalance_loss(loss_, all, test_labels_, class_weights).item<double>();
  return {loss, accuracy_report(all.argmax(1), test_labels_, train_counts_)};
}

nlohmann::ordered_json ImbalancedCifarTrainer::train_epoch(int64_t epoch) {
  const auto plan = plan_epoch(o_.train.rule, epoch, o_.train.deferred_epoch, train_counts_, o_.train.cb_beta);
  const auto class_weights = weights_tensor(plan);

  const Stopwatch train_timer;
  model_->train();
  auto order = sample_epoch_order(train_labels_, train_counts_, plan.class_balanced_sampling, shuffle_gen_);
  const int64_t n = order.size(0);
  const int64_t batches = ceil_div(n, o_.optim.batch_size);
  double data_seconds = 0;  // host time building batches (asynchronous on CUDA: a lower bound)
  DriverOptions driver_options;
  driver_options.lr_per_epoch = [this](int64_t e) { return lr_at_epoch(lr_, e); };
  driver_options.finite_check_every = kFiniteCheckInterval;
  const EpochDriver driver(*optimizer_, ctx_.stop, driver_options);
  const EpochTotals totals =
      driver.run(EpochPlan::batches(order, o_.optim.batch_size, epoch, epoch * batches), [&](const StepBatch& b) {
        const Stopwatch data_timer;
        auto x = train_images_->batch(b.indices, augment_gen_, o_.channels_last);
        auto y = train_labels_.index_select(0, b.indices).to(ctx_.device);
        data_seconds += data_timer.seconds();
        auto out = logits(x);
        const auto examples = b.indices.size(0);
        return StepLoss{imbalance_loss(loss_, out, y, class_weights), static_cast<double>(examples),
                        out.detach().argmax(1).eq(y).sum(), examples};
      });
  const double train_seconds = train_timer.seconds();

  const Stopwatch eval_timer;
  auto [test_loss, report] = evaluate(class_weights);
  const double eval_seconds = eval_timer.seconds();

  std::vector<double> used_weights = plan.class_weights;
  if (used_weights.empty()) used_weights.assign(train_counts_.size(), 1.0);
  nlohmann::ordered_json row;
  row["lr"] = totals.lr;
  row["sampling"] = plan.class_balanced_sampling ? "class_balanced" : "uniform";
  row["class_weights"] = used_weights;
  row["train_loss"] = totals.mean_loss();
  row["train_accuracy"] = 100.0 * static_cast<double>(totals.correct) / static_cast<double>(n);
  if (!std::isfinite(test_loss)) {
    throw DivergedError(epoch * batches + batches - 1, "non-finite test loss in epoch " + std::to_string(epoch + 1));
  }
  row["test_loss"] = test_loss;
  add_to_row(row, "test_", report);
  row["timing"]["train_seconds"] = train_seconds;
  row["timing"]["data_seconds"] = data_seconds;
  row["timing"]["eval_seconds"] = eval_seconds;
  row["timing"]["train_images_per_second"] = static_cast<double>(n) / train_seconds;
  last_row_ = row;
  return row;
}

nlohmann::ordered_json ImbalancedCifarTrainer::final_metrics() {
  nlohmann::ordered_json final;
  for (const char* key : {"test_error", "test_accuracy", "test_per_class_accuracy", "test_many_shot_accuracy",
                          "test_medium_shot_accuracy", "test_few_shot_accuracy", "test_loss"}) {
    if (last_row_.contains(key)) final[key] = last_row_[key];
  }
  final["loss"] = name_of(loss_type_names(), o_.loss.type);
  final["rule"] = name_of(training_rule_names(), o_.train.rule);
  final["classifier"] = o_.normed_classifier() ? "cosine" : "linear";
  final["scale"] = loss_.scale;
  final["margins"] = margins_;
  final["class_weights"] = last_row_.value("class_weights", std::vector<double>{});
  final["precision"] = name_of(precision_names(), o_.precision);
  final["channels_last"] = o_.channels_last;
  return final;
}

void ImbalancedCifarTrainer::register_state(CheckpointBundle& bundle) {
  bundle.add_module("model", *model_);
  bundle.add_optimizer("optimizer", *optimizer_);
  bundle.add_generator("shuffle_gen", shuffle_gen_);
  bundle.add_generator("augment_gen", augment_gen_);
  bundle.add_value("last_row", last_row_);
}

}  // namespace
}  // namespace imbalanced_cifar

TrainerInfo imbalanced_cifar_trainer_info() {
  return trainer_info("imbalanced_cifar",
                      "LDAM-DRW and the baselines of Cao et al. 2019 on imbalanced CIFAR-10/100 (ResNet-32)",
                      imbalanced_cifar::options_schema(), [](const RunContext& ctx, const imbalanced_cifar::Options& o) {
                        return std::make_unique<imbalanced_cifar::ImbalancedCifarTrainer>(ctx, o);
                      });
}

}  // namespace wei
