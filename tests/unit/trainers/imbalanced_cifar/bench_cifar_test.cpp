// Benchmarks, hidden from normal test runs (tag [.]); scripts/bench_imbalanced_cifar.sh runs them.
// They print figures and assert nothing. Environment: WEI_BENCH_BATCH (128), WEI_BENCH_STEPS (10),
// WEI_BENCH_THREADS (torch's current setting), WEI_BENCH_VARIANT (fp32_nchw, fp32_cl or bf16_cl; all
// three when unset) for forward+backward, WEI_BENCH_PRECISION (fp32) for the trainer epoch.
// Time each forward+backward variant in a process of its own: in one process, the channels-last fp32
// variant ran about 25% slower after the NCHW one than alone (0.20 against 0.16 s a batch).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include <torch/optim/sgd.h>

#include "base/seeding.h"
#include "base/stopwatch.h"
#include "models/module_parameters.h"
#include "models/resnet_cifar.h"
#include "train/autocast_scope.h"
#include "data/cifar_batches.h"
#include "train/fit.h"
#include "trainers/imbalanced_cifar/losses.h"
#include "unit/data/cifar_test_data.h"
#include "unit/trainers/imbalanced_cifar/trainer_fixture.h"

using namespace wei::imbalanced_cifar;

namespace {

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : fallback;
}

void set_threads() { torch::set_num_threads(static_cast<int>(env_int("WEI_BENCH_THREADS", torch::get_num_threads()))); }

}  // namespace

TEST_CASE("bench: ResNet-32 forward+backward on synthetic tensors", "[.][imbalanced_cifar_bench]") {
  set_threads();
  const int64_t batch = env_int("WEI_BENCH_BATCH", 128), steps = env_int("WEI_BENCH_STEPS", 10);
  std::cout << "fwd+bwd ResNet-32 (cosine head, LDAM loss), batch " << batch << ", threads "
            << torch::get_num_threads() << ", device cpu, " << steps << " timed steps\n";
  struct Variant {
    const char* key;
    const char* name;
    bool channels_last, bf16;
  };
  const char* only = std::getenv("WEI_BENCH_VARIANT");
  for (const Variant& v : {Variant{"fp32_nchw", "fp32 NCHW", false, false},
                           Variant{"fp32_cl", "fp32 channels-last", true, false},
                           Variant{"bf16_cl", "bf16 channels-last", true, true}}) {
    if (only && std::string(only) != v.key) continue;
    torch::manual_seed(0);
    wei::models::ResNetCifar model(wei::models::ResNetCifarOptions{10, 5, true});
    if (v.channels_last) wei::models::to_channels_last(*model);
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(2e-4));
    auto x = torch::randn({batch, 3, 32, 32});
    if (v.channels_last) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    auto y = torch::randint(0, 10, {batch}, torch::kInt64);
    LossConfig loss;
    loss.type = LossType::kLdam;
    loss.margins = torch::full({10}, 0.3);
    double fwd_bwd = 0, total = 0;
    for (int64_t step = -2; step < steps; ++step) {  // two untimed warm-up steps
      const wei::Stopwatch step_timer;
      torch::Tensor features;
      {
        wei::AutocastScope autocast(v.bf16, torch::kCPU);
        features = model->features(x);
      }
      auto l = imbalance_loss(loss, model->classify(features.to(torch::kFloat)), y, {});
      sgd.zero_grad();
      l.backward();
      const double t_fb = step_timer.seconds();
      sgd.step();
      if (step >= 0) {
        fwd_bwd += t_fb;
        total += step_timer.seconds();
      }
    }
    std::cout << "  " << v.name << ": fwd+bwd " << fwd_bwd / steps << " s/batch ("
              << batch * steps / fwd_bwd << " img/s); with SGD step " << total / steps << " s/batch ("
              << batch * steps / total << " img/s)\n";
  }
}

TEST_CASE("bench: augmented batch building", "[.][imbalanced_cifar_bench]") {
  set_threads();
  const int64_t batch = env_int("WEI_BENCH_BATCH", 128);
  auto gen = wei::make_generator(0, "bench");
  auto images = torch::randint(0, 256, {12406, 3, 32, 32}, gen, torch::kInt64).to(torch::kUInt8);
  wei::data::AugmentedImages source(images, wei::data::Augmentation{}, wei::data::Normalization{}, torch::kCPU);
  auto order = torch::randperm(12406, gen, torch::kInt64);
  const wei::Stopwatch timer;
  int64_t built = 0;
  for (int64_t b = 0; b * batch < 12406; ++b) {
    auto x = source.batch(order.narrow(0, b * batch, std::min(batch, 12406 - b * batch)), gen, true);
    built += x.size(0);
  }
  const double t = timer.seconds();
  std::cout << "crop+flip+normalise batches of " << batch << ", threads " << torch::get_num_threads()
            << ", device cpu: one CIFAR-10-LT-100 epoch (" << built << " images) in " << t << " s ("
            << built / t << " img/s)\n";
}

TEST_CASE("bench: one LDAM-DRW trainer epoch of CIFAR-10-LT-100", "[.][imbalanced_cifar_bench]") {
  set_threads();
  std::string why;
  auto root = wei::testing::real_cifar10_root(why);
  const char* precision = std::getenv("WEI_BENCH_PRECISION");
  wei::imbalanced_cifar::testing::TrainerFixture fixture(
      {{"data.root", root ? *root : std::string()},
       {"optim.epochs", int64_t{1}},
       {"optim.batch_size", env_int("WEI_BENCH_BATCH", 128)},
       {"precision", std::string(precision ? precision : "fp32")}});
  auto trainer = fixture.trainer();
  trainer->prepare();
  wei::FitRecord record;
  wei::fit(*trainer, record, fixture.meter());
  const auto& row = record.history.at(0);
  const auto& timing = record.epoch_timing.at(0);
  std::cout << "trainer epoch (" << (root ? "real CIFAR-10-LT-100" : "synthetic stand-in") << ", "
            << (precision ? precision : "fp32") << ", batch " << env_int("WEI_BENCH_BATCH", 128) << ", threads "
            << torch::get_num_threads() << ", cpu): train " << timing["train_seconds"].get<double>() << " s (batch building "
            << timing["data_seconds"].get<double>() << " s), eval " << timing["eval_seconds"].get<double>() << " s on "
            << trainer->data_info()["test_size"] << " images, " << timing["train_images_per_second"].get<double>()
            << " train img/s, test error " << row["test_error"].get<double>() << "%\n";
}
