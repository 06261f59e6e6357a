#include "trainers/self_training/self_training_trainer.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "base/errors.h"
#include "base/seeding.h"
#include "data/subsets.h"
#include "spec/spec_loader.h"
#include "support/cli_in_process.h"
#include "support/json_file.h"
#include "support/text_file.h"
#include "support/trainer_fixture.h"
#include "train/registry.h"
#include "unit/data/cifar_test_data.h"

namespace {

using json = nlohmann::ordered_json;
using Overrides = std::map<std::string, wei::ParamValue>;

// WRN-10-1 on 400 synthetic training images (40 labelled) and 100 test images, 3 unlabelled per
// labelled image, 6 steps of 8 labelled images, evaluated every 2 steps.
Overrides tiny(Overrides more = {}) {
  Overrides o{{"data.labels", int64_t{40}},      {"data.train_size", int64_t{400}}, {"data.test_size", int64_t{100}},
              {"model.depth", int64_t{10}},      {"model.widen", int64_t{1}},       {"unlabelled.mu", int64_t{3}},
              {"optim.steps", int64_t{6}},       {"optim.batch_size", int64_t{8}},  {"optim.eval_every", int64_t{2}},
              {"eval.median_of", int64_t{2}}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture fixture(const Overrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::self_training_trainer_info(), overrides, seed);
}

// teacher_student on tiny(): a teacher trained for 4 steps (2 epochs), then a student for 4; the
// expansion estimated on 20 test images with 2 strong views each.
Overrides tiny_teacher_student(const std::string& neighbourhood, Overrides more = {}) {
  Overrides o = tiny({{"method", std::string("teacher_student")}, {"teacher.steps", int64_t{4}},
                      {"optim.steps", int64_t{4}}, {"consistency.neighbourhood", neighbourhood},
                      {"theory.expansion_images", int64_t{20}}, {"theory.expansion_views", int64_t{2}}});
  if (neighbourhood == "l2") o["consistency.radius"] = 1.0;
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

// A finished supervised run of tiny() in `dir`, made by the command line as a user makes one.
void write_supervised_run(const std::filesystem::path& dir, const std::string& extra = "") {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  const fs::path spec = dir.parent_path() / (dir.filename().string() + ".yaml");
  std::ofstream(spec) << "trainer: self_training\nmethod: supervised\n"
                         "data: {labels: 40, train_size: 400, test_size: 100}\n"
                         "model: {depth: 10, widen: 1}\n"
                         "optim: {steps: 4, batch_size: 8, eval_every: 2}\neval: {median_of: 2}\n"
                      << extra;
  const auto result = wei::testing::run_cli({"run", spec.string(), "--out", dir.string()}, dir.parent_path());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

std::string prepare_refusal(const Overrides& overrides) {
  const auto fx = fixture(overrides);
  auto trainer = fx.trainer();
  try {
    trainer->prepare();
  } catch (const wei::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("self_training: the labelled subset is balanced and part of the unlabelled set", "[self_training]") {
  const auto fx = fixture(tiny(), 0);
  auto a = fx.trainer();
  a->prepare();
  const json data = a->data_info();
  CHECK(data["labelled"] == 40);
  CHECK(data["unlabelled"] == 400);  // the labelled images are part of the unlabelled set
  CHECK(data["labelled_class_counts"] == std::vector<int64_t>(10, 4));
  CHECK(data["model_parameters"] == 77850);
  CHECK(data["source"] == "synthetic");
}

TEST_CASE("self_training: each method's history, and FixMatch's mask at a low threshold", "[self_training]") {
  for (const std::string method : {"supervised", "pseudo_label", "fixmatch"}) {
    CAPTURE(method);
    Overrides o = tiny({{"method", method}});
    if (method == "supervised") {
      o.erase("unlabelled.mu");
    } else {
      o["unlabelled.threshold"] = 0.05;  // below 1/10: every pseudo-label passes
    }
    const auto fx = fixture(o);
    auto trainer = fx.trainer();
    trainer->prepare();
    const auto run = wei::testing::fit_to_end(*trainer);
    REQUIRE(run.rows.size() == 3);
    for (const auto& row : run.rows) {
      CHECK(row["test_per_class_accuracy"].size() == 10);
      CHECK(row["test_error"].get<double>() == Approx(100.0 - row["test_accuracy"].get<double>()));
      if (method == "supervised") {
        CHECK_FALSE(row.contains("mask_rate"));
        CHECK(row["train_loss"] == row["labelled_loss"]);
      } else {
        CHECK(row["mask_rate"].get<double>() == 1.0);
        CHECK(row["pseudo_label_accuracy"].get<double>() >= 0.0);
        CHECK(row["pseudo_label_accuracy"].get<double>() <= 100.0);
        CHECK(row["train_loss"].get<double>() ==
              Approx(row["labelled_loss"].get<double>() + row["unlabelled_loss"].get<double>()));
      }
    }
    CHECK(run.rows.back()["step"] == 6);
    // The reported error is the median of the last evaluations (2 here).
    const double a = run.rows[1]["test_error"], b = run.rows[2]["test_error"];
    CHECK(run.final["test_error"].get<double>() == Approx((a + b) / 2));
    CHECK(run.final["method"] == method);
  }
}

TEST_CASE("self_training runs are deterministic and resume bit-identically mid-run", "[self_training]") {
  // Interrupted after the first evaluation; the checkpoint carries the weights' average.
  const auto rows = wei::testing::check_repeats_and_resumes(fixture(tiny({{"unlabelled.threshold", 0.5}}), 3), 1);
  CHECK(rows.size() == 3);
}

TEST_CASE("self_training refuses labels that are not a multiple of 10 and thresholds outside 0 to 1",
          "[self_training]") {
  const auto info = wei::self_training_trainer_info();
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{45}}})),
             Catch::Contains("data.labels") && Catch::Contains("multiple of 10"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{50010}}})),
             Catch::Contains("data.labels"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"unlabelled.threshold", 0.0}})),
             Catch::Contains("unlabelled.threshold"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"unlabelled.threshold", 1.5}})),
             Catch::Contains("unlabelled.threshold"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{500}}})),
             Catch::Contains("data.labels <= data.train_size"));
}

