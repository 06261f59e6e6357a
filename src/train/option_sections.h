#pragma once
// Option sections that several trainers share, each declared by a trainer in one line and bound
// to a field of its options struct, so the keys, their help, bounds and conditions are written once:
//
//   struct Options { struct Optim { int64_t epochs = 200; SgdOptions sgd{...}; ScheduleOptions schedule{...}; } optim;
//                    ComputeOptions compute; struct Eval { int64_t batch_size = 128; } eval; };
//   sgd_section(s, "optim", &O::optim, &O::Optim::sgd);
//   schedule_section(s, "optim", "epoch", &O::optim, &O::Optim::schedule);
//   compute_section(s, &O::compute);
//   eval_batch_size_field(s, &O::eval, &O::Eval::batch_size);
//
// The defaults are those of the trainer's own struct (each paper's recipe).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <memory>

#include <spdlog/logger.h>
#include <torch/nn/module.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "base/named_values.h"
#include "spec/option_schema.h"
#include "train/autocast_scope.h"
#include "train/schedule.h"

namespace wei {

// The learning-rate schedule keys of a section: <section>.schedule, .lr_milestones, .lr_gamma and
// .warmup_<unit>s. The schedule's base is the section's lr and its length the run's, given when
// the trainer builds it (make_schedule).
struct ScheduleOptions {
  ScheduleKind kind = ScheduleKind::kFixed;
  std::vector<int64_t> milestones;
  double gamma = 0.1;
  int64_t warmup = 0;
};

// "fixed", "multistep", "cosine", "fixmatch_cosine", "linear".
const NamedValues<ScheduleKind>& schedule_kind_names();

template <typename Options, typename... Members>
void schedule_section(OptionSchema<Options>& s, const std::string& section, const std::string& unit,
                      Members... members) {
  const std::string units = unit + "s";
  s.enum_choice(section + ".schedule", schedule_kind_names(),
                "learning-rate schedule over the " + units + ": fixed; multistep (lr * lr_gamma per milestone "
                "passed); cosine (lr * (1 + cos(pi u / U)) / 2); fixmatch_cosine (lr * cos(7 pi u / 16 U)); "
                "linear (to 0 at the end)",
                members..., &ScheduleOptions::kind);
  s.field(section + ".lr_milestones",
          units + " completed before each decay by lr_gamma (PyTorch MultiStepLR: milestone m decays from the "
                  "(m+1)-th " + unit + " on)",
          members..., &ScheduleOptions::milestones)
      .at_least(0)
      .when(section + ".schedule", {"multistep"});
  s.field(section + ".lr_gamma", "lr factor at each milestone", members..., &ScheduleOptions::gamma)
      .greater_than(0)
      .when(section + ".schedule", {"multistep"});
  s.field(section + ".warmup_" + units, "linear warm-up " + units + " (lr * (u + 1) / warmup), 0 for none",
          members..., &ScheduleOptions::warmup)
      .at_least(0);
}

// The schedule of `options` from base `lr` over a run of `total` units.
Schedule make_schedule(const ScheduleOptions& options, double lr, int64_t total);

// SGD with momentum: <section>.lr, .momentum, .nesterov, .weight_decay and
// .weight_decay_norm_and_bias (false: BatchNorm weights and biases, every parameter of one
// dimension, get no weight decay, as FixMatch's recipe).
struct SgdOptions {
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 5e-4;
  bool weight_decay_norm_and_bias = true;
};

template <typename Options, typename... Members>
void sgd_section(OptionSchema<Options>& s, const std::string& section, Members... members) {
  s.field(section + ".lr", "base learning rate", members..., &SgdOptions::lr).greater_than(0);
  s.field(section + ".momentum", "SGD momentum", members..., &SgdOptions::momentum).at_least(0).less_than(1);
  s.field(section + ".nesterov", "Nesterov momentum", members..., &SgdOptions::nesterov);
  s.field(section + ".weight_decay", "SGD weight decay (L2)", members..., &SgdOptions::weight_decay).at_least(0);
  s.field(section + ".weight_decay_norm_and_bias",
          "weight decay also on BatchNorm weights and biases (every parameter of one dimension); false: on "
          "weights only",
          members..., &SgdOptions::weight_decay_norm_and_bias);
  s.check({section + ".nesterov", section + ".momentum"}, section + ".nesterov needs " + section + ".momentum > 0",
          [members...](const Options& o) {
            const SgdOptions& sgd = member_of(o, members...);
            return !sgd.nesterov || sgd.momentum > 0;
          });
}

// The optimizer of `module`'s parameters: one parameter group, or, without weight decay on norms
// and biases, two (the weights first, then the one-dimensional parameters with no decay).
std::unique_ptr<torch::optim::SGD> make_sgd(torch::nn::Module& module, const SgdOptions& options);

// The arithmetic of the network: `precision` (fp32, or bf16 autocast of the network) and
// `channels_last` (NHWC activations and weights).
struct ComputeOptions {
  Precision precision = Precision::kFp32;
  bool channels_last = true;

  bool bf16() const { return precision == Precision::kBf16; }
};

template <typename Options, typename... Members>
void compute_section(OptionSchema<Options>& s, Members... members) {
  s.enum_choice("precision", precision_names(),
                "fp32, or bf16: autocast of the network's convolutions and matrix products to bfloat16 (loss, "
                "optimizer and weights in fp32); fast on CPUs with AVX-512 bf16 or AMX and on GPUs",
                members..., &ComputeOptions::precision);
  s.field("channels_last", "NHWC activations and weights (faster convolutions on CPU)", members...,
          &ComputeOptions::channels_last);
}

// Warns once when bf16 is asked for on a CPU without fast bf16 kernels (far slower than fp32).
void warn_if_slow_bf16(const ComputeOptions& options, const torch::Device& device, spdlog::logger& log);

// eval.batch_size, bound to `members`.
template <typename Options, typename... Members>
void eval_batch_size_field(OptionSchema<Options>& s, Members... members) {
  s.field("eval.batch_size", "evaluation batch size (no effect on results, only on speed and memory)", members...)
      .greater_than(0);
}

}  // namespace wei
