#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "trainers/spurious_selftrain/gaussian_toy.h"
#include "unit/trainers/spurious_selftrain/run_context_fixture.h"

using namespace wei::spurious_selftrain;

TEST_CASE("toy Bayes accuracy is Phi(||c||)", "[spurious_selftrain]") {
  CHECK(normal_cdf(0.0) == Approx(0.5).epsilon(1e-15));
  CHECK(normal_cdf(1.0) == Approx(0.8413447460685429).epsilon(1e-12));
  const GaussianToy toy(2.0, 0.8, wei::make_generator(1, "d"));
  CHECK(toy.target_bayes_accuracy() == Approx(0.9772498680518208).epsilon(1e-12));
  CHECK(toy.signal_mean().norm().item<double>() == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("toy source ties the spurious dims to the label, the target does not", "[spurious_selftrain]") {
  const GaussianToy toy(2.0, 0.8, wei::make_generator(1, "d"));
  at::Generator gen = wei::make_generator(1, "data");
  const ToyBatch s = toy.sample_source(20000, gen);
  const ToyBatch t = toy.sample_target(20000, gen);
  const torch::Tensor sign_s = (2 * s.y - 1).unsqueeze(1);
  const torch::Tensor sign_t = (2 * t.y - 1).unsqueeze(1);
  // P(sign(x2_j) = sign(y)) = 0.8 + 0.2 * 0.5 = 0.9 in the source, 0.5 in the target.
  const double agree_s = (s.x.slice(1, 2) * sign_s > 0).to(torch::kDouble).mean().item<double>();
  const double agree_t = (t.x.slice(1, 2) * sign_t > 0).to(torch::kDouble).mean().item<double>();
  CHECK(agree_s == Approx(0.9).margin(0.01));
  CHECK(agree_t == Approx(0.5).margin(0.01));
  CHECK(s.y.mean().item<double>() == Approx(0.5).margin(0.02));
  // The signal part is N(+-c, I): projecting on c/||c|| gives mean 2 given the label.
  const torch::Tensor c_unit = toy.signal_mean() / 2;
  CHECK((t.x.slice(1, 0, 2).matmul(c_unit) * sign_t.squeeze(1)).mean().item<double>() == Approx(2.0).margin(0.05));
  // The Bayes rule sign(c.x1) reaches Phi(2) on target samples.
  const torch::Tensor w_bayes = torch::cat({c_unit, torch::zeros({2})});
  CHECK(linear_accuracy(w_bayes, t) == Approx(0.97725).margin(0.004));
}

TEST_CASE("unit projection and spurious norm", "[spurious_selftrain]") {
  torch::Tensor w = torch::tensor({3.0f, 0.0f, 0.0f, 4.0f});
  project_to_unit_sphere(w);
  CHECK(w.norm().item<double>() == Approx(1.0).epsilon(1e-6));
  CHECK(spurious_norm(w) == Approx(0.8).epsilon(1e-6));
}

TEST_CASE("toy: entropy minimisation removes the spurious weight", "[spurious_selftrain]") {
  // The paper's schedule, shortened: lr x10 and steps / 10 follow the same gradient-flow path.
  const wei::spurious_selftrain::testing::ContextFixture fx({{"gaussian.lr", 1e-2},
                                                   {"gaussian.source_steps", int64_t{2000}},
                                                   {"gaussian.target_steps", int64_t{1000}},
                                                   {"gaussian.log_every", int64_t{500}}});
  auto trainer = fx.trainer();
  const auto [last, final] = wei::spurious_selftrain::testing::run_all(*trainer);
  CHECK(trainer->num_epochs() == 6);
  CHECK(last["phase"] == "entropy");
  CHECK(final["bayes_acc"].get<double>() == Approx(0.97725).margin(1e-4));
  CHECK(final["spurious_norm_before"].get<double>() == Approx(0.46).margin(0.08));
  CHECK(final["spurious_norm_after"].get<double>() < 0.05);
  CHECK(final["target_acc_before"].get<double>() < final["target_acc_after"].get<double>());
  CHECK(final["target_acc_after"].get<double>() > final["bayes_acc"].get<double>() - 0.005);
}

TEST_CASE("toy: pseudo-labelling rounds remove the spurious weight", "[spurious_selftrain]") {
  const wei::spurious_selftrain::testing::ContextFixture fx({{"adapt.method", std::string("pseudo_label")},
                                                   {"gaussian.lr", 1e-2},
                                                   {"gaussian.source_steps", int64_t{2000}},
                                                   {"gaussian.log_every", int64_t{1000}},
                                                   {"gaussian.pl_rounds", int64_t{10}},
                                                   {"gaussian.pl_steps", int64_t{100}}});
  auto trainer = fx.trainer();
  const auto [last, final] = wei::spurious_selftrain::testing::run_all(*trainer);
  CHECK(trainer->num_epochs() == 12);
  CHECK(last["phase"] == "pseudo_label");
  CHECK(last["round"] == 10);
  CHECK(last["kept_fraction"].get<double>() > 0.9);
  CHECK(final["spurious_norm_after"].get<double>() < 0.1);
  CHECK(final["target_acc_after"].get<double>() > final["bayes_acc"].get<double>() - 0.005);
}

TEST_CASE("toy: a resumed run is bit-identical to an uninterrupted one", "[spurious_selftrain]") {
  const std::map<std::string, wei::ParamValue> overrides = {{"gaussian.source_steps", int64_t{300}},
                                                             {"gaussian.target_steps", int64_t{300}},
                                                             {"gaussian.target_size", int64_t{2000}},
                                                             {"gaussian.log_every", int64_t{100}}};
  const wei::spurious_selftrain::testing::ContextFixture fx(overrides, 7);
  auto whole = fx.trainer();
  const auto [whole_last, whole_final] = wei::spurious_selftrain::testing::run_all(*whole);

  auto first = fx.trainer();
  first->prepare();
  wei::testing::run_epochs(*first, 0, 4);  // into the entropy phase
  const std::string checkpoint = wei::testing::save_checkpoint(*first);

  auto resumed = fx.trainer();
  resumed->prepare();
  wei::testing::load_checkpoint(*resumed, checkpoint);
  const auto tail = wei::testing::fit_to_end(*resumed, 4);
  CHECK(tail.rows.back() == whole_last);
  CHECK(tail.final == whole_final);
}
