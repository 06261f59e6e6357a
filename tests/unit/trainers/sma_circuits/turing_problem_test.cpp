#include "trainers/sma_circuits/turing_problem.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "support/trainer_fixture.h"
#include "trainers/sma_circuits/sma_circuits_trainer.h"

namespace {

using Overrides = std::map<std::string, wei::ParamValue>;

// A small machine and encoder: 3 states over {0, 1}, a tape of 8, T = 4 steps.
Overrides turing_spec(Overrides more = {}) {
  Overrides o{{"setting", std::string("turing")},  {"turing.states", int64_t{3}},
              {"turing.alphabet", int64_t{2}},     {"turing.tape", int64_t{8}},
              {"turing.steps", int64_t{4}},        {"turing.balance_sample", int64_t{4096}},
              {"encoder.width", int64_t{32}},      {"encoder.heads", int64_t{2}},
              {"encoder.layers", int64_t{2}},      {"encoder.ff_width", int64_t{64}},
              {"data.n", int64_t{3000}},           {"data.test_size", int64_t{2000}},
              {"optim.lr", 0.003},                 {"optim.max_steps", int64_t{1500}},
              {"optim.eval_every", int64_t{100}},  {"optim.patience", int64_t{5}}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture turing_fixture(const Overrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::sma_circuits_trainer_info(), overrides, seed);
}

}  // namespace

TEST_CASE("turing: the encoder learns what a short run of a machine leaves under its head", "[sma_circuits]") {
  const auto fixture = turing_fixture(turing_spec());
  auto trainer = fixture.trainer();
  trainer->prepare();
  CHECK(trainer->data_info()["source"] == "turing_machine");
  const auto final = wei::testing::fit_to_end(*trainer).final;
  CHECK(final["test_error"].get<double>() < 10.0);
  const auto& f = final["function"];
  CHECK(f["setting"] == "turing");
  CHECK(f["target"] == "head_symbol");
  CHECK(f["table"].size() == 6);
  CHECK(std::abs(f["largest_label_share"].get<double>() - 0.5) <= 0.1);
  CHECK_FALSE(final.contains("normalised_margin"));
}

TEST_CASE("turing: the state as a label of several classes, deterministic and resumed bit-identically",
          "[sma_circuits]") {
  const auto fixture = turing_fixture(turing_spec({{"turing.target", std::string("state")},
                                                   {"turing.steps", int64_t{12}},
                                                   {"turing.balance", 0.3},
                                                   {"data.n", int64_t{500}},
                                                   {"optim.max_steps", int64_t{400}},
                                                   {"optim.patience", int64_t{50}}}));
  const auto rows = wei::testing::check_repeats_and_resumes(fixture, 2);
  CHECK(rows.size() == 4);
  auto trainer = fixture.trainer();
  trainer->prepare();
  CHECK(trainer->data_info()["classes"] == 3);
}

TEST_CASE("turing: keys of the other setting and heads that do not divide the width are refused", "[sma_circuits]") {
  const auto info = wei::sma_circuits_trainer_info();
  CHECK_THAT(wei::testing::spec_refusal(info, turing_spec({{"encoder.heads", int64_t{3}}})),
             Catch::Contains("encoder.heads divides encoder.width"));
  CHECK_THAT(wei::testing::spec_refusal(info, turing_spec({{"model.width", int64_t{64}}})),
             Catch::Contains("model.width"));
  CHECK_THAT(wei::testing::spec_refusal(info, {{"turing.steps", int64_t{4}}}), Catch::Contains("turing.steps"));
  CHECK(wei::testing::spec_refusal(info, turing_spec()) == "accepted");
}
