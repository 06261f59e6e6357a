#include "train/epoch_driver.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "base/seeding.h"
#include "train/learning_rate.h"

namespace {

// A linear classifier on fixed data, with the loop the driver replaces written out by hand.
struct Problem {
  Problem() : gen(wei::make_generator(0, "data")) {
    torch::manual_seed(0);
    model = torch::nn::Linear(5, 3);
    x = torch::randn({23, 5}, gen);
    y = torch::randint(3, {23}, gen, torch::kInt64);
  }
  at::Generator gen;
  torch::nn::Linear model{nullptr};
  torch::Tensor x, y;
};

}  // namespace

TEST_CASE("the driver runs the hand-written mini-batch loop exactly", "[train]") {
  Problem manual, driven;
  const auto order = torch::randperm(23, manual.gen, torch::kInt64);
  torch::optim::SGD manual_opt(manual.model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0, step = 0; start < 23; start += 5, ++step) {
    wei::set_lr(manual_opt, 0.1 / static_cast<double>(step + 1));
    const auto idx = order.narrow(0, start, std::min<int64_t>(5, 23 - start));
    const auto logits = manual.model->forward(manual.x.index_select(0, idx));
    const auto loss = torch::cross_entropy_loss(logits, manual.y.index_select(0, idx));
    loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
    correct += logits.argmax(1).eq(manual.y.index_select(0, idx)).sum().item<int64_t>();
    manual_opt.zero_grad();
    loss.backward();
    manual_opt.step();
  }

  torch::optim::SGD driven_opt(driven.model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  wei::DriverOptions options;
  options.lr_per_step = [](int64_t step) { return 0.1 / static_cast<double>(step + 1); };
  std::vector<int64_t> steps;
  const auto totals =
      wei::EpochDriver(driven_opt, wei::StopToken(), options)
          .run(wei::EpochPlan::batches(order, 5, 0, 0), [&](const wei::StepBatch& b) {
            steps.push_back(b.step);
            const auto logits = driven.model->forward(driven.x.index_select(0, b.indices));
            const auto target = driven.y.index_select(0, b.indices);
            return wei::StepLoss{torch::cross_entropy_loss(logits, target), static_cast<double>(b.indices.size(0)),
                                 logits.argmax(1).eq(target).sum(), b.indices.size(0)};
          });
  CHECK(steps == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(totals.steps == 5);
  CHECK(totals.weight_sum == 23);
  CHECK(totals.loss_sum == loss_sum);  // bit-identical
  CHECK(totals.mean_loss() == loss_sum / 23);
  CHECK(totals.correct == correct);
  CHECK(totals.predictions == 23);
  CHECK(totals.lr == 0.1 / 5);
  CHECK(torch::equal(manual.model->weight, driven.model->weight));
}

TEST_CASE("per-epoch learning rate, step ranges and the after-backward hook", "[train]") {
  Problem p;
  torch::optim::SGD opt(p.model->parameters(), torch::optim::SGDOptions(1.0));
  wei::DriverOptions options;
  options.lr_per_epoch = [](int64_t epoch) { return epoch == 3 ? 0.5 : 9.0; };
  int hooks = 0;
  options.after_backward = [&] {
    ++hooks;
    torch::nn::utils::clip_grad_norm_(p.model->parameters(), 1e-3);
  };
  const auto before = p.model->weight.clone();
  const auto totals = wei::EpochDriver(opt, wei::StopToken(), options)
                          .run(wei::EpochPlan::step_range(4, 3, 40), [&](const wei::StepBatch& b) {
                            CHECK_FALSE(b.indices.defined());
                            return wei::StepLoss{torch::cross_entropy_loss(p.model->forward(p.x), p.y)};
                          });
  CHECK(hooks == 4);
  CHECK(totals.lr == 0.5);
  CHECK(totals.weight_sum == 4);
  CHECK(totals.predictions == 0);
  CHECK(totals.accuracy() == 0.0);
  // Four steps of lr 0.5 on gradients clipped to norm 1e-3 move the weights by at most 2e-3.
  CHECK((p.model->weight - before).norm().item<double>() <= 2e-3 + 1e-9);
}

TEST_CASE("a non-finite loss stops the epoch before its update, naming the global step", "[train]") {
  Problem p;
  torch::optim::SGD opt(p.model->parameters(), torch::optim::SGDOptions(0.1));
  const auto before = p.model->weight.clone();
  wei::DriverOptions options;
  options.loss_name = "test";
  try {
    wei::EpochDriver(opt, wei::StopToken(), options)
        .run(wei::EpochPlan::step_range(5, 2, 10), [&](const wei::StepBatch& b) {
          const auto loss = torch::cross_entropy_loss(p.model->forward(p.x), p.y);
          return wei::StepLoss{b.index == 1 ? loss * std::numeric_limits<float>::infinity() : loss};
        });
    FAIL("expected DivergedError");
  } catch (const wei::DivergedError& e) {
    CHECK(e.step() == 11);
    CHECK(std::string(e.what()) == "non-finite test loss in epoch 3 at step 2 of 5");
  }
  // Step 0 updated the weights; step 1 did not.
  CHECK_FALSE(torch::equal(before, p.model->weight));
}

TEST_CASE("with sparse finiteness checks a divergence is still caught by the end of the epoch", "[train]") {
  Problem p;
  torch::optim::SGD opt(p.model->parameters(), torch::optim::SGDOptions(0.1));
  wei::DriverOptions options;
  options.finite_check_every = 100;
  int steps = 0;
  CHECK_THROWS_AS(wei::EpochDriver(opt, wei::StopToken(), options)
                      .run(wei::EpochPlan::step_range(3, 0, 0),
                           [&](const wei::StepBatch& b) {
                             ++steps;
                             const auto loss = torch::cross_entropy_loss(p.model->forward(p.x), p.y);
                             return wei::StepLoss{b.index == 0 ? loss * std::nan("") : loss};
                           }),
                  wei::DivergedError);
  CHECK(steps == 3);
}

TEST_CASE("a stop request is honoured before the next step", "[train]") {
  Problem p;
  torch::optim::SGD opt(p.model->parameters(), torch::optim::SGDOptions(0.1));
  int steps = 0;
  const wei::StopToken stop([&steps] { return steps == 2; });
  CHECK_THROWS_AS(wei::EpochDriver(opt, stop).run(wei::EpochPlan::step_range(5, 0, 0),
                                                  [&](const wei::StepBatch&) {
                                                    ++steps;
                                                    return wei::StepLoss{
                                                        torch::cross_entropy_loss(p.model->forward(p.x), p.y)};
                                                  }),
                  wei::InterruptedError);
  CHECK(steps == 2);
}

TEST_CASE("hooks: on_epoch_start once before the first step, after_step after every update", "[train]") {
  Problem p;
  torch::optim::SGD opt(p.model->parameters(), torch::optim::SGDOptions(0.1));
  std::vector<std::string> calls;
  wei::DriverOptions options;
  options.on_epoch_start = [&](int64_t epoch) { calls.push_back("start " + std::to_string(epoch)); };
  options.after_step = [&](const wei::StepBatch& b) {
    // The update of this step is already applied: the gradient that produced it is still there.
    calls.push_back("after " + std::to_string(b.step));
  };
  wei::EpochDriver(opt, wei::StopToken(), options)
      .run(wei::EpochPlan::step_range(3, 4, 12), [&](const wei::StepBatch& b) {
        calls.push_back("step " + std::to_string(b.step));
        return wei::StepLoss{torch::cross_entropy_loss(p.model->forward(p.x), p.y)};
      });
  CHECK(calls == std::vector<std::string>{"start 4", "step 12", "after 12", "step 13", "after 13", "step 14",
                                          "after 14"});
}
