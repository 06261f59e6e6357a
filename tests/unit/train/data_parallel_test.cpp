#include "train/data_parallel.h"

#include <catch2/catch.hpp>

#include <exception>
#include <functional>
#include <thread>

#include "base/seeding.h"
#include "run/local_launcher.h"
#include "train/epoch_driver.h"

namespace {

// Runs `body(rank, group)` for every rank of a Gloo world of `world_size` on 127.0.0.1, one thread
// per rank, each with its group installed as current_data_parallel(). Catch2's assertions are not
// thread-safe: bodies record what they saw, the test asserts after. Rethrows a rank's exception.
bool dp_run_ranks(int world_size, const std::function<void(int, wei::DataParallel&)>& body) {
  if (wei::collective_backend_for(torch::Device(torch::kCPU)).empty()) {
    WARN("skipped: this build has no Gloo backend (libgloo-dev missing when it was configured)");
    return false;
  }
  const int port = wei::free_local_port();
  std::vector<std::exception_ptr> errors(static_cast<size_t>(world_size));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world_size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        wei::WorldInfo world;
        world.rank = rank;
        world.world_size = world_size;
        world.local_rank = rank;
        world.local_world_size = world_size;
        world.master_port = port;
        wei::DataParallel group(wei::connect_collectives(world, torch::Device(torch::kCPU), std::chrono::seconds(30)),
                                rank, world_size);
        const wei::ScopedDataParallel installed(&group);
        body(rank, group);
      } catch (...) {
        errors[static_cast<size_t>(rank)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return true;
}

// A linear classifier on fixed data (no BatchNorm, no dropout): data-parallel steps must give the
// one-process result.
struct DpProblem {
  DpProblem() : gen(wei::make_generator(0, "data")) {
    torch::manual_seed(0);
    model = torch::nn::Linear(5, 3);
    x = torch::randn({23, 5}, gen);
    y = torch::randint(3, {23}, gen, torch::kInt64);
  }
  wei::EpochTotals train(int64_t batch_size, int epochs) {
    torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    wei::EpochTotals totals;
    auto order_gen = wei::make_generator(0, "order");
    for (int e = 0; e < epochs; ++e) {
      const auto order = torch::randperm(23, order_gen, torch::kInt64);
      totals = wei::EpochDriver(opt, wei::StopToken())
                   .run(wei::EpochPlan::batches(order, batch_size, e, 0), [&](const wei::StepBatch& b) {
                     const auto logits = model->forward(x.index_select(0, b.indices));
                     const auto y_b = y.index_select(0, b.indices);
                     return wei::StepLoss{torch::cross_entropy_loss(logits, y_b), static_cast<double>(b.indices.size(0)),
                                          logits.argmax(1).eq(y_b).sum(), b.indices.size(0)};
                   });
    }
    return totals;
  }
  at::Generator gen;
  torch::nn::Linear model{nullptr};
  torch::Tensor x, y;
};

}  // namespace

TEST_CASE("shards of a global batch are contiguous, disjoint, balanced and cover it", "[data_parallel]") {
  for (int world = 1; world <= 4; ++world) {
    for (int64_t rows = 0; rows <= 11; ++rows) {
      int64_t next = 0;
      for (int rank = 0; rank < world; ++rank) {
        const wei::DataParallel group(nullptr, rank, world);
        const auto r = group.shard_range(rows);
        CHECK(r.start == next);
        CHECK(r.length >= rows / world);
        CHECK(r.length <= rows / world + 1);
        next += r.length;
      }
      CHECK(next == rows);
    }
  }
  const wei::DataParallel second(nullptr, 1, 2);
  CHECK(torch::equal(second.shard(torch::arange(5)), torch::tensor({3, 4}, torch::kInt64)));
}

TEST_CASE("gradients are combined weighted by each rank's share", "[data_parallel]") {
  std::vector<std::vector<float>> grads(2);
  std::vector<int> defined(2);  // not vector<bool>: its elements share words across threads
  std::vector<double> losses(2), weights(2);
  const bool ran = dp_run_ranks(2, [&](int rank, wei::DataParallel& group) {
    auto a = torch::zeros({2}, torch::requires_grad());
    auto b = torch::zeros({1}, torch::requires_grad());
    // Rank 0: weight 3, grad(a) = 1, no grad for b. Rank 1: weight 1, grad(a) = 5, grad(b) = 8.
    a.mutable_grad() = torch::full({2}, rank == 0 ? 1.0f : 5.0f);
    if (rank == 1) b.mutable_grad() = torch::full({1}, 8.0f);
    const double weight = rank == 0 ? 3.0 : 1.0;
    const double loss = rank == 0 ? 2.0 : 6.0;
    const auto sums = group.sync_gradients({a, b}, weight, loss, loss * weight, weight);
    const auto ga = a.grad();
    grads[rank] = {ga[0].item<float>(), ga[1].item<float>(), b.grad().defined() ? b.grad()[0].item<float>() : -1.0f};
    defined[rank] = b.grad().defined();
    losses[rank] = sums.loss;
    weights[rank] = sums.weight;
  });
  if (!ran) return;
  for (int rank = 0; rank < 2; ++rank) {
    CHECK(grads[rank][0] == Approx(2.0));  // (3 * 1 + 1 * 5) / 4
    CHECK(grads[rank][1] == Approx(2.0));
    CHECK(defined[rank]);                  // a gradient on any rank defines it on all
    CHECK(grads[rank][2] == Approx(2.0));  // (3 * 0 + 1 * 8) / 4
    CHECK(losses[rank] == Approx(3.0));    // (3 * 2 + 1 * 6) / 4
    CHECK(weights[rank] == 4.0);
  }
}

TEST_CASE("a stop asked on one rank is agreed by all, and broadcasts come from rank 0", "[data_parallel]") {
  std::vector<int> agreed(3, -1);
  std::vector<std::string> texts(3);
  std::vector<float> values(3);
  const bool ran = dp_run_ranks(3, [&](int rank, wei::DataParallel& group) {
    const bool before = group.agree_stop(false);
    agreed[rank] = group.agree_stop(rank == 2) && !before && group.stop_agreed();
    texts[rank] = group.broadcast_text(rank == 0 ? "from rank 0" : "");
    auto t = torch::full({4}, static_cast<float>(rank + 1));
    group.broadcast({t});
    values[rank] = t.sum().item<float>();
  });
  if (!ran) return;
  for (int rank = 0; rank < 3; ++rank) {
    CHECK(agreed[rank] == 1);
    CHECK(texts[rank] == "from rank 0");
    CHECK(values[rank] == 4.0f);
  }
}

TEST_CASE("two ranks on the epoch driver follow the one-process run of the same global batch", "[data_parallel]") {
  // 23 rows: batches of 5 end with 3 rows (2 + 1 on the ranks), batches of 11 with 1 (rank 1 idle).
  for (const int64_t batch_size : {5, 11}) {
    INFO("batch size " << batch_size);
    DpProblem single;
    const wei::EpochTotals expected = single.train(batch_size, /*epochs=*/3);
    // Built here, one after the other: torch's default generator is not for concurrent use.
    std::vector<DpProblem> problems(2);
    std::vector<wei::EpochTotals> totals(2);
    const bool ran = dp_run_ranks(2, [&](int rank, wei::DataParallel&) { totals[rank] = problems[rank].train(batch_size, 3); });
    if (!ran) return;
    for (int rank = 0; rank < 2; ++rank) {
      INFO("rank " << rank);
      CHECK(torch::allclose(problems[rank].model->weight, single.model->weight, 1e-6, 1e-6));
      CHECK(totals[rank].mean_loss() == Approx(expected.mean_loss()).epsilon(1e-6));
      CHECK(totals[rank].weight_sum == expected.weight_sum);
      CHECK(totals[rank].correct == expected.correct);
      CHECK(totals[rank].predictions == expected.predictions);
      CHECK(totals[rank].steps == expected.steps);
    }
  }
}
