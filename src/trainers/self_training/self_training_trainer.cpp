#include "trainers/self_training/self_training_trainer.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <torch/nn/functional/loss.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/cifar_batches.h"
#include "data/cifar_sets.h"
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

namespace wei {
namespace self_training {
namespace {

using json = nlohmann::ordered_json;
constexpr int64_t kClasses = 10;

// Indices [start, start + count) of an endless sequence of shuffles of 0..n-1, shuffle j drawn
// from its own seeded stream: the batch of any step follows from the step alone, so a resumed or
// data-parallel run draws the same batches without carrying an order in its checkpoint.
class EndlessOrder {
 public:
  EndlessOrder(int64_t n, uint64_t seed) : n_(n), seed_(seed) {}

  torch::Tensor take(int64_t start, int64_t count) {
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(count));
    for (int64_t k = start; k < start + count; ++k) {
      const int64_t pass = k / n_;
      if (pass != cached_pass_) {
        auto gen = make_generator(seed_ + static_cast<uint64_t>(pass), "shuffle");
        cached_ = torch::randperm(n_, gen, torch::kInt64);
        cached_pass_ = pass;
      }
      out.push_back(cached_.data_ptr<int64_t>()[k % n_]);
    }
    return torch::tensor(out, torch::kInt64);
  }

