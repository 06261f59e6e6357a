// The command line in-process (cli::run): exit codes and messages of bad input with nothing
// written, help, version, list and validate, and the promise that validate, the sweep's up-front
// check and run refuse exactly the same specs.
#include "cli/cli.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "support/cli_in_process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using wei::testing::run_cli;
using wei::testing::TempDir;

namespace {

const std::string kLabelNoiseConfigs = std::string(WEI_SOURCE_DIR) + "/configs/label_noise/";

// The lines of `text` that are not empty.
std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("bad input exits 2 with a precise message and writes nothing", "[cli]") {
  TempDir tmp;
  tmp.write("bad.yaml", "trainer: label_noise_sgd\noptim:\n  lr_rate: 0.1\n  steps: -5\n");
  const auto bad = run_cli({"run", "bad.yaml", "--out", "never"}, tmp.path());
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "bad.yaml:3:3: optim.lr_rate: unknown key (did you mean 'lr'?)\n"
        "bad.yaml:4:10: optim.steps: invalid value -5; must be >= 1\n");

  const auto typo = run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "optim.lr_rat=1", "--out", "never"}, tmp.path());
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("override 'optim.lr_rat=1': optim.lr_rat: unknown key"));

  tmp.write("broken.yaml", "trainer: label_noise_sgd\noptim: {lr: 0.1\n");
  const auto broken = run_cli({"run", "broken.yaml", "--out", "never"}, tmp.path());
  CHECK(broken.exit_code == 2);
  CHECK_THAT(broken.err, Catch::StartsWith("broken.yaml:") && Catch::Contains("YAML syntax error"));

  const auto missing = run_cli({"run", "nope.yaml", "--out", "never"}, tmp.path());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("nope.yaml: cannot read spec file (no such file)"));

  const auto cuda = run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "--device", "cuda", "--out", "never"}, tmp.path());
  if (cuda.exit_code == 2) {
    CHECK_THAT(cuda.err, Catch::Contains("CUDA is not available"));
  } else {
    WARN("CUDA is available here; the no-CUDA refusal was not exercised");
  }

  CHECK(run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "--unknown-flag"}, tmp.path()).exit_code == 2);
  CHECK(run_cli({"frobnicate"}, tmp.path()).exit_code == 2);
  CHECK(run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "--resume"}, tmp.path()).exit_code == 2);
  const auto continue_alone = run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "--continue"}, tmp.path());
  CHECK(continue_alone.exit_code == 2);
  CHECK_THAT(continue_alone.err, Catch::Contains("--continue needs --out DIR"));
  CHECK(run_cli({"run", kLabelNoiseConfigs + "gd.yaml", "--out", "never", "--continue", "--force"}, tmp.path()).exit_code == 2);
  CHECK_FALSE(fs::exists(tmp.path() / "never"));
  CHECK_FALSE(fs::exists(tmp.path() / "results"));
}

TEST_CASE("help, version, list and validate", "[cli]") {
  TempDir tmp;
  const auto help = run_cli({"--help"}, tmp.path());
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("run") && Catch::Contains("diff"));
  CHECK(run_cli({"run", "--help"}, tmp.path()).exit_code == 0);
  const auto version = run_cli({"--version"}, tmp.path());
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("wei-run ") && Catch::Contains("\ncpu: ") &&
                              Catch::Contains("bf16 kernels: "));
  const auto list = run_cli({"list"}, tmp.path());
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("label_noise_sgd:") && Catch::Contains("optim.lr") &&
                           Catch::Contains("float = 0.01  (must be > 0)"));
  const auto unknown = run_cli({"list", "label_nose_sgd"}, tmp.path());
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("did you mean 'label_noise_sgd'?"));
  const auto validate = run_cli({"validate", kLabelNoiseConfigs + "gd.yaml", "optim.lr=0.02"}, tmp.path());
  CHECK(validate.exit_code == 0);
  CHECK_THAT(validate.out, Catch::Contains("name: gd\n") && Catch::Contains("  lr: 0.02\n"));
}

