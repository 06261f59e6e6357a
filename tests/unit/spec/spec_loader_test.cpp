#include "spec/spec_loader.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "support/schema_catalog.h"

namespace {

using wei::load_spec_text;
using wei::SpecError;

std::vector<std::string> problems(const std::string& yaml, const std::vector<std::string>& overrides = {},
                                  wei::UnreadKeys unread = wei::UnreadKeys::kRefuse) {
  try {
    load_spec_text(yaml, "x.yaml", overrides, wei::testing::ToyCatalog(), unread);
  } catch (const SpecError& e) {
    return e.diagnostics();
  }
  return {};
}

}  // namespace

TEST_CASE("a valid spec resolves every declared key with defaults", "[spec]") {
  const auto spec = load_spec_text("trainer: toy\noptim:\n  lr: 0.05\n", "configs/my_run.yaml", {},
                                   wei::testing::ToyCatalog());
  CHECK(spec.get_float("optim.lr") == 0.05);
  CHECK(spec.get_float("optim.momentum") == 0.9);
  CHECK(spec.get_int("optim.epochs") == 200);
  CHECK(spec.get_int_list("optim.milestones") == std::vector<int64_t>{160, 180});
  CHECK(spec.get_string("method") == "ldam");
  CHECK(spec.get_string("name") == "my_run");  // the file stem
  CHECK(spec.get_string("device") == "auto");
  CHECK(spec.get_int("seed") == 0);
}

TEST_CASE("unknown and misspelt keys are reported with location and suggestion", "[spec]") {
  const auto p = problems("trainer: toy\noptim:\n  lr_rate: 0.1\n  momentun: 0.8\nlr: 3\n");
  REQUIRE(p.size() == 3);
  CHECK(p[0] == "x.yaml:3:3: optim.lr_rate: unknown key (did you mean 'lr'?)");
  CHECK(p[1] == "x.yaml:4:3: optim.momentun: unknown key (did you mean 'momentum'?)");
  CHECK(p[2] == "x.yaml:5:1: lr: unknown key (did you mean 'optim.lr'?)");
}

TEST_CASE("wrong types and out-of-range values are all reported at once", "[spec]") {
  const auto p = problems(
      "trainer: toy\nmethod: ldma\noptim:\n  lr: -1\n  epochs: abc\n  momentum: 1.5\n  milestones: [10, x]\n"
      "data:\n  augment: maybe\nseed: -3\n");
  REQUIRE(p.size() == 7);
  CHECK(p[0] == "x.yaml:10:7: seed: invalid value -3; must be >= 0");
  CHECK(p[1] == "x.yaml:2:9: method: invalid value 'ldma'; must be one of ce, focal, ldam (did you mean 'ldam'?)");
  CHECK(p[2] == "x.yaml:4:7: optim.lr: invalid value -1.0; must be > 0");
  CHECK(p[3] == "x.yaml:6:13: optim.momentum: invalid value 1.5; must be in [0, 1]");
  CHECK(p[4] == "x.yaml:5:11: optim.epochs: invalid value 'abc'; expected int");
  CHECK(p[5] == "x.yaml:7:20: optim.milestones[1]: invalid value 'x'; expected int");
  CHECK(p[6] == "x.yaml:9:12: data.augment: invalid value 'maybe'; expected bool (true or false)");
}

TEST_CASE("YAML syntax errors name line and column", "[spec]") {
  const auto p = problems("trainer: toy\noptim:\n  lr: [0.1\n");
  REQUIRE(p.size() == 1);
  CHECK_THAT(p[0], Catch::StartsWith("x.yaml:"));
  CHECK_THAT(p[0], Catch::Contains("YAML syntax error"));
}

TEST_CASE("structural problems: duplicates, sections, missing and unknown trainer", "[spec]") {
  CHECK(problems("trainer: toy\nseed: 1\nseed: 2\n") == std::vector<std::string>{"x.yaml:3:1: seed: duplicate key"});
  CHECK(problems("trainer: toy\noptim: 3\n") ==
        std::vector<std::string>{"x.yaml:2:8: optim: expected a section with keys lr, momentum, epochs, milestones"});
  CHECK(problems("seed: 1\n") ==
        std::vector<std::string>{"x.yaml: trainer: missing required key (known trainers: toy, other)"});
  CHECK(problems("trainer: toi\n") ==
        std::vector<std::string>{"x.yaml:1:10: trainer: unknown trainer 'toi' (known: toy, other) (did you mean 'toy'?)"});
  CHECK(problems("") == std::vector<std::string>{"x.yaml: spec is empty; expected a map with at least 'trainer'"});
  CHECK(problems("trainer: toy\ndevice: gpu\n") ==
        std::vector<std::string>{"x.yaml:2:9: device: invalid value gpu; must be auto, cpu, cuda or cuda:N"});
}

