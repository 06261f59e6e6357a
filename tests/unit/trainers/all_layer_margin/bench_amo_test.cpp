// A benchmark, hidden from normal test runs (tag [.]); scripts/bench_all_layer_margin.sh runs it. It
// prints figures and asserts nothing: the model's compute alone (synthetic tensors, no data
// pipeline) for one optimizer step of plain SGD and of AMO, the denominator of the trainer's
// throughput. Environment: WEI_BENCH_DEPTH (16), WEI_BENCH_WIDEN (2), WEI_BENCH_BATCH (128),
// WEI_BENCH_STEPS (10), WEI_BENCH_METHOD (sgd or amo; both when unset), WEI_BENCH_CHANNELS_LAST (1).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include <torch/nn/functional.h>
#include <torch/optim/sgd.h>

#include "base/stopwatch.h"
#include "trainers/all_layer_margin/amo_step.h"

namespace {

int64_t amo_bench_env(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : fallback;
}

}  // namespace

TEST_CASE("bench: WideResNet SGD and AMO steps on synthetic tensors", "[.][all_layer_margin_bench]") {
  const int64_t depth = amo_bench_env("WEI_BENCH_DEPTH", 16), widen = amo_bench_env("WEI_BENCH_WIDEN", 2);
  const int64_t batch = amo_bench_env("WEI_BENCH_BATCH", 128), steps = amo_bench_env("WEI_BENCH_STEPS", 10);
  const bool channels_last = amo_bench_env("WEI_BENCH_CHANNELS_LAST", 1) != 0;
  const char* only = std::getenv("WEI_BENCH_METHOD");
  for (const std::string method : {"sgd", "amo"}) {
    if (only && method != only) continue;
    torch::manual_seed(0);
    wei::models::WideResNet model(wei::models::WideResNetOptions{depth, widen, 10});
    if (channels_last) {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters()) {
        if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
      }
    }
    model->train();
    torch::optim::SGD sgd(model->parameters(),
                          torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(5e-4));
    auto x = torch::randn({batch, 3, 32, 32});
    if (channels_last) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const auto y = torch::randint(0, 10, {batch}, torch::kInt64);
    // The step in two parts: the loss (SGD: one forward; AMO: the inner forward, the deltas'
    // gradient and the perturbed forward) and the weights' backward with the optimizer step.
    double total = 0, loss_part = 0;
    for (int64_t step = -2; step < steps; ++step) {  // two untimed warm-up steps
      const wei::Stopwatch step_timer;
      const torch::Tensor loss = method == "amo" ? wei::all_layer_margin::amo_loss(model, x, y, {}).loss
                                                 : torch::nn::functional::cross_entropy(model->forward(x), y);
      const double loss_seconds = step_timer.seconds();
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      loss.item<float>();
      if (step >= 0) {
        total += step_timer.seconds();
        loss_part += loss_seconds;
      }
    }
    const double per_step = total / static_cast<double>(steps);
    std::cout << "model compute " << method << " WRN-" << depth << "-" << widen << " batch " << batch << " threads "
              << torch::get_num_threads() << " " << (channels_last ? "channels-last" : "NCHW") << ": " << per_step
              << " s/step, " << static_cast<double>(batch * steps) / total << " img/s (loss "
              << loss_part / static_cast<double>(steps) << " s, backward and step "
              << per_step - loss_part / static_cast<double>(steps) << " s)\n";
  }
}
