// Every config with a paper number (GUIDE §5) declares it in a reference block, in the units of
// metrics.json; the configs with none declare none; and the block never reaches the resolved spec.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "spec/paper_reference.h"
#include "spec/spec_loader.h"
#include "trainers/register_builtin.h"

namespace {

using ExpectedReference = std::map<std::string, double>;

// config path below configs/ -> the paper's values, as GUIDE §5 gives them.
std::map<std::string, ExpectedReference> expected_config_references() {
  std::map<std::string, ExpectedReference> out;
  // Cao et al. 2019, Table 2: top-1 error %, best epoch; columns C10-LT 100, C10-LT 10, C10-step 100,
  // C10-step 10, C100-LT 100, C100-LT 10.
  const std::vector<std::string> cells = {"cifar10_lt100",   "cifar10_lt10",   "cifar10_step100",
                                          "cifar10_step10", "cifar100_lt100", "cifar100_lt10"};
  const std::vector<std::pair<std::string, std::vector<double>>> table2 = {
      {"erm", {29.64, 13.61, 36.70, 17.50, 61.68, 44.30}},      {"focal", {29.62, 13.34, 36.09, 16.36, 61.59, 44.22}},
      {"ldam", {26.65, 13.04, 33.42, 15.00, 60.40, 43.09}},     {"cb_rs", {29.45, 13.21, 38.14, 15.41, 66.56, 44.94}},
      {"cb_rw", {27.63, 13.46, 38.06, 16.20, 66.01, 42.88}},    {"cb_focal", {25.43, 12.90, 39.73, 16.54, 63.98, 42.01}},
      {"m_drw", {24.94, 13.57, 27.67, 13.17, 59.49, 43.78}},    {"ldam_drw", {22.97, 11.84, 23.08, 12.19, 57.96, 41.29}}};
  for (const auto& [row, values] : table2) {
    for (size_t c = 0; c < cells.size(); ++c) {
      out["imbalanced_cifar/" + cells[c] + "_" + row + ".yaml"] = {{"best.test_error", values[c]}};
    }
  }
  // Wei, Xie, Ma 2021: test accuracy, a fraction in metrics.json.
  const std::map<int, std::pair<double, double>> vanilla = {{4, {99.74, 94.00}},  {8, {96.98, 83.98}},
                                                            {10, {92.96, 79.70}}, {15, {86.98, 74.64}},
                                                            {25, {74.81, 66.15}}, {30, {75.14, 66.23}}};
  for (const auto& [states, values] : vanilla) {
    out["hmm_prompt/vanilla_h" + std::to_string(states) + ".yaml"] = {
        {"final.prompt_tuning_acc", values.first / 100}, {"final.head_tuning_acc", values.second / 100}};
  }
  out["hmm_prompt/quick_h4.yaml"] = out["hmm_prompt/vanilla_h4.yaml"];
  const std::map<int, double> memory = {{2, 99.80}, {3, 99.92}, {5, 99.94}, {7, 97.82}};
  for (const auto& [m, value] : memory) {
    out["hmm_prompt/memory_m" + std::to_string(m) + ".yaml"] = {{"final.head_tuning_acc", value / 100}};
  }
  // Chen, Wei, Kumar, Ma 2020, Gaussian toy (fractions and norms, "about").
  out["spurious_selftrain/toy_entropy.yaml"] = {{"final.target_acc_before", 0.96},
                                                {"final.spurious_norm_before", 0.46},
                                                {"final.target_acc_after", 0.978},
                                                {"final.spurious_norm_after", 0.02}};
  out["spurious_selftrain/toy_pseudo_label.yaml"] = {{"final.target_acc_before", 0.96},
                                                     {"final.spurious_norm_before", 0.46}};
  // Sohn et al. 2020, Table 2, FixMatch (RandAugment) on CIFAR-10: test error %, the median of the
  // last 20 evaluations, mean over 5 folds.
  out["self_training/fixmatch_cifar10_40.yaml"] = {{"final.test_error", 13.81}};
  out["self_training/fixmatch_cifar10_250.yaml"] = {{"final.test_error", 5.07}};
  out["self_training/fixmatch_cifar10_4000.yaml"] = {{"final.test_error", 4.26}};
  return out;
}

}  // namespace

TEST_CASE("every config with a paper number declares it, and only those", "[spec][configs]") {
  namespace fs = std::filesystem;
  const auto expected = expected_config_references();
  const fs::path configs = fs::path(WEI_SOURCE_DIR) / "configs";
  size_t with_reference = 0;
  for (const auto& entry : fs::recursive_directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = fs::relative(entry.path(), configs).generic_string();
    INFO(name);
    const auto reference = wei::load_paper_reference(entry.path().string());
    const auto it = expected.find(name);
    if (it == expected.end()) {
      CHECK_FALSE(reference.has_value());
      continue;
    }
    REQUIRE(reference.has_value());
    ++with_reference;
    CHECK_FALSE(reference->source.empty());
    ExpectedReference declared(reference->values.begin(), reference->values.end());
    REQUIRE(declared.size() == it->second.size());
    for (const auto& [metric, value] : it->second) {
      INFO(metric);
      REQUIRE(declared.count(metric) == 1);
      CHECK(declared.at(metric) == Approx(value).epsilon(1e-12));
    }
    // The block is documentation: the config loads, and its resolved spec holds no trace of it.
    const auto spec = wei::load_spec(entry.path().string(), {}, wei::builtin_registry());
    CHECK(spec.to_yaml().find("reference") == std::string::npos);
    CHECK(spec.to_yaml().find(reference->source) == std::string::npos);
  }
  CHECK(with_reference == expected.size());  // 48 Table-2 cells, 11 HMM configs, 2 toy configs
}
