#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"

#include <cmath>

#include <torch/optim/sgd.h>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/seeding.h"
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
  int64_t num_epochs() const override { return options_.optim.epochs; }
  nlohmann::ordered_json train_epoch(int64_t epoch) override;
  nlohmann::ordered_json evaluate(int64_t epoch) override;
  nlohmann::ordered_json final_metrics(const nlohmann::ordered_json& last_row) override;
  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }
  void register_state(CheckpointBundle& bundle) override;

 private:
  void load_data();
  // Logits in fp32: the trunk runs under autocast when precision is bf16, the classifier (whose
  // cosine logits carry the margins) always in fp32.
  torch::Tensor logits(const torch::Tensor& x);
  torch::Tensor weights_tensor(const EpochBalancing& plan) const;
  EpochBalancing balancing(int64_t epoch) const {
    return plan_epoch(options_.train.rule, epoch, options_.train.deferred_epoch, train_counts_, options_.train.cb_beta);
  }

  RunContext ctx_;
  const Options options_;
  const bool bf16_;
  LossConfig loss_;
  const Schedule lr_;

  std::vector<int64_t> train_counts_;
  std::vector<double> margins_;
  torch::Tensor train_labels_;  // int64 [N], CPU
  std::unique_ptr<data::AugmentedImages> train_images_;
  torch::Tensor test_images_, test_labels_;  // on device
  nlohmann::ordered_json data_info_;

  models::ResNetCifar model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  at::Generator shuffle_gen_, augment_gen_;
};

ImbalancedCifarTrainer::ImbalancedCifarTrainer(const RunContext& ctx, const Options& options)
    : ctx_(ctx),
      options_(options),
      bf16_(options.compute.bf16()),
      lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.epochs)),
      shuffle_gen_(make_generator(ctx.seed, "shuffle")),
      augment_gen_(make_generator(ctx.seed, "augment")) {
  loss_.type = options_.loss.type;
  loss_.focal_gamma = options_.loss.focal_gamma;
  loss_.scale = uses_cosine_logits(loss_.type) ? options_.loss.scale : 1.0;
}

