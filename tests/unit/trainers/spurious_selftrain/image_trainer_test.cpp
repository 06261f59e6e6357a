#include <catch2/catch.hpp>

#include "base/errors.h"
#include "base/seeding.h"
#include "models/module_parameters.h"
#include "trainers/spurious_selftrain/colored_mnist.h"
#include "trainers/spurious_selftrain/networks.h"
#include "unit/trainers/spurious_selftrain/run_context_fixture.h"

using namespace wei::spurious_selftrain;
using wei::spurious_selftrain::testing::ContextFixture;

TEST_CASE("colored MNIST colours: tied to the label in the source, uniform in the target", "[spurious_selftrain]") {
  at::Generator gen = wei::make_generator(3, "c");
  const torch::Tensor labels = torch::arange(20000, torch::kInt64).remainder(10);
  const torch::Tensor tied = draw_colours(labels, 1.0, gen);
  CHECK(torch::floor(tied * 10).to(torch::kInt64).eq(labels).all().item<bool>());
  const torch::Tensor mixed = draw_colours(labels, 0.95, gen);
  // Tied w.p. 0.95, and a uniform colour lands in the label's bin w.p. 0.1: 0.95 + 0.05 * 0.1.
  CHECK(torch::floor(mixed * 10).to(torch::kInt64).eq(labels).to(torch::kDouble).mean().item<double>() ==
        Approx(0.955).margin(0.01));
  const torch::Tensor uniform = draw_colours(labels, 0.0, gen);
  CHECK(torch::floor(uniform * 10).to(torch::kInt64).eq(labels).to(torch::kDouble).mean().item<double>() ==
        Approx(0.1).margin(0.01));
}

TEST_CASE("colorize splits each pixel into x*c and x*(1-c)", "[spurious_selftrain]") {
  torch::Tensor images = torch::zeros({1, 28, 28}, torch::kUInt8);
  images[0][0][0] = 255;
  images[0][27][27] = 51;  // 0.2
  const torch::Tensor x = colorize(images, torch::tensor({0.25f}));
  REQUIRE(x.sizes() == torch::IntArrayRef({1, 1568}));
  CHECK(x[0][0].item<float>() == Approx(0.25f));
  CHECK(x[0][784].item<float>() == Approx(0.75f));
  CHECK(x[0][783].item<float>() == Approx(0.05f));
  CHECK(x[0][1567].item<float>() == Approx(0.15f));
  CHECK(x.sum().item<float>() == Approx(1.2f));
}

TEST_CASE("paper models have the paper's shapes", "[spurious_selftrain]") {
  auto mlp = make_mlp(1568, {128, 64}, 10);
  CHECK(wei::models::parameter_count(*mlp) == 1568 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  auto cnn = make_small_cnn(8, 2);
  CHECK(cnn->forward(torch::zeros({2, 3, 32, 32})).sizes() == torch::IntArrayRef({2, 2}));
  at::Generator a = wei::make_generator(1, "init"), b = wei::make_generator(1, "init");
  auto m1 = make_mlp(10, {4}, 2), m2 = make_mlp(10, {4}, 2);
  reinitialise(*m1, a);
  reinitialise(*m2, b);
  CHECK(torch::equal(m1->parameters()[0], m2->parameters()[0]));
  CHECK(m1->parameters()[0].abs().max().item<double>() <= 1 / std::sqrt(10.0));
}

TEST_CASE("colored MNIST on the synthetic stand-in: source relies on colour, adaptation runs",
          "[spurious_selftrain]") {
  for (const std::string method : {"entropy", "pseudo_label"}) {
    std::map<std::string, wei::ParamValue> overrides = {{"data.kind", std::string("colored_mnist")},
                                                        {"adapt.method", method},
                                                        {"colored_mnist.correlation", 1.0},
                                                        {"colored_mnist.synthetic_train_size", int64_t{900}},
                                                        {"colored_mnist.synthetic_test_size", int64_t{200}},
                                                        {"colored_mnist.source_epochs", int64_t{4}},
                                                        {"colored_mnist.batch_size", int64_t{10}}};
    if (method == "entropy") {
      overrides["colored_mnist.adapt_steps"] = int64_t{4};
      overrides["colored_mnist.log_every"] = int64_t{2};
    } else {
      overrides["colored_mnist.pl_rounds"] = int64_t{2};
    }
    const ContextFixture fx(overrides);
    auto trainer = fx.trainer();
    const auto [last, final] = wei::spurious_selftrain::testing::run_all(*trainer);
    CHECK(trainer->data_info()["source"] == "synthetic");
    CHECK(trainer->data_info()["source_train_size"] == 300);
    CHECK(trainer->data_info()["target_train_size"] == 450);
    CHECK(trainer->num_epochs() == 6);
    CHECK(last["phase"] == (method == "entropy" ? "entropy" : "pseudo_label"));
    // With correlation 1 the colour alone separates the source classes; the short source phase
    // learns colour, not shape, so the uniformly coloured target stays near chance.
    CHECK(final["source_acc"].get<double>() > 0.8);
    CHECK(final["target_acc_before"].get<double>() < 0.3);
    CHECK(final["target_acc_after"].get<double>() >= 0.0);
    CHECK(final["target_acc_after"].get<double>() <= 1.0);
  }
}

TEST_CASE("celeba without data.root is refused when the spec is loaded", "[spurious_selftrain]") {
  try {
    const ContextFixture fx({{"data.kind", std::string("celeba")}});
    FAIL("expected a SpecError");
  } catch (const wei::SpecError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK_THAT(e.diagnostics()[0], Catch::Contains("data.root: must satisfy data.root is set when data.kind is celeba"));
  }
}

TEST_CASE("each data.kind reads only its own section", "[spurious_selftrain]") {
  const auto refused = [](const std::map<std::string, wei::ParamValue>& overrides) {
    try {
      const ContextFixture fx(overrides);
    } catch (const wei::SpecError& e) {
      return e.diagnostics();
    }
    return std::vector<std::string>{};
  };
  CHECK(refused({{"colored_mnist.lr", 0.1}}) ==
        std::vector<std::string>{"override 'colored_mnist.lr=0.1': colored_mnist.lr: not read when data.kind is "
                                 "gaussian (read when data.kind is colored_mnist)"});
  CHECK(refused({{"data.root", std::string("/data")}}).size() == 1);
  CHECK(refused({{"data.kind", std::string("colored_mnist")}, {"celeba.width", int64_t{8}}}).size() == 1);
  CHECK(refused({{"data.kind", std::string("colored_mnist")}, {"gaussian.lr", 0.1}}).size() == 1);
  CHECK(refused({{"data.kind", std::string("colored_mnist")}, {"colored_mnist.pl_rounds", int64_t{2}}}) ==
        std::vector<std::string>{"override 'colored_mnist.pl_rounds=2': colored_mnist.pl_rounds: not read when "
                                 "adapt.method is entropy (read when data.kind is colored_mnist, adapt.method is "
                                 "pseudo_label)"});
  const ContextFixture mnist({{"data.kind", std::string("colored_mnist")}});
  CHECK(mnist.spec().has("colored_mnist.lr"));
  CHECK_FALSE(mnist.spec().has("celeba.lr"));
  CHECK_FALSE(mnist.spec().has("gaussian.lr"));
  CHECK_FALSE(mnist.spec().has("colored_mnist.pl_rounds"));
}
