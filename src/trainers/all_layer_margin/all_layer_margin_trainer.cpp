#include "trainers/all_layer_margin/all_layer_margin_trainer.h"

#include <cmath>

#include <torch/nn/functional.h>
#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/seeding.h"
#include "base/stopwatch.h"
#include "data/cifar_batches.h"
#include "data/cifar_sets.h"
#include "data/imbalance.h"
#include "data/subsets.h"
#include "models/module_parameters.h"
#include "models/wide_resnet.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/all_layer_margin/all_layer_margin_estimate.h"
#include "trainers/all_layer_margin/all_layer_margin_options.h"
#include "trainers/all_layer_margin/amo_step.h"

namespace wei {
namespace all_layer_margin {
namespace {

using json = nlohmann::ordered_json;
// Loss sums are checked for finiteness every this many batches: a device sync each time.
constexpr int64_t kFiniteCheckEvery = 25;

// Mean and quantiles of estimated margins, under `prefix` ("margin_train_").
void add_margins(json& row, const std::string& prefix, const torch::Tensor& margins, double max_radius) {
  const torch::Tensor sorted = std::get<0>(margins.sort());
  const auto quantile = [&](double q) {
    const auto at = static_cast<int64_t>(std::llround(q * static_cast<double>(sorted.size(0) - 1)));
    return sorted[at].item<double>();
  };
  row[prefix + "mean"] = margins.mean().item<double>();
  row[prefix + "q10"] = quantile(0.1);
  row[prefix + "median"] = quantile(0.5);
  row[prefix + "q90"] = quantile(0.9);
  row[prefix + "censored"] = margins.ge(max_radius).to(torch::kDouble).mean().item<double>();
}

class AllLayerMarginTrainer final : public Trainer {
 public:
  AllLayerMarginTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        o_(options),
        bf16_(options.precision == Precision::kBf16),
        shuffle_gen_(make_generator(ctx.seed, "shuffle")),
        augment_gen_(make_generator(ctx.seed, "augment")) {
    amo_.inner_steps = o_.amo.inner_steps;
    amo_.inner_lr = o_.amo.inner_lr;
    amo_.inner_weight_decay = o_.amo.inner_weight_decay;
    amo_.bn_stats_from_inner_passes = o_.amo.bn_stats_from_inner_passes;
    search_.steps = o_.margin.steps;
    search_.bisections = o_.margin.bisections;
    search_.max_radius = o_.margin.max_radius;
  }

  void prepare() override {
    const int64_t classes = data::cifar_num_classes(o_.data.dataset);
    data::CifarSets sets = data::load_cifar_sets(o_.data.root, o_.data.dataset, o_.data.train_size,
                                                 o_.data.test_size, ctx_.seed);
    ctx_.stop.throw_if_requested();
    source_ = sets.source;
    clean_labels_ = sets.train.labels;
    train_labels_ = sets.train.labels;
    if (o_.data.corrupt_prob > 0) {
      auto gen = make_generator(ctx_.seed, "corrupt-labels");
      train_labels_ = data::corrupt_labels(sets.train.labels, o_.data.corrupt_prob, classes, gen);
    }
    const data::Normalization norm = data::normalization_from(o_.data.mean, o_.data.std);
    const data::Augmentation augmentation{
        o_.augment.padding, o_.augment.pad_mode == "reflect" ? data::PadMode::kReflect : data::PadMode::kZero,
        o_.augment.flip};
    train_images_ = std::make_unique<data::AugmentedImages>(sets.train.images, augmentation, norm, ctx_.device);
    test_images_ = data::normalize_images(sets.test.images, norm, ctx_.device, o_.channels_last);
    test_labels_ = sets.test.labels.to(ctx_.device);

    // The fixed examples whose all-layer margin is tracked: unaugmented, labels as trained on.
    auto pick = make_generator(ctx_.seed, "margin-examples");
    const auto train_pick = data::select_random_subset(train_labels_.size(0), o_.margin.train_examples, pick);
    const auto test_pick = data::select_random_subset(test_labels_.size(0), o_.margin.test_examples, pick);
    margin_train_x_ = data::normalize_images(sets.train.images.index_select(0, train_pick), norm, ctx_.device,
                                             o_.channels_last);
    margin_train_y_ = train_labels_.index_select(0, train_pick).to(ctx_.device);
    margin_test_x_ = test_images_.index_select(0, test_pick.to(ctx_.device));
    margin_test_y_ = test_labels_.index_select(0, test_pick.to(ctx_.device));

    data_info_ = {{"source", source_},
                  {"dataset", data::cifar_name(o_.data.dataset)},
                  {"root", o_.data.root},
                  {"num_classes", classes},
                  {"train_size", train_labels_.size(0)},
                  {"test_size", test_labels_.size(0)},
                  {"corrupted_labels", train_labels_.ne(clean_labels_).sum().item<int64_t>()},
                  {"class_counts", data::class_counts(train_labels_, classes)}};

    // Initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    model_ = models::WideResNet(models::WideResNetOptions{o_.model.depth, o_.model.widen, classes, o_.model.variant});
    model_->to(ctx_.device);
    if (o_.channels_last) models::to_channels_last(*model_);
    optimizer_ = std::make_unique<torch::optim::SGD>(model_->parameters(), torch::optim::SGDOptions(o_.optim.lr)
                                                                               .momentum(o_.optim.momentum)
                                                                               .nesterov(o_.optim.nesterov)
                                                                               .weight_decay(o_.optim.weight_decay));
    const int64_t parameters = models::parameter_count(*model_);
    data_info_["model_parameters"] = parameters;
    ctx_.log.info("all_layer_margin: {} ({} parameters), {}, {} train / {} test images ({})",
                  models::wide_resnet_name(o_.model.depth, o_.model.widen), parameters,
                  name_of(method_names(), o_.method), train_labels_.size(0), test_labels_.size(0), source_);
  }

