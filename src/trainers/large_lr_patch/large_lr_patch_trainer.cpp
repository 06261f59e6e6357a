#include "trainers/large_lr_patch/large_lr_patch_trainer.h"

#include <memory>
#include <string>

#include <torch/nn/functional.h>
#include <torch/optim/sgd.h>

#include "base/int_math.h"
#include "base/named_values.h"
#include "base/seeding.h"
#include "data/cifar_batches.h"
#include "data/cifar_sets.h"
#include "data/imbalance.h"
#include "models/module_parameters.h"
#include "models/wide_resnet.h"
#include "train/autocast_scope.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "trainers/large_lr_patch/large_lr_patch_options.h"
#include "trainers/large_lr_patch/patch_transform.h"

namespace wei {
namespace large_lr_patch {
namespace {

using json = nlohmann::ordered_json;
// Loss sums are checked for finiteness every this many batches: a device sync each time.
constexpr int64_t kFiniteCheckEvery = 25;
constexpr int64_t kClasses = 10;

PatchSettings patch_settings(const Options& o) {
  return {o.patch.size, o.patch.z_scale, o.patch.class_sep, o.patch.only_prob, o.patch.only_scale};
}

class LargeLrPatchTrainer final : public Trainer {
 public:
  LargeLrPatchTrainer(const RunContext& ctx, const Options& options)
      : ctx_(ctx),
        options_(options),
        settings_(patch_settings(options)),
        norm_(data::normalization_from(options.data.mean, options.data.std)),
        bf16_(options.compute.bf16()),
        lr_(make_schedule(options.optim.schedule, options.optim.sgd.lr, options.optim.epochs)),
        shuffle_gen_(make_generator(ctx.seed, "shuffle")),
        patch_gen_(make_generator(ctx.seed, "patch-draws")),
        noise_gen_(make_generator(ctx.seed, "act-noise")) {}

  void prepare() override {
    data::CifarSets sets = data::load_cifar_sets(options_.data.root, data::CifarKind::kCifar10, options_.data.train_size,
                                                 options_.data.test_size, ctx_.seed);
    ctx_.stop.throw_if_requested();
    train_images_ = sets.train.images.to(ctx_.device);  // uint8, normalised batch by batch
    train_labels_ = sets.train.labels.to(ctx_.device);
    auto pattern_gen = make_generator(ctx_.seed, "patch-patterns");
    patterns_ = make_patch_patterns(kClasses, settings_, pattern_gen).to(ctx_.device);
    auto select_gen = make_generator(ctx_.seed, "patch-select-train");
    train_selected_ = select_patched(train_labels_.size(0), options_.patch.fraction, select_gen).to(ctx_.device);

    test_images_ = data::normalize_images(sets.test.images, norm_, ctx_.device, options_.compute.channels_last);
    test_labels_ = sets.test.labels.to(ctx_.device);
    eval_sets_ = make_patch_eval_sets(test_images_, test_labels_, patterns_, settings_, options_.patch.fraction,
                                      options_.eval.patch_only_images, kClasses, ctx_.seed);

    data_info_ = {{"source", sets.source},
                  {"dataset", "cifar10"},
                  {"root", options_.data.root},
                  {"num_classes", kClasses},
                  {"train_size", train_labels_.size(0)},
                  {"test_size", test_labels_.size(0)},
                  {"patched_train_images", train_selected_.sum().item<int64_t>()},
                  {"patched_test_images", eval_sets_.patched_selected.sum().item<int64_t>()},
                  {"patch_only_images", options_.eval.patch_only_images},
                  {"patch_rows", {patch_start(32, options_.patch.size), patch_start(32, options_.patch.size) + options_.patch.size - 1}},
                  {"class_counts", data::class_counts(sets.train.labels, kClasses)}};

    // Initialised from its own stream on the CPU, so CPU and CUDA runs start alike.
    torch::manual_seed(derive_seed(ctx_.seed, "init"));
    model_ = models::WideResNet(
        models::WideResNetOptions{options_.model.depth, options_.model.widen, kClasses, models::WideResNetVariant::kStandard});
    model_->to(ctx_.device);
    if (options_.compute.channels_last) models::to_channels_last(*model_);
    optimizer_ = make_sgd(*model_, options_.optim.sgd);
    warn_if_slow_bf16(options_.compute, ctx_.device, ctx_.log);
    const int64_t parameters = models::parameter_count(*model_);
    data_info_["model_parameters"] = parameters;
    ctx_.log.info("large_lr_patch: {} ({} parameters), lr {} ({}), regularizer {}, {} train images ({} "
                  "patched) / {} test images ({})",
                  models::wide_resnet_name(options_.model.depth, options_.model.widen), parameters, options_.optim.sgd.lr,
                  name_of(schedule_kind_names(), options_.optim.schedule.kind), name_of(regularizer_names(), options_.regularizer),
                  train_labels_.size(0),
                  data_info_["patched_train_images"].get<int64_t>(), test_labels_.size(0), sets.source);
  }

