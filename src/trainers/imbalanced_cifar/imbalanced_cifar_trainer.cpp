#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"

#include <chrono>
#include <cmath>

#include "core/checkpoint_io.h"
#include "core/cpu_info.h"
#include "core/errors.h"
#include "core/seeding.h"
#include "data/cifar_binary.h"
#include "data/imbalance.h"
#include "models/resnet_cifar.h"
#include "trainers/imbalanced_cifar/autocast_scope.h"
#include "trainers/imbalanced_cifar/cifar_batches.h"
#include "trainers/imbalanced_cifar/evaluation.h"
#include "trainers/imbalanced_cifar/losses.h"
#include "trainers/imbalanced_cifar/schedule.h"
#include "trainers/imbalanced_cifar/synthetic_cifar.h"

namespace wei {
namespace imbalanced_cifar {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Full-size per-class counts of the balanced datasets (the n_max of the reference code).
int64_t default_per_class(data::CifarKind kind) { return kind == data::CifarKind::kCifar10 ? 5000 : 500; }
int64_t default_test_per_class(data::CifarKind kind) { return kind == data::CifarKind::kCifar10 ? 1000 : 100; }

// Losses are checked for finiteness every this many batches (and at the end of the epoch): often
// enough to stop soon after a divergence, rarely enough not to stall a CUDA stream on each step.
constexpr int64_t kFiniteCheckInterval = 25;

class ImbalancedCifarTrainer final : public Trainer {
 public:
  explicit ImbalancedCifarTrainer(const RunContext& ctx);

  void prepare() override;
  nlohmann::ordered_json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return epochs_; }
  nlohmann::ordered_json train_epoch(int64_t epoch) override;
  nlohmann::ordered_json final_metrics() override;
  HeadlineMetric headline() const override { return {"test_error", true}; }
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  void load_data();
  // Logits in fp32: the trunk runs under autocast when precision is bf16, the classifier (whose
  // cosine logits carry the margins) always in fp32.
  torch::Tensor logits(const torch::Tensor& x);
  torch::Tensor weights_tensor(const EpochPlan& plan) const;
  // Test loss (the training criterion with this epoch's weights) and accuracies.
  std::pair<double, AccuracyReport> evaluate(const torch::Tensor& class_weights);

  torch::Device device_;
  uint64_t seed_;
  spdlog::logger& log_;
  StopRequested stop_requested_;

  data::CifarKind kind_;
  std::string root_;
  data::ImbalanceProfile profile_;
  std::string profile_name_;
  double ratio_;
  int64_t max_per_class_, test_per_class_;
  bool normed_classifier_;
  LossConfig loss_;
  std::string loss_name_, rule_name_;
  double max_margin_, uniform_margin_;
  TrainingRule rule_;
  double cb_beta_;
  int64_t deferred_epoch_;
  int64_t epochs_, batch_size_, eval_batch_size_;
  LrSchedule lr_;
  double momentum_, weight_decay_;
  int64_t padding_;
  bool flip_;
  bool bf16_, channels_last_;

  std::vector<int64_t> train_counts_;
  std::vector<double> margins_;
  torch::Tensor train_labels_;  // int64 [N], CPU
  std::unique_ptr<AugmentedImages> train_images_;
  torch::Tensor test_images_, test_labels_;  // on device
  nlohmann::ordered_json data_info_;