TEST_CASE("validate, the sweep's up-front check and run refuse exactly the same specs", "[cli]") {
  // Under --strict: without it, a key the spec does not read is a warning (tested in e2e/cli_run_test).
  TempDir tmp;
  const std::string hmm = std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/quick_h4.yaml";
  const std::string toy = std::string(WEI_SOURCE_DIR) + "/configs/spurious_selftrain/toy_entropy.yaml";
  const std::vector<std::vector<std::string>> refused = {
      {hmm, "task.prompt_length=90"},           // cross-key constraint
      {hmm, "hmm.memory=3"},                    // read only by the memory HMM
      {toy, "colored_mnist.lr=0.1"},            // another experiment's section
      {toy, "data.root=/data"},                 // the toy reads no data
      {kLabelNoiseConfigs + "gd.yaml", "noise.delta=1"},  // gd adds no noise
      {kLabelNoiseConfigs + "sgd.yaml", "noise.batch_size=41"},
  };
  for (const auto& spec_and_override : refused) {
    INFO(spec_and_override[0] << " " << spec_and_override[1]);
    const auto validate = run_cli({"validate", spec_and_override[0], spec_and_override[1], "--strict"}, tmp.path());
    CHECK(validate.exit_code == 2);
    const auto run =
        run_cli({"run", spec_and_override[0], spec_and_override[1], "--out", "run", "--strict"}, tmp.path());
    CHECK(run.exit_code == 2);
    CHECK(run.err == validate.err);
    const auto sweep = run_cli(
        {"sweep", spec_and_override[0], spec_and_override[1], "seed=0,1", "--out", "sweep", "--strict"}, tmp.path());
    CHECK(sweep.exit_code == 2);
    // Every point has the problem: the sweep reports it once.
    std::vector<std::string> expected;
    for (const auto& line : nonempty_lines(validate.err)) expected.push_back(line + " (every point)");
    REQUIRE(!expected.empty());
    CHECK(nonempty_lines(sweep.err) == expected);
    CHECK_FALSE(fs::exists(tmp.path() / "run"));
    CHECK_FALSE(fs::exists(tmp.path() / "sweep"));
  }
  const auto quick = run_cli({"validate", hmm, "task.prompt_length=90"}, tmp.path());
  CHECK(quick.err == "override 'task.prompt_length=90': task.prompt_length: must satisfy task.prompt_length < "
                     "task.input_tokens; here task.prompt_length = 90, task.input_tokens = 79 (default)\n");
}

TEST_CASE("list shows conditions and constraints", "[cli]") {
  TempDir tmp;
  const auto list = run_cli({"list", "spurious_selftrain"}, tmp.path());
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("read when data.kind is colored_mnist, adapt.method is pseudo_label") &&
                           Catch::Contains("constraints:") &&
                           Catch::Contains("data.root is set when data.kind is celeba"));
  CHECK_THAT(list.out, !Catch::Contains("label_noise_sgd:"));
}

TEST_CASE("a 200000-character argument comes back cut in every error message", "[cli]") {
  TempDir tmp;
  const std::string huge(200000, 'a');
  const std::string spec = kLabelNoiseConfigs + "gd.yaml";
  const auto override_value = run_cli({"validate", spec, "seed=" + huge}, tmp.path());
  CHECK(override_value.exit_code == 2);
  CHECK(override_value.err.size() < 500);
  CHECK_THAT(override_value.err, Catch::Contains("seed: invalid value 'aaa"));

  const auto option = run_cli({"sweep", spec, "seed=0,1", "--mode", huge}, tmp.path());  // CLI11's message
  CHECK(option.exit_code == 2);
  CHECK(option.err.size() < 1500);
  CHECK_THAT(option.err, Catch::StartsWith("--mode: aaa") && Catch::Contains("aaa not in {grid,zip}"));

  const auto path = run_cli({"validate", huge}, tmp.path());  // a file-system error echoing the path
  CHECK(path.exit_code != 0);
  CHECK(path.err.size() < 1500);
}
