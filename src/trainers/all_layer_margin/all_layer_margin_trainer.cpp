#include "trainers/all_layer_margin/all_layer_margin_trainer.h"

#include <cmath>

#include <torch/nn/functional.h>
#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/seeding.h"
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
        options_(options),
        bf16_(options.compute.bf16()),
        lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.epochs)),
        shuffle_gen_(make_generator(ctx.seed, "shuffle")),
        augment_gen_(make_generator(ctx.seed, "augment")) {
    amo_.inner_steps = options_.amo.inner_steps;
    amo_.inner_lr = options_.amo.inner_lr;
    amo_.inner_weight_decay = options_.amo.inner_weight_decay;
    amo_.bn_stats_from_inner_passes = options_.amo.bn_stats_from_inner_passes;
    search_.steps = options_.margin.steps;
    search_.bisections = options_.margin.bisections;
    search_.max_radius = options_.margin.max_radius;
  }

  void prepare() override {
    const int64_t classes = data::cifar_num_classes(options_.data.dataset);
    data::CifarSets sets = data::load_cifar_sets(options_.data.root, options_.data.dataset, options_.data.train_size,
                                                 options_.data.test_size, ctx_.seed);
    ctx_.stop.throw_if_requested();
    source_ = sets.source;
    clean_labels_ = sets.train.labels;
    train_labels_ = sets.train.labels;
    if (options_.data.corrupt_prob > 0) {
      auto gen = make_generator(ctx_.seed, "corrupt-labels");
      train_labels_ = data::corrupt_labels(sets.train.labels, options_.data.corrupt_prob, classes, gen);
    }
    const data::Normalization norm = data::normalization_from(options_.data.mean, options_.data.std);
    const data::Augmentation augmentation{
        options_.augment.padding, options_.augment.pad_mode == "reflect" ? data::PadMode::kReflect : data::PadMode::kZero,
        options_.augment.flip};
    train_images_ = std::make_unique<data::AugmentedImages>(sets.train.images, augmentation, norm, ctx_.device);
    test_images_ = data::normalize_images(sets.test.images, norm, ctx_.device, options_.compute.channels_last);
    test_labels_ = sets.test.labels.to(ctx_.device);

    // The fixed examples whose all-layer margin is tracked: unaugmented, labels as trained on.
    auto pick = make_generator(ctx_.seed, "margin-examples");
    const auto train_pick = data::select_random_subset(train_labels_.size(0), options_.margin.train_examples, pick);
    const auto test_pick = data::select_random_subset(test_labels_.size(0), options_.margin.test_examples, pick);
    margin_train_x_ = data::normalize_images(sets.train.images.index_select(0, train_pick), norm, ctx_.device,
                                             options_.compute.channels_last);
    margin_train_y_ = train_labels_.index_select(0, train_pick).to(ctx_.device);
    margin_test_x_ = test_images_.index_select(0, test_pick.to(ctx_.device));
    margin_test_y_ = test_labels_.index_select(0, test_pick.to(ctx_.device));

    data_info_ = {{"source", source_},
                  {"dataset", data::cifar_name(options_.data.dataset)},
                  {"root", options_.data.root},
                  {"num_classes", classes},
                  {"train_size", train_labels_.size(0)},
                  {"test_size", test_labels_.size(0)},
                  {"corrupted_labels", train_labels_.ne(clean_labels_).sum().item<int64_t>()},
                  {"class_counts", data::class_counts(train_labels_, classes)}};

    // Initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    model_ = models::WideResNet(models::WideResNetOptions{options_.model.depth, options_.model.widen, classes, options_.model.variant});
    model_->to(ctx_.device);
    if (options_.compute.channels_last) models::to_channels_last(*model_);
    optimizer_ = make_sgd(*model_, options_.optim.sgd);
    warn_if_slow_bf16(options_.compute, ctx_.device, ctx_.log);
    const int64_t parameters = models::parameter_count(*model_);
    data_info_["model_parameters"] = parameters;
    ctx_.log.info("all_layer_margin: {} ({} parameters), {}, {} train / {} test images ({})",
                  models::wide_resnet_name(options_.model.depth, options_.model.widen), parameters,
                  name_of(method_names(), options_.method), train_labels_.size(0), test_labels_.size(0), source_);
  }

  json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return options_.optim.epochs; }
  HeadlineMetric headline() const override { return {"test_error", true}; }
  bool supports_data_parallel() const override { return true; }

  // AMO epochs cost about twice an SGD epoch; margin estimates add their passes.
  double epoch_cost(int64_t epoch) const override {
    const double train = static_cast<double>(train_labels_.size(0)) * (uses_amo(epoch) ? 6.0 : 3.0);
    const double eval = static_cast<double>(test_labels_.size(0));
    const double margins = margin_due(epoch) ? static_cast<double>(options_.margin.train_examples + options_.margin.test_examples) *
                                                   3.0 * static_cast<double>(options_.margin.steps * options_.margin.bisections)
                                             : 0.0;
    return train + eval + margins;
  }

  json train_epoch(int64_t epoch) override {
    const bool amo = uses_amo(epoch);
    model_->train();
    const torch::Tensor order = torch::randperm(train_labels_.size(0), shuffle_gen_, torch::kInt64);
    const int64_t batches = ceil_div(order.size(0), options_.optim.batch_size);
    DriverOptions driver_options;
    driver_options.lr_per_epoch = [this](int64_t e) { return schedule_value(lr_, e); };
    driver_options.finite_check_every = kFiniteCheckEvery;
    torch::Tensor perturbed_correct = torch::zeros({}, torch::TensorOptions(ctx_.device).dtype(torch::kInt64));
    const EpochTotals totals = EpochDriver(*optimizer_, ctx_, driver_options)
                                   .run(EpochPlan::batches(order, options_.optim.batch_size, epoch, epoch * batches),
                                        [&](const StepBatch& b) {
                                          torch::Tensor x, y;
                                          {
                                            const auto loading = b.time_loading();
                                            x = train_images_->batch(b.indices, augment_gen_, options_.compute.channels_last);
                                            y = train_labels_.index_select(0, b.indices).to(ctx_.device);
                                          }
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
    json row;
    row["lr"] = totals.lr;
    row["method"] = amo ? "amo" : "sgd";
    row["train_loss"] = totals.mean_loss();
    row["train_accuracy"] = 100.0 * totals.accuracy();
    if (amo) {
      row["perturbed_train_accuracy"] =
          100.0 * static_cast<double>(perturbed_correct.item<int64_t>()) / static_cast<double>(totals.predictions);
    }
    return row;
  }

  json evaluate(int64_t epoch) override {
    const torch::Tensor logits = evaluate_in_batches({model_.get()}, test_images_.size(0), options_.eval.batch_size,
                                                     ctx_.stop, [&](int64_t start, int64_t length) {
                                                       const AutocastScope autocast(bf16_, ctx_.device);
                                                       return model_->forward(test_images_.narrow(0, start, length))
                                                           .to(torch::kFloat);
                                                     });
    json row;
    add_scores(row, "test_", logits, test_labels_, /*with_error=*/true);
    if (margin_due(epoch)) {
      add_margins(row, "margin_train_", estimate_all_layer_margins(model_, margin_train_x_, margin_train_y_, search_, ctx_.stop),
                  search_.max_radius);
      add_margins(row, "margin_test_", estimate_all_layer_margins(model_, margin_test_x_, margin_test_y_, search_, ctx_.stop),
                  search_.max_radius);
      last_margins_ = json::object();
      for (const auto& [key, value] : row.items()) {
        if (key.rfind("margin_", 0) == 0) last_margins_[key] = value;
      }
    }
    return row;
  }

  json final_metrics(const json& last_row) override {
    json final;
    for (const char* key : {"test_error", "test_accuracy", "test_loss", "train_accuracy"}) final[key] = last_row.at(key);
    final.update(last_margins_);
    final["method"] = name_of(method_names(), options_.method);
    final["model"] = models::wide_resnet_name(options_.model.depth, options_.model.widen);
    return final;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_generator("shuffle", shuffle_gen_);
    bundle.add_generator("augment", augment_gen_);
    bundle.add_value("last_margins", last_margins_);
  }

 private:
  bool uses_amo(int64_t epoch) const { return options_.method == Method::kAmo && epoch + 1 >= options_.amo.switch_time; }
  bool margin_due(int64_t epoch) const {
    return epoch + 1 == options_.optim.epochs || (options_.margin.every > 0 && (epoch + 1) % options_.margin.every == 0);
  }
  RunContext ctx_;
  const Options options_;
  const bool bf16_;
  const Schedule lr_;
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