TEST_CASE("every self_training config validates strictly, with the paper's recipe at paper scale", "[self_training]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::self_training_trainer_info());
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "self_training")) {
    INFO(entry.path());
    const auto spec = wei::load_spec(entry.path().string(), {}, registry, wei::UnreadKeys::kRefuse);
    const std::string name = entry.path().stem().string();
    CHECK(spec.get_string("name") == name);
    if (name.rfind("fixmatch_cifar10_", 0) == 0) {
      CHECK(spec.get_int("data.labels") == std::stoll(name.substr(17)));
      CHECK(spec.get_int("model.depth") == 28);
      CHECK(spec.get_int("model.widen") == 2);
      CHECK(spec.get_int("optim.steps") == 1048576);
      CHECK(spec.get_string("optim.schedule") == "fixmatch_cosine");
      CHECK_FALSE(spec.get_bool("optim.weight_decay_norm_and_bias"));
    }
    ++checked;
  }
  CHECK(checked == 18);
}

TEST_CASE("teacher_student: a teacher trained first labels the images, then a fresh student trains on them",
          "[self_training]") {
  for (const std::string neighbourhood : {"none", "augment", "l2"}) {
    CAPTURE(neighbourhood);
    const auto fx = fixture(tiny_teacher_student(neighbourhood));
    auto trainer = fx.trainer();
    trainer->prepare();
    REQUIRE(trainer->num_epochs() == 4);
    const auto run = wei::testing::fit_to_end(*trainer);
    REQUIRE(run.rows.size() == 4);
    CHECK(run.rows[0]["phase"] == "teacher");
    CHECK(run.rows[1]["phase"] == "teacher");
    CHECK(run.rows[1].contains("labelled_loss"));
    CHECK(run.rows[1]["step"] == 4);
    CHECK(run.rows[2]["phase"] == "student");
    CHECK(run.rows[3]["step"] == 4);
    CHECK(run.rows[3].contains("teacher_label_loss"));
    CHECK(run.rows[3].contains("consistency_loss") == (neighbourhood != "none"));
    if (neighbourhood == "none") CHECK(run.rows[3]["train_loss"] == run.rows[3]["teacher_label_loss"]);
    // The teacher is what the teacher phase last evaluated; the student what the last row did.
    const auto& final = run.final;
    CHECK(final["teacher"]["source"] == "trained in this run");
    CHECK(final["teacher"]["test_error"] == run.rows[1]["test_error"]);
    CHECK(final["teacher_student"]["teacher_test_error"].get<double>() ==
          Approx(run.rows[1]["test_error"].get<double>()));
    CHECK(final["teacher_student"]["student_test_error"].get<double>() ==
          Approx(run.rows[3]["test_error"].get<double>()));
    CHECK(final["teacher"]["expansion"]["points"] == 20);
    CHECK(final["teacher"]["expansion"]["neighbours_per_point"] == 2);
    CHECK(final["teacher"]["pseudo_label_accuracy"].get<double>() >= 0.0);
    // The student's median is over its own evaluations only.
    CHECK(final["evaluations_in_median"] == 2);
  }
}

