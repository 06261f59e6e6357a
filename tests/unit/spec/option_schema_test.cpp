#include "spec/option_schema.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "spec/spec_loader.h"

namespace {

enum class Shape { kRound, kSquare };

struct Options {
  struct Optim {
    double lr = 0.1;
    int64_t epochs = 200;
    std::vector<int64_t> milestones{160, 180};
  } optim;
  Shape shape = Shape::kSquare;
  std::string root;
  bool flip = true;
  std::string mode = "fast";
};

const wei::OptionSchema<Options>& schema() {
  static const wei::OptionSchema<Options> s = [] {
    wei::OptionSchema<Options> s;
    s.field("optim.lr", "learning rate", &Options::optim, &Options::Optim::lr).greater_than(0);
    s.field("optim.epochs", "epochs", &Options::optim, &Options::Optim::epochs).at_least(1);
    s.field("optim.milestones", "milestones", &Options::optim, &Options::Optim::milestones);
    s.enum_choice("shape", {{"round", Shape::kRound}, {"square", Shape::kSquare}}, "shape", &Options::shape);
    s.field("root", "root", &Options::root).when("shape", {"round"});
    s.field("flip", "flip", &Options::flip);
    s.choice("mode", {"fast", "slow"}, "mode", &Options::mode);
    s.check({"optim.epochs", "optim.lr"}, "optim.epochs * optim.lr < 1000",
            [](const Options& o) { return static_cast<double>(o.optim.epochs) * o.optim.lr < 1000; });
    return s;
  }();
  return s;
}

class OneSchema : public wei::SchemaCatalog {
 public:
  std::vector<std::string> names() const override { return {"t"}; }
  const wei::ParamSchema* schema_of(const std::string& name) const override {
    return name == "t" ? &schema().params() : nullptr;
  }
};

Options bound(const std::vector<std::string>& overrides) {
  return schema().bind(wei::load_spec_text("trainer: t\n", "x.yaml", overrides, OneSchema()));
}

}  // namespace

TEST_CASE("each key's type and default come from its field", "[spec]") {
  const auto& params = schema().params();
  CHECK(params.find("optim.lr")->type == wei::ParamType::kFloat);
  CHECK(std::get<double>(*params.find("optim.lr")->default_value) == 0.1);
  CHECK(params.find("optim.epochs")->type == wei::ParamType::kInt);
  CHECK(params.find("optim.milestones")->type == wei::ParamType::kIntList);
  CHECK(params.find("flip")->type == wei::ParamType::kBool);
  CHECK(params.find("shape")->type == wei::ParamType::kChoice);
  CHECK(std::get<std::string>(*params.find("shape")->default_value) == "square");
  CHECK(params.find("shape")->choices == std::vector<std::string>{"round", "square"});
  CHECK(params.find("root")->conditions_text() == "shape is round");
}

TEST_CASE("a loaded spec binds into the options struct", "[spec]") {
  const Options defaults = bound({});
  CHECK(defaults.optim.lr == 0.1);
  CHECK(defaults.shape == Shape::kSquare);
  CHECK(defaults.mode == "fast");

  const Options set = bound({"optim.lr=0.5", "optim.milestones=[3]", "shape=round", "root=/data", "flip=false",
                             "mode=slow"});
  CHECK(set.optim.lr == 0.5);
  CHECK(set.optim.milestones == std::vector<int64_t>{3});
  CHECK(set.shape == Shape::kRound);
  CHECK(set.root == "/data");
  CHECK_FALSE(set.flip);
  CHECK(set.mode == "slow");
}

TEST_CASE("typed constraints are checked when the spec is loaded", "[spec]") {
  CHECK_NOTHROW(bound({"optim.epochs=9999", "optim.lr=0.01"}));
  try {
    bound({"optim.epochs=10000"});
    FAIL("expected a SpecError");
  } catch (const wei::SpecError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0] == "override 'optim.epochs=10000': optim.epochs: must satisfy optim.epochs * optim.lr "
                                "< 1000; here optim.epochs = 10000, optim.lr = 0.1 (default)");
  }
}

TEST_CASE("a condition on a key that is not a choice declared before it is a programming error", "[spec]") {
  wei::ParamSchema s;
  s.add_float("a", 1, "").when("b", {"x"});
  s.add_choice("b", "x", {"x", "y"}, "");
  CHECK_THROWS_AS(s.verify(), std::logic_error);
  wei::ParamSchema t;
  t.add_choice("b", "x", {"x", "y"}, "");
  t.add_float("a", 1, "").when("b", {"z"});
  CHECK_THROWS_AS(t.verify(), std::logic_error);
  CHECK_THROWS_AS(t.add_check({"nope"}, "", [](const wei::Spec&) { return true; }), std::logic_error);
}