  json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return o_.optim.epochs; }
  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }

  // AMO epochs cost about twice an SGD epoch; margin estimates add their passes.
  double epoch_cost(int64_t epoch) const override {
    const double train = static_cast<double>(train_labels_.size(0)) * (uses_amo(epoch) ? 6.0 : 3.0);
    const double eval = static_cast<double>(test_labels_.size(0));
    const double margins = margin_due(epoch) ? static_cast<double>(o_.margin.train_examples + o_.margin.test_examples) *
                                                   3.0 * static_cast<double>(o_.margin.steps * o_.margin.bisections)
                                             : 0.0;
    return train + eval + margins;
  }

  json train_epoch(int64_t epoch) override {
    const bool amo = uses_amo(epoch);
    const Stopwatch train_timer;
    model_->train();
    const torch::Tensor order = torch::randperm(train_labels_.size(0), shuffle_gen_, torch::kInt64);
    const int64_t batches = ceil_div(order.size(0), o_.optim.batch_size);
    DriverOptions driver_options;
    driver_options.lr_per_epoch = [this](int64_t e) { return lr_at(e); };
    driver_options.finite_check_every = kFiniteCheckEvery;
    torch::Tensor perturbed_correct = torch::zeros({}, torch::TensorOptions(ctx_.device).dtype(torch::kInt64));
    const EpochTotals totals = EpochDriver(*optimizer_, ctx_.stop, driver_options)
                                   .run(EpochPlan::batches(order, o_.optim.batch_size, epoch, epoch * batches),
                                        [&](const StepBatch& b) {
                                          const auto x = train_images_->batch(b.indices, augment_gen_, o_.channels_last);
                                          const auto y = train_labels_.index_select(0, b.indices).to(ctx_.device);
                                          const auto examples = b.indices.size(0);
                                          const AutocastScope autocast(bf16_, ctx_.device);
                                          if (amo) {
                                            AmoLoss step = amo_loss(model_, x, y, amo_);
                                            perturbed_correct += step.perturbed_logits.argmax(1).eq(y).sum();
                                            return StepLoss{step.loss, static_cast<double>(examples),
                                                            step.clean_logits.argmax(1).eq(y).sum(), examples};
                                          }
                                          const auto logits = model_->forward(x);
                                          return StepLoss{torch::nn::functional::cross_entropy(logits, y),
                                                          static_cast<double>(examples),
                                                          logits.detach().argmax(1).eq(y).sum(), examples};
                                        });
    const double train_seconds = train_timer.seconds();

    const Stopwatch eval_timer;
    const torch::Tensor logits = evaluate_in_batches({model_.get()}, test_images_.size(0), o_.eval.batch_size,
                                                     ctx_.stop, [&](int64_t start, int64_t length) {
                                                       const AutocastScope autocast(bf16_, ctx_.device);
                                                       return model_->forward(test_images_.narrow(0, start, length))
                                                           .to(torch::kFloat);
                                                     });
    const double test_loss = torch::nn::functional::cross_entropy(logits, test_labels_).item<double>();
    const double test_accuracy =
        100.0 * logits.argmax(1).eq(test_labels_).to(torch::kDouble).mean().item<double>();
    const double eval_seconds = eval_timer.seconds();

    json row;
    row["lr"] = totals.lr;
    row["method"] = amo ? "amo" : "sgd";
    row["train_loss"] = totals.mean_loss();
    row["train_accuracy"] = 100.0 * totals.accuracy();
    if (amo) {
      row["perturbed_train_accuracy"] =
          100.0 * static_cast<double>(perturbed_correct.item<int64_t>()) / static_cast<double>(totals.predictions);
    }
    row["test_loss"] = test_loss;
    row["test_accuracy"] = test_accuracy;
    row["test_error"] = 100.0 - test_accuracy;
    double margin_seconds = 0;
    if (margin_due(epoch)) {
      const Stopwatch margin_timer;
      add_margins(row, "margin_train_", estimate_all_layer_margins(model_, margin_train_x_, margin_train_y_, search_, ctx_.stop),
                  search_.max_radius);
      add_margins(row, "margin_test_", estimate_all_layer_margins(model_, margin_test_x_, margin_test_y_, search_, ctx_.stop),
                  search_.max_radius);
      margin_seconds = margin_timer.seconds();
      last_margins_ = json::object();
      for (const auto& [key, value] : row.items()) {
        if (key.rfind("margin_", 0) == 0) last_margins_[key] = value;
      }
    }
    row["timing"] = {{"train_seconds", train_seconds},
                     {"eval_seconds", eval_seconds},
                     {"margin_seconds", margin_seconds},
                     {"train_images_per_second", static_cast<double>(order.size(0)) / train_seconds}};
    last_row_ = row;
    last_row_.erase("timing");
    return row;
  }

