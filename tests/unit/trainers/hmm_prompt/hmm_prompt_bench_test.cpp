// Benchmark cases for scripts/bench_hmm.sh, hidden from normal test runs (tag [.hmm_prompt_bench]);
// they print figures and assert nothing about time.
//   "hmm forward-backward throughput": per H in WEI_BENCH_HMM_STATES (default "4 10 30"),
//     forward-backward on 4 x 10,240-token sequences; writes WEI_BENCH_HMM_DIR/h<H>.txt (parameters
//     and tokens) so the numpy/scipy reference (tools/bench/hmm_fb_reference.py) times the same
//     sequences and checks the log-likelihoods; prints "fb H tokens cpu-seconds tok/cpu-s loglik".
//   "hmm pretraining throughput": WEI_BENCH_HMM_STEPS (default 20) MLM steps of the trainer's
//     default model and batch (its schema defaults); prints "pretrain ... tokens_per_s=..." for
//     wall time and for process CPU time (the latter is what a shared machine cannot distort).
#include <catch2/catch.hpp>

#include <ctime>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <torch/nn/functional.h>
#include <torch/optim/adamw.h>

#include "base/seeding.h"
#include "base/stopwatch.h"
#include "models/transformer_mlm.h"
#include "trainers/hmm_prompt/forward_backward.h"
#include "trainers/hmm_prompt/hmm_prompt_options.h"
#include "trainers/hmm_prompt/hmm.h"
#include "trainers/hmm_prompt/pretraining.h"

namespace {

constexpr int64_t kSequences = 4;
constexpr int64_t kLength = 10240;

// Process CPU time: what another job on a shared machine cannot inflate.
double cpu_seconds_since(std::clock_t start) {
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

void write_case(const std::string& path, const wei::hmm_prompt::Hmm& hmm, const wei::hmm_prompt::Samples& s) {
  std::ofstream out(path);
  out.precision(17);
  out << hmm.num_states << ' ' << hmm.vocab << ' ' << s.count << ' ' << s.length << '\n';
  for (double v : hmm.start) out << v << ' ';
  out << '\n';
  for (double v : hmm.trans) out << v << ' ';
  out << '\n';
  for (double v : hmm.emit) out << v << ' ';
  out << '\n';
  for (int64_t v : s.tokens) out << v << ' ';
  out << '\n';
}

void bench_fb(const std::string& dir, const std::vector<int64_t>& states) {
  for (int64_t h : states) {
    auto rng = wei::make_std_rng(0, "bench-hmm-" + std::to_string(h));
    const auto hmm = wei::hmm_prompt::make_vanilla_hmm(h, 10, wei::hmm_prompt::HmmTemperatures{}, rng);
    const auto samples = wei::hmm_prompt::sample(hmm, kSequences, kLength, rng);
    write_case(dir + "/h" + std::to_string(h) + ".txt", hmm, samples);
    double loglik = 0.0;
    int64_t tokens = 0;
    const std::clock_t start = std::clock();
    // Repeat the same sequences until the timing is long enough to be meaningful.
    do {
      loglik = 0.0;
      for (int64_t n = 0; n < kSequences; ++n)
        loglik += wei::hmm_prompt::forward_backward(hmm, &samples.tokens[n * kLength], kLength).log_likelihood;
      tokens += kSequences * kLength;
    } while (cpu_seconds_since(start) < 0.5);
    const double secs = cpu_seconds_since(start);
    std::printf("fb %lld %lld %.6f %.1f %.10f\n", static_cast<long long>(h), static_cast<long long>(tokens), secs,
                static_cast<double>(tokens) / secs, loglik);
  }
}

void bench_pretrain(int64_t steps) {
  auto rng = wei::make_std_rng(0, "bench-hmm-pretrain");
  const auto hmm = wei::hmm_prompt::make_vanilla_hmm(10, 10, wei::hmm_prompt::HmmTemperatures{}, rng);
  // The trainer's default model and batch.
  const wei::hmm_prompt::Options defaults;
  wei::models::TransformerMlmOptions options;
  options.width = defaults.model.width;
  options.heads = defaults.model.heads;
  options.layers = defaults.model.layers;
  options.ff_width = defaults.model.ff_width;
  options.max_length = defaults.pretrain.block_length;
  const auto blocks = wei::hmm_prompt::make_blocks(wei::hmm_prompt::sample(hmm, 200, 1280, rng), options.max_length);
  torch::manual_seed(0);
  wei::models::TransformerMlm model(options);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  auto gen = wei::make_generator(0, "bench-hmm-batches");
  const int64_t batch = defaults.pretrain.batch_size;
  auto step = [&] {
    const auto index = torch::randint(blocks.size(0), {batch}, gen, torch::TensorOptions().dtype(torch::kInt64));
    const auto masked = wei::hmm_prompt::mask_tokens(blocks.index_select(0, index), 0.15, 10, 10, gen);
    const auto logits = model->forward(masked.inputs).view({-1, 10});
    const auto loss = torch::nn::functional::cross_entropy(
        logits, masked.targets.view(-1),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(wei::hmm_prompt::kIgnoreIndex));
    opt.zero_grad();
    loss.backward();
    opt.step();
  };
  step();  // warm-up
  const wei::Stopwatch timer;
  const std::clock_t cpu_start = std::clock();
  for (int64_t i = 0; i < steps; ++i) step();
  const double secs = timer.seconds();
  const double cpu_secs = cpu_seconds_since(cpu_start);
  const double tokens = static_cast<double>(steps * batch * blocks.size(1));
  std::printf("pretrain threads=%d batch=%lld block=%lld steps=%lld seconds=%.3f tokens_per_s=%.1f cpu_seconds=%.3f tokens_per_cpu_s=%.1f\n",
              torch::get_num_threads(), static_cast<long long>(batch), static_cast<long long>(blocks.size(1)),
              static_cast<long long>(steps), secs, tokens / secs, cpu_secs, tokens / cpu_secs);
}


std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

}  // namespace

TEST_CASE("hmm forward-backward throughput", "[.hmm_prompt_bench]") {
  std::vector<int64_t> states;
  std::istringstream list(env_or("WEI_BENCH_HMM_STATES", "4 10 30"));
  for (int64_t h; list >> h;) states.push_back(h);
  bench_fb(env_or("WEI_BENCH_HMM_DIR", "."), states);
  SUCCEED("figures printed");
}

TEST_CASE("hmm pretraining throughput", "[.hmm_prompt_bench]") {
  bench_pretrain(std::stoll(env_or("WEI_BENCH_HMM_STEPS", "20")));
  SUCCEED("figures printed");
}