  models::ResNetCifar model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  at::Generator shuffle_gen_, augment_gen_;
  nlohmann::ordered_json last_row_;  // the latest history row, for final_metrics
};

ImbalancedCifarTrainer::ImbalancedCifarTrainer(const RunContext& ctx)
    : device_(ctx.device), seed_(ctx.seed), log_(ctx.log), stop_requested_(ctx.stop_requested) {
  const Spec& s = ctx.spec;
  kind_ = s.get_string("data.dataset") == "cifar100" ? data::CifarKind::kCifar100 : data::CifarKind::kCifar10;
  root_ = s.get_string("data.root");
  profile_name_ = s.get_string("data.imbalance");
  profile_ = data::parse_imbalance_profile(profile_name_);
  ratio_ = s.get_float("data.ratio");
  max_per_class_ = s.get_int("data.max_per_class");
  test_per_class_ = s.get_int("data.test_per_class");
  loss_name_ = s.get_string("loss.type");
  loss_.type = parse_loss_type(loss_name_);
  loss_.focal_gamma = s.get_float("loss.focal_gamma");
  loss_.scale = uses_cosine_logits(loss_.type) ? s.get_float("loss.scale") : 1.0;
  max_margin_ = s.get_float("loss.max_margin");
  uniform_margin_ = s.get_float("loss.margin");
  const std::string& classifier = s.get_string("model.classifier");
  normed_classifier_ = classifier == "cosine" || (classifier == "auto" && uses_cosine_logits(loss_.type));
  rule_name_ = s.get_string("train.rule");
  rule_ = parse_training_rule(rule_name_);
  cb_beta_ = s.get_float("train.cb_beta");
  deferred_epoch_ = s.get_int("train.deferred_epoch");
  epochs_ = s.get_int("optim.epochs");
  batch_size_ = s.get_int("optim.batch_size");
  lr_.base_lr = s.get_float("optim.lr");
  lr_.warmup_epochs = s.get_int("optim.warmup_epochs");
  lr_.milestones = s.get_int_list("optim.lr_milestones");
  lr_.gamma = s.get_float("optim.lr_gamma");
  momentum_ = s.get_float("optim.momentum");
  weight_decay_ = s.get_float("optim.weight_decay");
  padding_ = s.get_int("augment.padding");
  flip_ = s.get_bool("augment.flip");
  eval_batch_size_ = s.get_int("eval.batch_size");
  bf16_ = s.get_string("precision") == "bf16";
  channels_last_ = s.get_bool("channels_last");
  shuffle_gen_ = make_generator(seed_, "shuffle");
  augment_gen_ = make_generator(seed_, "augment");
}

void ImbalancedCifarTrainer::load_data() {
  const int64_t classes = data::cifar_num_classes(kind_);
  const int64_t n_max = max_per_class_ > 0 ? max_per_class_ : default_per_class(kind_);
  train_counts_ = data::imbalanced_class_counts(n_max, classes, profile_, ratio_);
  data::CifarSplit train, test;
  if (root_.empty()) {
    auto synthetic = make_synthetic_cifar(
        train_counts_, test_per_class_ > 0 ? test_per_class_ : default_test_per_class(kind_), seed_);
    train = std::move(synthetic.train);
    test = std::move(synthetic.test);
  } else {
    train = data::load_cifar(root_, kind_, /*train=*/true);
    test = data::load_cifar(root_, kind_, /*train=*/false);
    auto subset_gen = make_generator(seed_, "imbalanced-subset");
    auto keep = data::select_class_subset(train.labels, train_counts_, subset_gen);
    train.images = train.images.index_select(0, keep);
    train.labels = train.labels.index_select(0, keep);
    if (test_per_class_ > 0) {
      auto test_gen = make_generator(seed_, "test-subset");
      auto keep_test = data::select_class_subset(
          test.labels, std::vector<int64_t>(classes, test_per_class_), test_gen);
      test.images = test.images.index_select(0, keep_test);
      test.labels = test.labels.index_select(0, keep_test);
    }
  }
  train_labels_ = train.labels;
  train_images_ = std::make_unique<AugmentedImages>(train.images, padding_, flip_, Normalization{}, device_);
  test_images_ = normalize_images(test.images, Normalization{}, device_, channels_last_);
  test_labels_ = test.labels.to(device_);

  std::array<int64_t, 3> shots{};
  for (auto n : train_counts_) ++shots[static_cast<size_t>(shot_of(n))];
  data_info_ = {
      {"source", root_.empty() ? std::string("synthetic") : data::cifar_name(kind_)},
      {"dataset", data::cifar_name(kind_)},
      {"root", root_},
      {"imbalance", profile_name_},
      {"ratio", ratio_},
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
  const int64_t classes = data::cifar_num_classes(kind_);
  if (loss_.type == LossType::kLdam || loss_.type == LossType::kLdamHinge) {
    margins_ = ldam_margins(train_counts_, max_margin_);
  } else if (loss_.type == LossType::kMarginCe || loss_.type == LossType::kHinge) {
    margins_.assign(classes, uniform_margin_);
  } else {
    margins_.assign(classes, 0.0);
  }
  loss_.margins = torch::tensor(margins_, torch::kFloat).to(device_);

  // The model is initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
  torch::manual_seed(derive_seed(seed_, "init"));
  model_ = models::ResNetCifar(models::ResNetCifarOptions{classes, 5, normed_classifier_});
  model_->to(device_);
  if (channels_last_) model_->to_channels_last();
  optimizer_ = std::make_unique<torch::optim::SGD>(
      model_->parameters(),
      torch::optim::SGDOptions(lr_.base_lr).momentum(momentum_).weight_decay(weight_decay_));
  log_.info("imbalanced_cifar: {} train / {} test images ({}), loss {}, rule {}, {} classifier, {}{}",
            train_labels_.size(0), test_labels_.size(0), data_info_["source"].get<std::string>(),
            loss_name_, rule_name_, normed_classifier_ ? "cosine" : "linear", bf16_ ? "bf16" : "fp32",
            channels_last_ ? " channels-last" : "");
  if (bf16_ && device_.is_cpu() && host_cpu().bf16 == Bf16Support::kNone) {
    log_.warn("precision bf16 on a CPU without AVX-512 ({}): LibTorch has no fast bf16 kernels here and "
              "runs far slower than fp32 (15x measured on an AVX2 AMD EPYC); use precision=fp32",
              cpu_summary(host_cpu()));
  }
}

torch::Tensor ImbalancedCifarTrainer::logits(const torch::Tensor& x) {
  torch::Tensor features;
  {
    AutocastScope autocast(bf16_, device_);
    features = model_->features(x);
  }
  return model_->classify(features.to(torch::kFloat));
}

torch::Tensor ImbalancedCifarTrainer::weights_tensor(const EpochPlan& plan) const {
  if (plan.class_weights.empty()) return {};
  return torch::tensor(plan.class_weights, torch::kFloat).to(device_);
}

std::pair<double, AccuracyReport> ImbalancedCifarTrainer::evaluate(const torch::Tensor& class_weights) {
  torch::NoGradGuard no_grad;
  model_->eval();
  std::vector<torch::Tensor> chunks;
  const int64_t n = test_images_.size(0);
  for (int64_t start = 0; start < n; start += eval_batch_size_) {
    if (stop_requested_()) throw InterruptedError();
    chunks.push_back(logits(test_images_.narrow(0, start, std::min(eval_batch_size_, n - start))));
  }
  model_->train();
  auto all = torch::cat(chunks);
  const double loss = imbalance_loss(loss_, all, test_labels_, class_weights).item<double>();
  return {loss, accuracy_report(all.argmax(1), test_labels_, train_counts_)};
}

nlohmann::ordered_json ImbalancedCifarTrainer::train_epoch(int64_t epoch) {
  const auto plan = plan_epoch(rule_, epoch, deferred_epoch_, train_counts_, cb_beta_);
  const auto class_weights = weights_tensor(plan);
  const double lr = lr_at_epoch(lr_, epoch);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }

  const auto train_start = Clock::now();
  model_->train();
  auto order = sample_epoch_order(train_labels_, train_counts_, plan.class_balanced_sampling, shuffle_gen_);
  const int64_t n = order.size(0);
  const int64_t batches = (n + batch_size_ - 1) / batch_size_;
  auto loss_sum = torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kDouble));
  auto correct = torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kInt64));
  double data_seconds = 0;  // host time building batches (asynchronous on CUDA: a lower bound)
  auto check_finite = [&](int64_t batch) {
    if (!std::isfinite(loss_sum.item<double>())) {
      throw DivergedError(epoch * batches + batch,
                          "non-finite training loss in epoch " + std::to_string(epoch + 1) +
                              " by batch " + std::to_string(batch + 1));
    }
  };
  for (int64_t b = 0; b < batches; ++b) {
    if (stop_requested_()) throw InterruptedError();
    auto idx = order.narrow(0, b * batch_size_, std::min(batch_size_, n - b * batch_size_));
    const auto data_start = Clock::now();
    auto x = train_images_->batch(idx, augment_gen_, channels_last_);
    auto y = train_labels_.index_select(0, idx).to(device_);
    data_seconds += seconds_since(data_start);
    auto out = logits(x);
    auto loss = imbalance_loss(loss_, out, y, class_weights);
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    loss_sum += loss.detach().to(torch::kDouble) * static_cast<double>(idx.size(0));
    correct += out.detach().argmax(1).eq(y).sum();
    if ((b + 1) % kFiniteCheckInterval == 0) check_finite(b);
  }
  check_finite(batches - 1);
  const double train_seconds = seconds_since(train_start);

  const auto eval_start = Clock::now();
  auto [test_loss, report] = evaluate(class_weights);
  const double eval_seconds = seconds_since(eval_start);

  std::vector<double> used_weights = plan.class_weights;
  if (used_weights.empty()) used_weights.assign(train_counts_.size(), 1.0);
  nlohmann::ordered_json row;
  row["lr"] = lr;
  row["sampling"] = plan.class_balanced_sampling ? "class_balanced" : "uniform";
  row["class_weights"] = used_weights;
  row["train_loss"] = loss_sum.item<double>() / static_cast<double>(n);
  row["train_accuracy"] = 100.0 * static_cast<double>(correct.item<int64_t>()) / static_cast<double>(n);
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
  final["loss"] = loss_name_;
  final["rule"] = rule_name_;
  final["classifier"] = normed_classifier_ ? "cosine" : "linear";
  final["scale"] = loss_.scale;
  final["margins"] = margins_;
  final["class_weights"] = last_row_.value("class_weights", std::vector<double>{});
  final["precision"] = bf16_ ? "bf16" : "fp32";
  final["channels_last"] = channels_last_;
  return final;
}