void ImbalancedCifarTrainer::load_data() {
  const data::CifarKind kind = options_.data.dataset;
  const int64_t classes = data::cifar_num_classes(kind);
  const int64_t n_max = options_.data.max_per_class > 0 ? options_.data.max_per_class : default_per_class(kind);
  train_counts_ = data::imbalanced_class_counts(n_max, classes, options_.data.imbalance, options_.data.ratio);
  data::CifarSplit train, test;
  if (options_.data.root.empty()) {
    auto synthetic = data::make_synthetic_cifar(
        train_counts_, options_.data.test_per_class > 0 ? options_.data.test_per_class : default_test_per_class(kind), ctx_.seed);
    train = std::move(synthetic.train);
    test = std::move(synthetic.test);
  } else {
    train = data::load_cifar(options_.data.root, kind, /*train=*/true);
    test = data::load_cifar(options_.data.root, kind, /*train=*/false);
    auto subset_gen = make_generator(ctx_.seed, "imbalanced-subset");
    train = data::take(train, data::select_class_subset(train.labels, train_counts_, subset_gen));
    if (options_.data.test_per_class > 0) {
      auto test_gen = make_generator(ctx_.seed, "test-subset");
      test = data::take(test, data::select_class_subset(
                                  test.labels, std::vector<int64_t>(classes, options_.data.test_per_class), test_gen));
    }
  }
  train_labels_ = train.labels;
  const data::Augmentation augmentation{options_.augment.padding, data::PadMode::kZero, options_.augment.flip};
  train_images_ = std::make_unique<data::AugmentedImages>(train.images, augmentation, data::Normalization{}, ctx_.device);
  test_images_ = data::normalize_images(test.images, data::Normalization{}, ctx_.device, options_.compute.channels_last);
  test_labels_ = test.labels.to(ctx_.device);

  std::array<int64_t, 3> shots{};
  for (auto n : train_counts_) ++shots[static_cast<size_t>(shot_of(n))];
  data_info_ = {
      {"source", options_.data.root.empty() ? std::string("synthetic") : data::cifar_name(kind)},
      {"dataset", data::cifar_name(kind)},
      {"root", options_.data.root},
      {"imbalance", name_of(data::imbalance_profile_names(), options_.data.imbalance)},
      {"ratio", options_.data.ratio},
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
  const int64_t classes = data::cifar_num_classes(options_.data.dataset);
  if (loss_.type == LossType::kLdam || loss_.type == LossType::kLdamHinge) {
    margins_ = ldam_margins(train_counts_, options_.loss.max_margin);
  } else if (loss_.type == LossType::kMarginCe || loss_.type == LossType::kHinge) {
    margins_.assign(classes, options_.loss.margin);
  } else {
    margins_.assign(classes, 0.0);
  }
  loss_.margins = torch::tensor(margins_, torch::kFloat).to(ctx_.device);

  // The model is initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
  torch::manual_seed(derive_seed(ctx_.seed, "init"));
  model_ = models::ResNetCifar(models::ResNetCifarOptions{classes, 5, options_.normed_classifier()});
  model_->to(ctx_.device);
  if (options_.compute.channels_last) models::to_channels_last(*model_);
  optimizer_ = make_sgd(*model_, options_.optim.sgd);
  ctx_.log.info("imbalanced_cifar: {} train / {} test images ({}), loss {}, rule {}, {} classifier, {}{}",
                train_labels_.size(0), test_labels_.size(0), data_info_["source"].get<std::string>(),
                name_of(loss_type_names(), options_.loss.type), name_of(training_rule_names(), options_.train.rule),
                options_.normed_classifier() ? "cosine" : "linear", bf16_ ? "bf16" : "fp32",
                options_.compute.channels_last ? " channels-last" : "");
  warn_if_slow_bf16(options_.compute, ctx_.device, ctx_.log);
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

nlohmann::ordered_json ImbalancedCifarTrainer::train_epoch(int64_t epoch) {
  const auto plan = balancing(epoch);
  const auto class_weights = weights_tensor(plan);
  model_->train();
  auto order = sample_epoch_order(train_labels_, train_counts_, plan.class_balanced_sampling, shuffle_gen_);
  const int64_t n = order.size(0);
  const int64_t batches = ceil_div(n, options_.optim.batch_size);
  DriverOptions driver_options;
  driver_options.lr_per_epoch = [this](int64_t e) { return schedule_value(lr_, e); };
  driver_options.finite_check_every = kFiniteCheckInterval;
  const EpochDriver driver(*optimizer_, ctx_, driver_options);
  const EpochTotals totals =
      driver.run(EpochPlan::batches(order, options_.optim.batch_size, epoch, epoch * batches), [&](const StepBatch& b) {
        torch::Tensor x, y;
        {
          const auto loading = b.time_loading();
          x = train_images_->batch(b.indices, augment_gen_, options_.compute.channels_last);
          y = train_labels_.index_select(0, b.indices).to(ctx_.device);
        }
        auto out = logits(x);
        const auto examples = b.indices.size(0);
        return StepLoss{imbalance_loss(loss_, out, y, class_weights), static_cast<double>(examples),
                        out.detach().argmax(1).eq(y).sum(), examples};
      });

  std::vector<double> used_weights = plan.class_weights;
  if (used_weights.empty()) used_weights.assign(train_counts_.size(), 1.0);
  nlohmann::ordered_json row;
  row["lr"] = totals.lr;
  row["sampling"] = plan.class_balanced_sampling ? "class_balanced" : "uniform";
  row["class_weights"] = used_weights;
  row["train_loss"] = totals.mean_loss();
  row["train_accuracy"] = 100.0 * static_cast<double>(totals.correct) / static_cast<double>(n);
  return row;
}

// Test loss (the training criterion with this epoch's class weights) and accuracies.
nlohmann::ordered_json ImbalancedCifarTrainer::evaluate(int64_t epoch) {
  const auto all = evaluate_in_batches({model_.get()}, test_images_.size(0), options_.eval.batch_size, ctx_.stop,
                                       [&](int64_t start, int64_t length) {
                                         return logits(test_images_.narrow(0, start, length));
                                       });
  nlohmann::ordered_json row;
  row["test_loss"] = imbalance_loss(loss_, all, test_labels_, weights_tensor(balancing(epoch))).item<double>();
  add_to_row(row, "test_", accuracy_report(all.argmax(1), test_labels_, train_counts_));
  return row;
}

nlohmann::ordered_json ImbalancedCifarTrainer::final_metrics(const nlohmann::ordered_json& last_row) {
  nlohmann::ordered_json final;
  for (const char* key : {"test_error", "test_accuracy", "test_per_class_accuracy", "test_many_shot_accuracy",
                          "test_medium_shot_accuracy", "test_few_shot_accuracy", "test_loss"}) {
    if (last_row.contains(key)) final[key] = last_row[key];
  }
  final["loss"] = name_of(loss_type_names(), options_.loss.type);
  final["rule"] = name_of(training_rule_names(), options_.train.rule);
  final["classifier"] = options_.normed_classifier() ? "cosine" : "linear";
  final["scale"] = loss_.scale;
  final["margins"] = margins_;
  final["class_weights"] = last_row.value("class_weights", std::vector<double>{});
  final["precision"] = name_of(precision_names(), options_.compute.precision);
  final["channels_last"] = options_.compute.channels_last;
  return final;
}

void ImbalancedCifarTrainer::register_state(CheckpointBundle& bundle) {
  bundle.add_module("model", *model_);
  bundle.add_optimizer("optimizer", *optimizer_);
  bundle.add_generator("shuffle_gen", shuffle_gen_);
  bundle.add_generator("augment_gen", augment_gen_);
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