  json data_info() const override { return data_info_; }
  int64_t num_epochs() const override { return options_.optim.epochs; }
  HeadlineMetric headline() const override { return {"test_accuracy", false}; }
  bool supports_data_parallel() const override { return true; }

  json train_epoch(int64_t epoch) override {
    model_->train();
    const double noise_level = act_noise_at(options_, epoch);
    models::WideResNetPerturbation noise;
    if (options_.regularizer == Regularizer::kActivationNoise) {
      // The reference's forward_noise: one N(0, 1) map of the activation's H x W per BatchNorm and
      // pass, broadcast over batch and channels (drawn on the CPU, so CPU and CUDA runs agree).
      noise.after_bn = [this, noise_level](const torch::Tensor& bn) {
        return torch::randn({1, 1, bn.size(2), bn.size(3)}, noise_gen_, torch::kFloat)
            .mul_(noise_level)
            .to(bn.device(), bn.scalar_type());
      };
    }
    models::WideResNetPerturbation* perturbation = noise.after_bn ? &noise : nullptr;

    const torch::Tensor order = torch::randperm(train_labels_.size(0), shuffle_gen_, torch::kInt64);
    const int64_t batches = ceil_div(order.size(0), options_.optim.batch_size);
    DriverOptions driver_options;
    driver_options.lr_per_epoch = [this](int64_t e) { return schedule_value(lr_, e); };
    driver_options.finite_check_every = kFiniteCheckEvery;
    const auto counter = torch::TensorOptions(ctx_.device).dtype(torch::kInt64);
    torch::Tensor patched_correct = torch::zeros({}, counter), patched_seen = torch::zeros({}, counter);
    torch::Tensor patch_only_seen = torch::zeros({}, counter);
    const EpochTotals totals =
        EpochDriver(*optimizer_, ctx_, driver_options)
            .run(EpochPlan::batches(order, options_.optim.batch_size, epoch, epoch * batches), [&](const StepBatch& b) {
              const auto indices = b.indices.to(ctx_.device);
              torch::Tensor x, y, selected;
              PatchDraws draws;
              {
                const auto loading = b.time_loading();
                x = data::normalize_images(train_images_.index_select(0, indices), norm_, ctx_.device,
                                           options_.compute.channels_last);
                y = train_labels_.index_select(0, indices);
                selected = train_selected_.index_select(0, indices);
                draws = draw_patches(indices.size(0), settings_, patch_gen_);
                apply_patches(x, y, selected, patterns_, draws);
              }
              patched_seen += selected.sum();
              patch_only_seen += (selected & draws.patch_only.to(ctx_.device)).sum();
              const AutocastScope autocast(bf16_, ctx_.device);
              const auto logits = model_->forward(x, perturbation);
              const auto correct = logits.detach().argmax(1).eq(y);
              patched_correct += (correct & selected).sum();
              return StepLoss{torch::nn::functional::cross_entropy(logits, y), static_cast<double>(indices.size(0)),
                              correct.sum(), indices.size(0)};
            });

    json row;
    row["lr"] = totals.lr;
    if (options_.regularizer == Regularizer::kActivationNoise) row["act_noise"] = noise_level;
    row["train_loss"] = totals.mean_loss();
    row["train_accuracy"] = 100.0 * totals.accuracy();
    const auto patched = static_cast<double>(patched_seen.item<int64_t>());
    const auto clean = static_cast<double>(totals.predictions) - patched;
    const auto patched_right = static_cast<double>(patched_correct.item<int64_t>());
    // Training accuracy on the images of the epoch as drawn: those with the patch, and the others.
    row["train_patched_accuracy"] = patched > 0 ? 100.0 * patched_right / patched : 0.0;
    row["train_clean_accuracy"] =
        clean > 0 ? 100.0 * (static_cast<double>(totals.correct) - patched_right) / clean : 0.0;
    row["train_patch_only_images"] = patch_only_seen.item<int64_t>();
    return row;
  }