TEST_CASE("teacher_student resumes bit-identically before and after the teacher labels the images",
          "[self_training]") {
  // After epoch 2 the teacher is trained but has not labelled; after epoch 3 the student has its
  // labels, a fresh network, optimizer and weights' average.
  wei::testing::check_repeats_and_resumes(fixture(tiny_teacher_student("augment"), 1), 2);
  wei::testing::check_repeats_and_resumes(fixture(tiny_teacher_student("l2"), 1), 3);
}

TEST_CASE("teacher_student reads its teacher from a run directory or its checkpoint, with the weights' average",
          "[self_training]") {
  namespace fs = std::filesystem;
  const fs::path dir = wei::testing::fresh_temp_dir("teacher_run") / "teacher";
  write_supervised_run(dir);
  const auto teacher_metrics = wei::testing::read_json(dir / "metrics.json");
  for (const fs::path& given : {dir, dir / "checkpoints" / "last.pt"}) {
    CAPTURE(given);
    const auto fx = fixture(tiny_teacher_student("augment", {{"teacher.checkpoint", given.string()}}));
    auto trainer = fx.trainer();
    trainer->prepare();
    CHECK(trainer->num_epochs() == 2);  // the student's only
    const auto run = wei::testing::fit_to_end(*trainer);
    CHECK(run.rows[0]["phase"] == "student");
    CHECK(run.final["teacher"]["source"] == "checkpoint");
    CHECK(run.final["teacher"]["weights_average"] == true);
    CHECK(run.final["teacher"]["model"] == "WRN-10-1");
    // The teacher scores what its own run last evaluated (its weights' average).
    CHECK(run.final["teacher"]["test_error"].get<double>() ==
          Approx(teacher_metrics["final"]["test_error_last"].get<double>()));
  }
}

