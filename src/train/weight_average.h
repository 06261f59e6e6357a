#pragma once
// An exponential moving average of a module's parameters and buffers, the evaluation model of
// FixMatch and Mean Teacher: after each optimizer step (the step driver's `after_step` hook),
//   average <- decay * average + (1 - decay) * current
// for every floating-point parameter and buffer; integer buffers (BatchNorm's batch counter) are
// copied. It starts as a copy of the module. `Swap` puts the average into the module for an
// evaluation and the trained weights back afterwards (also when left by an exception).
//
//   WeightAverage ema(*model, 0.999);
//   options.after_step = [&](const StepBatch&) { ema.update(); };
//   { const WeightAverage::Swap use(ema); evaluate(); }
//
// Register `tensors()` in the checkpoint so a resumed run continues the same average.
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "train/checkpoint_bundle.h"

namespace wei {

class WeightAverage {
 public:
  WeightAverage(torch::nn::Module& module, double decay);

  void update();
  // Starts the average over as a copy of the module's current parameters and buffers (a module
  // re-initialised in place, as a student trained after its teacher in the same run).
  void restart();
  double decay() const { return decay_; }
  // The averages, in the order of the module's parameters then buffers.
  const std::vector<torch::Tensor>& averages() const { return averages_; }
  // Registers the averages under `key`.N in a checkpoint bundle.
  void register_state(CheckpointBundle& bundle, const std::string& key);

  class Swap {
   public:
    explicit Swap(WeightAverage& average);
    ~Swap();
    Swap(const Swap&) = delete;
    Swap& operator=(const Swap&) = delete;

   private:
    WeightAverage& average_;
  };

 private:
  void exchange();  // module tensors <-> averages, in place

  std::vector<torch::Tensor> live_;  // the module's parameters and buffers
  std::vector<torch::Tensor> averages_;
  double decay_;
};

}  // namespace wei