void ImbalancedCifarTrainer::save_state(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model_->save(model_archive);
  optimizer_->save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  write_generator(archive, "shuffle_gen", shuffle_gen_);
  write_generator(archive, "augment_gen", augment_gen_);
  write_string(archive, "last_row", last_row_.dump());
}

void ImbalancedCifarTrainer::load_state(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optimizer_archive);
  model_->load(model_archive);
  model_->to(device_);
  // Loading replaces parameter storage; restore the layout so the kernels (and bits) match.
  if (channels_last_) model_->to_channels_last();
  optimizer_->load(optimizer_archive);
  read_generator(archive, "shuffle_gen", shuffle_gen_);
  read_generator(archive, "augment_gen", augment_gen_);
  last_row_ = nlohmann::ordered_json::parse(read_string(archive, "last_row"));
}

}  // namespace
}  // namespace imbalanced_cifar

ParamSchema imbalanced_cifar_schema() {
  ParamSchema s;
  s.add_string("data.root", "", "folder with the CIFAR binary files; empty: seeded synthetic stand-in");
  s.add_choice("data.dataset", "cifar10", {"cifar10", "cifar100"}, "dataset (and number of classes)");
  s.add_choice("data.imbalance", "exp", {"none", "exp", "step"},
               "imbalance profile: exp = long-tailed, step = half the classes rare");
  s.add_float("data.ratio", 100.0, "imbalance ratio n_max / n_min").at_least(1);
  s.add_int("data.max_per_class", 0, "n_max of the profile; 0: all (5000 CIFAR-10, 500 CIFAR-100)").at_least(0);
  s.add_int("data.test_per_class", 0, "test images kept per class (seeded subset); 0: all").at_least(0);
  s.add_choice("model.classifier", "auto", {"auto", "linear", "cosine"},
               "last layer; auto: cosine (normed) for margin losses, as the reference code");
  s.add_choice("loss.type", "ldam", {"ce", "focal", "ldam", "margin_ce", "hinge", "ldam_hinge"},
               "training loss");
  s.add_float("loss.focal_gamma", 1.0, "focal loss gamma (reference code: 1)").at_least(0);
  s.add_float("loss.max_margin", 0.5, "largest LDAM margin (the rarest class)").greater_than(0);
  s.add_float("loss.margin", 0.3, "the one margin of margin_ce (M-DRW) and hinge; tuned in the paper, not reported")
      .at_least(0);
  s.add_float("loss.scale", 30.0, "s: cosine logits are scaled by it in the margin losses").greater_than(0);
  s.add_choice("train.rule", "drw", {"none", "resample", "reweight", "drw", "drs"},
               "class balancing: none, resample, reweight, deferred re-weighting, deferred re-sampling");
  s.add_float("train.cb_beta", 0.9999, "beta of the class-balanced weights (1-b)/(1-b^n)").at_least(0).less_than(1);
  s.add_int("train.deferred_epoch", 160, "0-based epoch from which drw/drs apply").at_least(0);
  s.add_int("optim.epochs", 200, "training epochs").greater_than(0);
  s.add_int("optim.batch_size", 128, "training batch size").greater_than(0);
  s.add_float("optim.lr", 0.1, "base learning rate").greater_than(0);
  s.add_int("optim.warmup_epochs", 5, "linear warm-up epochs").at_least(0);
  s.add_int_list("optim.lr_milestones", {160, 180}, "0-based epochs where lr is multiplied by lr_gamma")
      .at_least(0);
  s.add_float("optim.lr_gamma", 0.01, "lr factor at each milestone").greater_than(0);
  s.add_float("optim.momentum", 0.9, "SGD momentum").at_least(0).less_than(1);
  s.add_float("optim.weight_decay", 2e-4, "SGD weight decay").at_least(0);
  s.add_int("augment.padding", 4, "random crop from the zero-padded image (pixels each side); 0: none")
      .at_least(0);
  s.add_bool("augment.flip", true, "random horizontal flip");
  // 128 rather than larger: on 2 CPU cores, fp32 evaluation in batches of 1,000 took 3x as long
  // per image as in batches of 128 (11 s against 3.8 s for the 10,000 test images).
  s.add_int("eval.batch_size", 128, "test batch size").greater_than(0);
  s.add_choice("precision", "fp32", {"fp32", "bf16"},
               "bf16: autocast of the ResNet trunk (CUDA, or CPUs with AMX/AVX-512; slower than fp32 without)");
  s.add_bool("channels_last", true, "NHWC activations and weights (faster convolutions on CPU)");
  return s;
}

TrainerInfo imbalanced_cifar_trainer_info() {
  return {"imbalanced_cifar",
          "LDAM-DRW and the baselines of Cao et al. 2019 on imbalanced CIFAR-10/100 (ResNet-32)",
          imbalanced_cifar_schema,
          [](const RunContext& ctx) -> std::unique_ptr<Trainer> {
            return std::make_unique<imbalanced_cifar::ImbalancedCifarTrainer>(ctx);
          }};
}

}  // namespace wei
