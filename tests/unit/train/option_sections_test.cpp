#include "train/option_sections.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "spec/schema_catalog.h"
#include "spec/spec_loader.h"

namespace {

struct SectionOptions {
  struct Optim {
    int64_t epochs = 10;
    wei::SgdOptions sgd{0.03, 0.9, true, 5e-4, false};
    wei::ScheduleOptions schedule{wei::ScheduleKind::kMultistep, {4, 8}, 0.1, 2};
  } optim;
  wei::ComputeOptions compute;
  struct Eval {
    int64_t batch_size = 64;
  } eval;
};

const wei::OptionSchema<SectionOptions>& section_schema() {
  static const wei::OptionSchema<SectionOptions> schema = [] {
    using O = SectionOptions;
    wei::OptionSchema<O> s;
    s.field("optim.epochs", "epochs", &O::optim, &O::Optim::epochs).greater_than(0);
    wei::sgd_section(s, "optim", &O::optim, &O::Optim::sgd);
    wei::schedule_section(s, "optim", "epoch", &O::optim, &O::Optim::schedule);
    wei::compute_section(s, &O::compute);
    wei::eval_batch_size_field(s, &O::eval, &O::Eval::batch_size);
    s.renamed("optim.lr_decay", "optim.lr_gamma");
    return s;
  }();
  return schema;
}

class SectionCatalog : public wei::SchemaCatalog {
 public:
  std::vector<std::string> names() const override { return {"sections"}; }
  const wei::ParamSchema* schema_of(const std::string& name) const override {
    return name == "sections" ? &section_schema().params() : nullptr;
  }
};

SectionOptions load(const std::vector<std::string>& overrides, wei::UnreadKeys unread = wei::UnreadKeys::kRefuse) {
  return section_schema().bind(wei::load_spec_text("trainer: sections\n", "s.yaml", overrides, SectionCatalog(), unread));
}

std::string refusal(const std::vector<std::string>& overrides) {
  try {
    load(overrides);
  } catch (const wei::SpecError& e) {
    std::string all;
    for (const auto& d : e.diagnostics()) all += d + "\n";
    return all;
  }
  return "accepted";
}

}  // namespace

TEST_CASE("option sections declare the shared keys with the trainer's own defaults", "[train][spec]") {
  const SectionOptions defaults = load({});
  CHECK(defaults.optim.sgd.lr == 0.03);
  CHECK(defaults.optim.sgd.nesterov);
  CHECK_FALSE(defaults.optim.sgd.weight_decay_norm_and_bias);
  CHECK(defaults.optim.schedule.kind == wei::ScheduleKind::kMultistep);
  CHECK(defaults.optim.schedule.milestones == std::vector<int64_t>{4, 8});
  CHECK(defaults.optim.schedule.warmup == 2);
  CHECK(defaults.compute.precision == wei::Precision::kFp32);
  CHECK(defaults.eval.batch_size == 64);

  const SectionOptions set = load({"optim.lr=0.5", "optim.schedule=fixmatch_cosine", "precision=bf16",
                                   "channels_last=false", "eval.batch_size=7", "optim.warmup_epochs=0"});
  CHECK(set.optim.sgd.lr == 0.5);
  CHECK(set.optim.schedule.kind == wei::ScheduleKind::kFixmatchCosine);
  CHECK(set.compute.bf16());
  CHECK_FALSE(set.compute.channels_last);
  CHECK(set.eval.batch_size == 7);

  const wei::Schedule schedule = wei::make_schedule(set.optim.schedule, set.optim.sgd.lr, 100);
  CHECK(schedule.base == 0.5);
  CHECK(schedule.total == 100);
}

TEST_CASE("option sections: conditions, constraints and renamed keys", "[train][spec]") {
  // The milestones and their factor are read only by a multistep schedule.
  CHECK_THAT(refusal({"optim.schedule=cosine", "optim.lr_milestones=[3]"}),
             Catch::Contains("optim.lr_milestones: not read when optim.schedule is cosine"));
  CHECK(load({"optim.schedule=cosine", "optim.lr_milestones=[3]"}, wei::UnreadKeys::kWarn).optim.schedule.kind ==
        wei::ScheduleKind::kCosine);
  CHECK_THAT(refusal({"optim.nesterov=true", "optim.momentum=0"}),
             Catch::Contains("optim.nesterov needs optim.momentum > 0"));
  CHECK_THAT(refusal({"optim.lr_decay=0.1"}), Catch::Contains("optim.lr_decay: unknown key") &&
                                                 Catch::Contains("renamed to 'optim.lr_gamma'"));
  CHECK_THAT(refusal({"optim.momentum=1"}), Catch::Contains("optim.momentum"));
  CHECK_THAT(refusal({"precision=fp16"}), Catch::Contains("precision"));
}

TEST_CASE("make_sgd: one group, or weight decay on the weights only", "[train]") {
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)), torch::nn::BatchNorm2d(4),
                            torch::nn::Flatten(), torch::nn::Linear(4, 2));
  wei::SgdOptions all{0.1, 0.9, true, 5e-4, true};
  const auto one = wei::make_sgd(*net, all);
  REQUIRE(one->param_groups().size() == 1);
  CHECK(one->param_groups()[0].params().size() == net->parameters().size());

  wei::SgdOptions weights_only = all;
  weights_only.weight_decay_norm_and_bias = false;
  const auto two = wei::make_sgd(*net, weights_only);
  REQUIRE(two->param_groups().size() == 2);
  const auto& decayed = two->param_groups()[0];
  const auto& free = two->param_groups()[1];
  CHECK(decayed.params().size() == 2);  // the conv and linear weights
  for (const auto& p : decayed.params()) CHECK(p.dim() > 1);
  CHECK(free.params().size() == 4);  // the conv and linear biases, BatchNorm's weight and bias
  for (const auto& p : free.params()) CHECK(p.dim() == 1);
  const auto& decayed_options = static_cast<const torch::optim::SGDOptions&>(decayed.options());
  const auto& free_options = static_cast<const torch::optim::SGDOptions&>(free.options());
  CHECK(decayed_options.weight_decay() == 5e-4);
  CHECK(free_options.weight_decay() == 0);
  CHECK(free_options.nesterov());
  CHECK(free_options.momentum() == 0.9);
  CHECK(free_options.lr() == 0.1);
}
