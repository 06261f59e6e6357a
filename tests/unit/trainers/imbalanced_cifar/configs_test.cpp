#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "train/registry.h"
#include "spec/spec_loader.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"

namespace {

struct Cell {
  std::string loss, rule;
};

// Table-2 row (config name suffix) -> loss and training rule.
const std::map<std::string, Cell> kRows{
    {"erm", {"ce", "none"}},          {"focal", {"focal", "none"}},       {"ldam", {"ldam", "none"}},
    {"cb_rs", {"ce", "resample"}},    {"cb_rw", {"ce", "reweight"}},      {"cb_focal", {"focal", "reweight"}},
    {"m_drw", {"margin_ce", "drw"}},  {"ldam_drw", {"ldam", "drw"}},      {"hg_drs", {"hinge", "drs"}},
    {"ldam_hg_drs", {"ldam_hinge", "drs"}}};

}  // namespace

TEST_CASE("every Table-2 config validates and matches its name", "[imbalanced_cifar][configs]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::imbalanced_cifar_trainer_info());
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "imbalanced_cifar")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().stem().string();
    INFO(name);
    auto spec = wei::load_spec(entry.path().string(), {}, registry);
    // <dataset>_<lt|step><ratio>_<row>
    const auto first = name.find('_'), second = name.find('_', first + 1);
    const std::string dataset = name.substr(0, first), cell = name.substr(first + 1, second - first - 1);
    const std::string row = name.substr(second + 1);
    REQUIRE(kRows.count(row) == 1);
    CHECK(spec.get_string("name") == name);
    CHECK(spec.get_string("data.dataset") == dataset);
    CHECK(spec.get_string("data.imbalance") == (cell.rfind("lt", 0) == 0 ? "exp" : "step"));
    CHECK(spec.get_float("data.ratio") == std::stod(cell.substr(cell.rfind("lt", 0) == 0 ? 2 : 4)));
    CHECK(spec.get_string("loss.type") == kRows.at(row).loss);
    CHECK(spec.get_string("train.rule") == kRows.at(row).rule);
    CHECK(spec.get_int("optim.epochs") == 200);
    ++checked;
  }
  // 8 rows x 8 cells, plus the two hinge rows on the 4 CIFAR-10 cells.
  CHECK(checked == 72);
}