TEST_CASE("teacher_student refuses a teacher checkpoint of another trainer, network or data, or a corrupt one",
          "[self_training]") {
  namespace fs = std::filesystem;
  const fs::path root = wei::testing::fresh_temp_dir("teacher_refusals");
  const fs::path good = root / "good";
  write_supervised_run(good);
  const auto refusal = [](const fs::path& path, Overrides more = {}) {
    more["teacher.checkpoint"] = path.string();
    return prepare_refusal(tiny_teacher_student("none", more));
  };
  using Catch::Contains;
  CHECK_THAT(refusal(root / "absent"), Contains("teacher.checkpoint") && Contains("no checkpoint"));

  // Another trainer's run.
  const fs::path other = root / "other";
  fs::create_directories(other / "checkpoints");
  fs::copy_file(good / "checkpoints" / "last.pt", other / "checkpoints" / "last.pt");
  std::ofstream(other / "config.yaml") << "trainer: imbalanced_cifar\n";
  CHECK_THAT(refusal(other), Contains("teacher.checkpoint") && Contains("trainer imbalanced_cifar"));

  // Another network: the config says WRN-16-1, the checkpoint holds a WRN-10-1.
  const fs::path shape = root / "shape";
  fs::copy(good, shape, fs::copy_options::recursive);
  std::string config = wei::testing::read_text(shape / "config.yaml");
  config.replace(config.find("depth: 10"), 9, "depth: 16");
  std::ofstream(shape / "config.yaml") << config;
  CHECK_THAT(refusal(shape), Contains("teacher.checkpoint") && Contains("does not hold the WRN-16-1"));

  // Another normalisation of the images.
  CHECK_THAT(refusal(good, {{"data.mean", std::vector<double>{0.5, 0.5, 0.5}}}),
             Contains("teacher.checkpoint") && Contains("data.mean"));

  // A checkpoint whose bytes were changed fails its checksum.
  const fs::path corrupt = root / "corrupt";
  fs::copy(good, corrupt, fs::copy_options::recursive);
  {
    std::fstream f(corrupt / "checkpoints" / "last.pt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  CHECK_THAT(refusal(corrupt), Contains("teacher.checkpoint"));
  CHECK(refusal(good).empty());
}

TEST_CASE("the hidden labels of the unlabelled images never enter a loss: changing them changes only their scores",
          "[self_training]") {
  // Two CIFAR-10 folders with the same images; in the second, labels of unlabelled images are
  // swapped between neighbours (i, i + 1) of different classes. Swapping neighbours keeps every
  // class's member list in the same order, so the labelled subset is the same in both.
  namespace fs = std::filesystem;
  const fs::path root = wei::testing::fresh_temp_dir("hidden_labels");
  auto gen = wei::make_generator(3, "test-labels");
  const torch::Tensor labels = torch::randint(10, {50000}, gen, torch::kInt64);
  auto split_gen = wei::make_generator(0, "labelled-split");  // data.fold 0, as the trainer draws it
  const torch::Tensor labelled = wei::data::select_class_subset(labels, std::vector<int64_t>(10, 4), split_gen);
  std::vector<bool> is_labelled(50000, false);
  for (int64_t i = 0; i < labelled.size(0); ++i) is_labelled[static_cast<size_t>(labelled[i].item<int64_t>())] = true;
  torch::Tensor swapped = labels.clone();
  auto l = swapped.accessor<int64_t, 1>();
  int64_t swaps = 0;
  for (int64_t i = 0; i + 1 < 10000; i += 2) {
    if (l[i] != l[i + 1] && !is_labelled[static_cast<size_t>(i)] && !is_labelled[static_cast<size_t>(i + 1)]) {
      std::swap(l[i], l[i + 1]);
      ++swaps;
    }
  }
  REQUIRE(swaps > 4000);
  const auto write_folder = [&](const fs::path& dir, const torch::Tensor& train_labels) {
    const auto a = train_labels.accessor<int64_t, 1>();
    for (int batch = 0; batch < 5; ++batch) {
      std::string bytes;
      for (int r = 0; r < 10000; ++r) {
        const int record = batch * 10000 + r;
        bytes += wei::testing::cifar_record({static_cast<uint8_t>(a[record])}, record);
      }
      wei::testing::write_bytes(dir / "cifar-10-batches-bin" / ("data_batch_" + std::to_string(batch + 1) + ".bin"),
                                bytes);
    }
    std::string test;
    for (int r = 0; r < 10000; ++r) test += wei::testing::cifar_record({static_cast<uint8_t>(r % 10)}, r + 3);
    wei::testing::write_bytes(dir / "cifar-10-batches-bin" / "test_batch.bin", test);
  };
  write_folder(root / "a", labels);
  write_folder(root / "b", swapped);

  const auto run_on = [](const fs::path& folder, Overrides o) {
    o["data.root"] = folder.string();
    o["data.train_size"] = int64_t{0};
    const auto fx = fixture(o);
    auto trainer = fx.trainer();
    trainer->prepare();
    return wei::testing::fit_to_end(*trainer);
  };
  // What may differ: the scores computed against the hidden labels.
  const auto without_scores = [](std::vector<json> rows) {
    for (auto& row : rows) row.erase("pseudo_label_accuracy");
    return rows;
  };
  const Overrides fixmatch = tiny({{"unlabelled.threshold", 0.05}});  // every pseudo-label is used
  const auto a = run_on(root / "a", fixmatch), b = run_on(root / "b", fixmatch);
  CHECK(without_scores(a.rows) == without_scores(b.rows));
  CHECK(a.rows != b.rows);  // the score did read them

  const Overrides student = tiny_teacher_student("augment");
  const auto c = run_on(root / "a", student), d = run_on(root / "b", student);
  CHECK(c.rows == d.rows);
  CHECK(c.final["teacher_student"] == d.final["teacher_student"]);
  CHECK(c.final["teacher"]["pseudo_label_accuracy"] != d.final["teacher"]["pseudo_label_accuracy"]);
  fs::remove_all(root);
}