TEST_CASE("overrides set declared keys, parse values as YAML and cannot invent keys", "[spec]") {
  const auto spec = load_spec_text("trainer: toy\n", "x.yaml", {"optim.lr=0.2", "optim.milestones=[1, 2, 3]", "seed=7"},
                                   wei::testing::ToyCatalog());
  CHECK(spec.get_float("optim.lr") == 0.2);
  CHECK(spec.get_int_list("optim.milestones") == std::vector<int64_t>{1, 2, 3});
  CHECK(spec.get_int("seed") == 7);

  const auto p = problems("trainer: toy\n", {"optim.lr_rate=0.1", "optim=3", "optim.lr=abc", "nonsense"});
  REQUIRE(p.size() == 4);
  CHECK(p[0] == "override 'nonsense': expected key=value, e.g. optim.lr=0.05");
  CHECK(p[1] == "override 'optim.lr_rate=0.1': optim.lr_rate: unknown key; overrides may only set keys the spec has "
                "(did you mean 'optim.lr'?)");
  CHECK(p[2] == "override 'optim=3': optim: is a section; override one of its keys: lr, momentum, epochs, milestones");
  CHECK(p[3] == "override 'optim.lr=abc': optim.lr: invalid value 'abc'; expected float");
}

TEST_CASE("the resolved YAML reads back to the same spec", "[spec]") {
  const auto registry = wei::testing::ToyCatalog();
  const auto spec = load_spec_text("trainer: toy\nname: a.b\ndata:\n  root: \"it's: here\"\n", "x.yaml",
                                   {"optim.lr=1e-3"}, registry);
  const auto again = load_spec_text(spec.to_yaml(), "config.yaml", {}, registry);
  CHECK(again.to_yaml() == spec.to_yaml());
  CHECK(again.get_string("data.root") == "it's: here");
  CHECK(again.get_float("optim.lr") == 0.001);
  CHECK(spec.to_json()["optim"]["milestones"] == nlohmann::ordered_json::array({160, 180}));
}

TEST_CASE("ints accept integral floats like 3e5, floats reject non-finite", "[spec]") {
  const auto spec = load_spec_text("trainer: toy\noptim:\n  epochs: 3e5\n", "x.yaml", {}, wei::testing::ToyCatalog());
  CHECK(spec.get_int("optim.epochs") == 300000);
  CHECK(problems("trainer: toy\noptim:\n  lr: .nan\n") ==
        std::vector<std::string>{"x.yaml:3:7: optim.lr: invalid value '.nan'; must be finite"});
  CHECK(problems("trainer: toy\noptim:\n  epochs: 2.5\n") ==
        std::vector<std::string>{"x.yaml:3:11: optim.epochs: invalid value '2.5'; expected int"});
}

TEST_CASE("an unreadable spec file is an InputError naming it", "[spec]") {
  CHECK_THROWS_WITH(wei::load_spec("/nonexistent/spec.yaml", {}, wei::testing::ToyCatalog()),
                    "/nonexistent/spec.yaml: cannot read spec file (no such file)");
}

TEST_CASE("keys read only under a condition are ignored with a warning when it does not hold", "[spec]") {
  // One base spec swept over `method`: the keys of the other methods are reported and the run goes on.
  const auto ce = load_spec_text("trainer: toy\nmethod: ce\nfocal:\n  gamma: 2\n", "x.yaml", {"focal.warmup=3"},
                                 wei::testing::ToyCatalog());
  CHECK(ce.warnings() ==
        std::vector<std::string>{
            "x.yaml:4:10: focal.gamma: ignored, not read when method is ce (read when method is focal)",
            "override 'focal.warmup=3': focal.warmup: ignored, not read when method is ce (read when method is focal, "
            "data.augment is true)"});
  CHECK_FALSE(ce.has("focal.gamma"));
  CHECK_FALSE(ce.to_json().contains("focal"));
  CHECK(problems("trainer: toy\nmethod: ce\nfocal:\n  gamma: 2\n", {}, wei::UnreadKeys::kWarn).empty());
  // A key no trainer declares stays an error either way.
  CHECK(problems("trainer: toy\nfocal:\n  gama: 2\n", {}, wei::UnreadKeys::kWarn).size() == 1);
  CHECK(load_spec_text("trainer: toy\n", "x.yaml", {}, wei::testing::ToyCatalog()).warnings().empty());
}

