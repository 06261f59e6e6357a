// The `reference:` block: its shape is checked with the rest of the spec, with file:line:col, and
// it never reaches the resolved spec.
#include "spec/paper_reference.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "spec/spec_loader.h"
#include "support/schema_catalog.h"
#include "support/temp_dir.h"

namespace {

std::vector<std::string> reference_problems(const std::string& yaml) {
  try {
    wei::load_spec_text(yaml, "x.yaml", {}, wei::testing::ToyCatalog());
  } catch (const wei::SpecError& e) {
    return e.diagnostics();
  }
  return {};
}

}  // namespace

TEST_CASE("a reference block is checked and then left out of the resolved spec", "[spec]") {
  const std::string yaml =
      "trainer: toy\noptim:\n  lr: 0.05\nreference: {final.test_error: 22.97, source: \"Cao et al. 2019, Table 2\"}\n";
  const auto spec = wei::load_spec_text(yaml, "x.yaml", {}, wei::testing::ToyCatalog());
  CHECK_FALSE(spec.to_json().contains("reference"));
  CHECK(spec.to_yaml().find("reference") == std::string::npos);
  CHECK(spec.get_float("optim.lr") == 0.05);
  // The same spec without the block resolves identically: diff and resume cannot tell them apart.
  const auto plain = wei::load_spec_text("trainer: toy\noptim:\n  lr: 0.05\n", "x.yaml", {}, wei::testing::ToyCatalog());
  CHECK(plain.to_yaml() == spec.to_yaml());
  CHECK(plain.to_json() == spec.to_json());
  // An override cannot set it: it is not a key of the experiment.
  CHECK_THROWS_AS(wei::load_spec_text("trainer: toy\n", "x.yaml", {"reference.final.x=1"}, wei::testing::ToyCatalog()),
                  wei::SpecError);
}

TEST_CASE("a malformed reference block is reported with its place, with the spec's other problems", "[spec]") {
  const auto p = reference_problems(
      "trainer: toy\noptim:\n  lr_rate: 1\nreference:\n  final.test_error: abc\n  test_error: 3\n  final..x: 2\n"
      "  source: [1]\n  best.a: 1e400\n  best.b: .nan\n  final: {c: [1]}\n");
  REQUIRE(p.size() == 8);
  CHECK(p[0] == "x.yaml:5:21: reference.final.test_error: invalid value 'abc'; expected a number");
  CHECK(p[1] == "x.yaml:6:3: reference.test_error: not a metric path; expected one under final or best, e.g. final.test_error");
  CHECK(p[2] == "x.yaml:7:3: reference.final..x: not a metric path; expected one under final or best, e.g. final.test_error");
  CHECK(p[3] == "x.yaml:8:11: reference.source: expected a string naming the paper, table or figure");
  CHECK(p[4] == "x.yaml:9:11: reference.best.a: invalid value '1e400'; out of the range of a float (64-bit)");
  CHECK(p[5] == "x.yaml:10:11: reference.best.b: invalid value '.nan'; must be finite");
  CHECK(p[6] == "x.yaml:11:14: reference.final.c: expected a number, got a list");
  CHECK(p[7] == "x.yaml:3:3: optim.lr_rate: unknown key (did you mean 'lr'?)");
  CHECK(reference_problems("trainer: toy\nreference: 22.97\n") ==
        std::vector<std::string>{"x.yaml:2:12: reference: expected a map of metric paths to the paper's numbers, e.g. "
                                 "{final.test_error: 22.97, source: \"Cao et al. 2019, Table 2\"}"});
  CHECK(reference_problems("trainer: toy\nreference: {source: x}\n") ==
        std::vector<std::string>{"x.yaml:2:12: reference: no metric given; expected at least one, e.g. final.test_error: 22.97"});
  CHECK(reference_problems("trainer: toy\nreference: {final.a: 1, final: {a: 2}}\n") ==
        std::vector<std::string>{"x.yaml:2:33: reference.final.a: duplicate key"});
}

TEST_CASE("load_paper_reference reads a spec file's block, nested maps as dotted paths", "[spec]") {
  wei::testing::TempDir tmp;
  const std::string file = tmp.write("s.yaml",
                                     "trainer: toy\nreference:\n  best.test_error: 22.97\n  final:\n    acc: 0.9\n"
                                     "  source: \"Cao et al. 2019, Table 2\"\n");
  const auto reference = wei::load_paper_reference(file);
  REQUIRE(reference);
  CHECK(reference->values == std::vector<std::pair<std::string, double>>{{"best.test_error", 22.97}, {"final.acc", 0.9}});
  CHECK(reference->source == "Cao et al. 2019, Table 2");
  CHECK(reference->file == file);
  CHECK(reference->value_of("final.acc") == 0.9);
  CHECK_FALSE(reference->value_of("final.missing").has_value());
  CHECK_FALSE(wei::load_paper_reference(tmp.write("none.yaml", "trainer: toy\n")).has_value());
  CHECK_THROWS_AS(wei::load_paper_reference(tmp.write("bad.yaml", "trainer: toy\nreference: {final.a: x}\n")),
                  wei::SpecError);
  CHECK_THROWS_WITH(wei::load_paper_reference(tmp.write("broken.yaml", "reference: {final.a: 1\n")),
                    Catch::Contains("broken.yaml:") && Catch::Contains("YAML syntax error"));
  CHECK_THROWS_AS(wei::load_paper_reference((tmp.path() / "missing.yaml").string()), wei::InputError);
}