 private:
  int64_t n_;
  uint64_t seed_;
  int64_t cached_pass_ = -1;
  torch::Tensor cached_;
};

class SelfTrainingTrainer final : public Trainer {
 public:
  SelfTrainingTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        norm_(data::normalization_from(options.data.mean, options.data.std)),
        lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.steps)),
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
    test_images_ = data::normalize_images(sets.test.images, norm_, ctx_.device, options_.compute.channels_last);
    test_labels_ = sets.test.labels.to(ctx_.device);

    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    models::WideResNetOptions network{options_.model.depth, options_.model.widen, kClasses,
                                      models::WideResNetVariant::kFixMatch};
    network.relu_slope = options_.model.relu_slope;
    network.bn_momentum = options_.model.bn_momentum;
    model_ = models::WideResNet(network);
    model_->to(ctx_.device);
    if (options_.compute.channels_last) models::to_channels_last(*model_);
    optimizer_ = make_sgd(*model_, options_.optim.sgd);
    if (options_.optim.ema > 0) average_ = std::make_unique<WeightAverage>(*model_, options_.optim.ema);
    warn_if_slow_bf16(options_.compute, ctx_.device, ctx_.log);

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
  int64_t num_epochs() const override { return ceil_div(options_.optim.steps, options_.optim.eval_every); }
  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }

  json train_epoch(int64_t epoch) override {
    model_->train();
    const int64_t first = epoch * options_.optim.eval_every;
    const int64_t steps = std::min(options_.optim.eval_every, options_.optim.steps - first);
    const auto counter = torch::TensorOptions(ctx_.device).dtype(torch::kDouble);
    sums_ = {torch::zeros({}, counter), torch::zeros({}, counter), torch::zeros({}, counter), torch::zeros({}, counter),
             0};
    DriverOptions driver;
    driver.lr_per_step = [this](int64_t step) { return schedule_value(lr_, step); };
    driver.finite_check_every = 64;
    if (average_) driver.after_step = [this](const StepBatch&) { average_->update(); };
    const EpochTotals totals = EpochDriver(*optimizer_, ctx_, driver)
                                   .run(EpochPlan::step_range(steps, epoch, first),
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
    row["step"] = first + steps;
    row["lr"] = totals.lr;
    row["train_loss"] = totals.mean_loss();
    const double n = static_cast<double>(std::max<int64_t>(1, sums_.steps)) * ranks;
    row["labelled_loss"] = sums[0] / n;
    if (options_.method != Method::kSupervised) {
      const double kept = sums[2];
      row["unlabelled_loss"] = sums[1] / n;
      row["mask_rate"] = kept / (static_cast<double>(sums_.steps) * static_cast<double>(unlabelled_batch()));
      row["pseudo_label_accuracy"] = kept > 0 ? 100.0 * sums[3] / kept : 0.0;
    }
    return row;
  }

  json evaluate(int64_t epoch) override {
    std::optional<WeightAverage::Swap> use_average;
    if (average_) use_average.emplace(*average_);
    const torch::Tensor logits =
        evaluate_in_batches({model_.get()}, test_images_.size(0), options_.eval.batch_size, ctx_.stop,
                            [&](int64_t start, int64_t length) {
                              const AutocastScope autocast(options_.compute.bf16(), ctx_.device);
                              return model_->forward(test_images_.narrow(0, start, length)).to(torch::kFloat);
                            });
    json row;
    add_scores(row, "test_", logits, test_labels_, /*with_error=*/true);
    row["test_per_class_accuracy"] = class_tally(logits.argmax(1), test_labels_, kClasses).accuracy();
    recent_errors_.push_back(row["test_error"].get<double>());
    while (static_cast<int64_t>(recent_errors_.size()) > options_.eval.median_of) recent_errors_.erase(recent_errors_.begin());
    row["test_error_median"] = median(recent_errors_);
    return row;
  }

  json final_metrics(const json& last_row) override {
    json final;
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
  }

 private:
  struct EpochSums {
    torch::Tensor labelled_loss, unlabelled_loss, kept, kept_right;  // on the device
    int64_t steps = 0;
  };

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
    const int64_t batch_size = options_.optim.batch_size;
    torch::Tensor inputs, targets, unlabelled, places_u;
    int64_t labelled_count = 0, unlabelled_count = 0;
    {
      const auto loading = b.time_loading();
      const torch::Tensor places_l = b.shard(torch::arange(batch_size, torch::kInt64));
      const torch::Tensor global_l = labelled_order_->take(b.step * batch_size, batch_size);
      const torch::Tensor chosen_l = global_l.index_select(0, places_l);
      std::vector<torch::Tensor> parts = {view_of(labelled_.index_select(0, chosen_l), places_l, b.step, kLabelledView)};
      targets = labelled_targets_.index_select(0, chosen_l).to(ctx_.device);
      labelled_count = chosen_l.size(0);
      if (options_.method != Method::kSupervised) {
        places_u = b.shard(torch::arange(unlabelled_batch(), torch::kInt64));
        unlabelled =
            unlabelled_order_->take(b.step * unlabelled_batch(), unlabelled_batch()).index_select(0, places_u);
        parts.push_back(view_of(unlabelled, places_u, b.step, kWeakView));
        if (options_.method == Method::kFixMatch) parts.push_back(view_of(unlabelled, places_u, b.step, kStrongView));
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
    if (options_.method != Method::kSupervised) {
      const torch::Tensor weak = logits.narrow(0, labelled_count, unlabelled_count);
      const torch::Tensor trained =
          options_.method == Method::kFixMatch ? logits.narrow(0, labelled_count + unlabelled_count, unlabelled_count)
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

  static constexpr int kLabelledView = 0, kWeakView = 1, kStrongView = 2;

  RunContext ctx_;
  const Options options_;
  const data::Normalization norm_;
  const Schedule lr_;
  const data::ImageAugmenter augmenter_;
  const uint64_t augment_seed_;
  torch::Tensor images_, hidden_labels_;  // uint8 [N, 3, 32, 32] and int64 [N], CPU: the unlabelled set
  torch::Tensor labelled_, labelled_targets_;  // indices into images_ and their labels
  std::optional<EndlessOrder> labelled_order_, unlabelled_order_;
  torch::Tensor test_images_, test_labels_;
  json data_info_;
  models::WideResNet model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<WeightAverage> average_;
  std::vector<double> recent_errors_;
  EpochSums sums_;
};

}  // namespace
}  // namespace self_training

TrainerInfo self_training_trainer_info() {
  return trainer_info("self_training",
                      "semi-supervised CIFAR-10: supervised, pseudo-labels, FixMatch (Wei, Shen, Chen & Ma 2021; "
                      "Sohn et al. 2020)",
                      self_training::options_schema(), [](const RunContext& ctx, const self_training::Options& o) {
                        return std::make_unique<self_training::SelfTrainingTrainer>(ctx, o);
                      });
}

}  // namespace wei