  json final_metrics() override {
    json final;
    for (const char* key : {"test_error", "test_accuracy", "test_loss", "train_accuracy"}) final[key] = last_row_.at(key);
    final.update(last_margins_);
    final["method"] = name_of(method_names(), o_.method);
    final["model"] = models::wide_resnet_name(o_.model.depth, o_.model.widen);
    return final;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_generator("shuffle", shuffle_gen_);
    bundle.add_generator("augment", augment_gen_);
    bundle.add_value("last_row", last_row_);
    bundle.add_value("last_margins", last_margins_);
  }

 private:
  bool uses_amo(int64_t epoch) const { return o_.method == Method::kAmo && epoch + 1 >= o_.amo.switch_time; }
  bool margin_due(int64_t epoch) const {
    return epoch + 1 == o_.optim.epochs || (o_.margin.every > 0 && (epoch + 1) % o_.margin.every == 0);
  }
  // The reference's schedule: lr * gamma^(milestones <= the 1-based epoch).
  double lr_at(int64_t epoch) const {
    double lr = o_.optim.lr;
    for (const int64_t milestone : o_.optim.lr_milestones) {
      if (epoch + 1 >= milestone) lr *= o_.optim.lr_gamma;
    }
    return lr;
  }

  RunContext ctx_;
  const Options o_;
  const bool bf16_;
  AmoSettings amo_;
  MarginSearch search_;
  at::Generator shuffle_gen_, augment_gen_;
  std::string source_;
  torch::Tensor clean_labels_, train_labels_;  // CPU
  std::unique_ptr<data::AugmentedImages> train_images_;
  torch::Tensor test_images_, test_labels_;
  torch::Tensor margin_train_x_, margin_train_y_, margin_test_x_, margin_test_y_;
  json data_info_;
  models::WideResNet model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  json last_row_ = json::object();
  json last_margins_ = json::object();
};

}  // namespace
}  // namespace all_layer_margin

TrainerInfo all_layer_margin_trainer_info() {
  return trainer_info("all_layer_margin",
                      "all-layer margin optimization (AMO) against SGD on CIFAR with WideResNets (Wei & Ma 2020)",
                      all_layer_margin::options_schema(),
                      [](const RunContext& ctx, const all_layer_margin::Options& o) {
                        return std::make_unique<all_layer_margin::AllLayerMarginTrainer>(ctx, o);
                      });
}

}  // namespace wei