  json evaluate(int64_t epoch) override {
    json row;
    add_scores(row, "test_", classify(test_images_), test_labels_, /*with_error=*/true);
    add_scores(row, "patched_test_", classify(eval_sets_.patched_images), test_labels_);
    add_scores(row, "patch_only_", classify(eval_sets_.patch_only_images), eval_sets_.patch_only_labels);
    return row;
  }

  json final_metrics(const json& last_row) override {
    json final;
    for (const char* key : {"test_accuracy", "test_error", "test_loss", "patched_test_accuracy",
                            "patch_only_accuracy", "train_accuracy", "train_patched_accuracy", "train_clean_accuracy"}) {
      final[key] = last_row.at(key);
    }
    final["regularizer"] = name_of(regularizer_names(), options_.regularizer);
    final["model"] = models::wide_resnet_name(options_.model.depth, options_.model.widen);
    return final;
  }

  void register_state(CheckpointBundle& bundle) override {
    bundle.add_module("model", *model_);
    bundle.add_optimizer("optimizer", *optimizer_);
    bundle.add_generator("shuffle", shuffle_gen_);
    bundle.add_generator("patch_draws", patch_gen_);
    bundle.add_generator("act_noise", noise_gen_);
  }

 private:
  // The model's fp32 logits on `images`, in eval mode and in batches.
  torch::Tensor classify(const torch::Tensor& images) {
    return evaluate_in_batches({model_.get()}, images.size(0), options_.eval.batch_size, ctx_.stop,
                               [&](int64_t start, int64_t length) {
                                 const AutocastScope autocast(bf16_, ctx_.device);
                                 return model_->forward(images.narrow(0, start, length)).to(torch::kFloat);
                               });
  }

  RunContext ctx_;
  const Options options_;
  const PatchSettings settings_;
  const data::Normalization norm_;
  const bool bf16_;
  const Schedule lr_;
  at::Generator shuffle_gen_, patch_gen_, noise_gen_;
  torch::Tensor train_images_, train_labels_, train_selected_;  // on the device
  PatchPatterns patterns_;
  torch::Tensor test_images_, test_labels_;
  PatchEvalSets eval_sets_;
  json data_info_;
  models::WideResNet model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
};

}  // namespace
}  // namespace large_lr_patch

TrainerInfo large_lr_patch_trainer_info() {
  return trainer_info("large_lr_patch",
                      "large vs small initial learning rate and activation noise on CIFAR-10 with a memorizable "
                      "patch (Li, Wei & Ma 2019)",
                      large_lr_patch::options_schema(),
                      [](const RunContext& ctx, const large_lr_patch::Options& o) {
                        return std::make_unique<large_lr_patch::LargeLrPatchTrainer>(ctx, o);
                      });
}

}  // namespace wei