TEST_CASE("strict loading refuses keys read only under a condition that does not hold", "[spec]") {
  // focal.* is read with method focal only; focal.warmup also needs data.augment.
  CHECK(problems("trainer: toy\nmethod: ce\nfocal:\n  gamma: 2\n") ==
        std::vector<std::string>{"x.yaml:4:10: focal.gamma: not read when method is ce (read when method is focal)"});
  CHECK(problems("trainer: toy\n", {"data.augment=false", "method=focal", "focal.warmup=3"}) ==
        std::vector<std::string>{"override 'focal.warmup=3': focal.warmup: not read when data.augment is false (read "
                                 "when method is focal, data.augment is true)"});
  // An invalid deciding value is reported for itself, not again for every key it decides.
  CHECK(problems("trainer: toy\nmethod: fcal\nfocal:\n  gamma: 2\n") ==
        std::vector<std::string>{
            "x.yaml:2:9: method: invalid value 'fcal'; must be one of ce, focal, ldam (did you mean 'focal'?)"});

  const auto focal = load_spec_text("trainer: toy\nmethod: focal\nfocal:\n  gamma: 2\n", "x.yaml", {},
                                    wei::testing::ToyCatalog());
  CHECK(focal.get_float("focal.gamma") == 2.0);
  CHECK(focal.get_int("focal.warmup") == 5);
  // A spec holds, records and prints only the keys it reads.
  const auto ldam = load_spec_text("trainer: toy\n", "x.yaml", {}, wei::testing::ToyCatalog());
  CHECK_FALSE(ldam.has("focal.gamma"));
  CHECK_FALSE(ldam.to_json().contains("focal"));
  CHECK(ldam.to_yaml().find("focal") == std::string::npos);
  CHECK(ldam.has("optim.lr"));
}

TEST_CASE("constraints between keys name every key involved and where it came from", "[spec]") {
  CHECK(problems("trainer: toy\noptim:\n  epochs: 170\n") ==
        std::vector<std::string>{"x.yaml: optim.milestones: must satisfy every optim.milestones entry < "
                                 "optim.epochs; here optim.milestones = [160, 180], optim.epochs = 170 (x.yaml:3:11)"});
  CHECK(problems("trainer: toy\nmethod: focal\nfocal:\n  warmup: 9\n", {"optim.epochs=9", "optim.milestones=[]"}) ==
        std::vector<std::string>{"x.yaml:4:11: focal.warmup: must satisfy focal.warmup < optim.epochs; here "
                                 "focal.warmup = 9, optim.epochs = 9 (override 'optim.epochs=9')"});
  // A constraint on a key the spec does not read is not checked.
  CHECK(problems("trainer: toy\n", {"optim.epochs=3", "optim.milestones=[1]"}).empty());
}

TEST_CASE("values echoed in messages are cut to 200 characters", "[spec]") {
  const std::string huge(5000, 'x');
  const auto p = problems("trainer: toy\nmethod: " + huge + "\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0].size() < 500);
  CHECK_THAT(p[0], Catch::Contains("... (5000 characters)"));
}

TEST_CASE("a 200000-character value or key is cut and the message still names the key", "[spec]") {
  const std::string huge(200000, 'a');
  struct Case {
    std::string yaml;
    std::vector<std::string> overrides;
    std::string names;  // what the one message must still say
  };
  const std::vector<Case> cases = {
      {"trainer: toy\n", {"optim.lr=" + huge}, "optim.lr: invalid value 'aaa"},
      {"trainer: toy\n", {"name=" + huge}, "name: invalid value aaa"},
      {"trainer: toy\n", {"method=" + huge}, "method: invalid value 'aaa"},
      {"trainer: toy\n", {"optim.milestones=" + huge}, "optim.milestones: expected list of int"},
      {"trainer: toy\n", {"optim.milestones=[" + huge + "]"}, "optim.milestones[0]: invalid value 'aaa"},
      {"trainer: toy\n", {"optim." + huge + "=1"}, "optim.aaa"},
      {"trainer: toy\n", {huge}, "expected key=value"},
      {"trainer: toy\n", {"trainer=" + huge}, "trainer: unknown trainer 'aaa"},
      {"trainer: toy\noptim:\n  lr: " + huge + "\n", {}, "x.yaml:3:7: optim.lr: invalid value 'aaa"},
      {"trainer: toy\nreference:\n  final.test_error: " + huge + "\n", {}, "reference.final.test_error: invalid value"},
  };
  for (const auto& c : cases) {
    const auto p = problems(c.yaml, c.overrides);
    INFO(c.names);
    REQUIRE(p.size() == 1);
    CHECK(p[0].size() < 500);
    CHECK_THAT(p[0], Catch::Contains(c.names));
  }
}
