#include <catch2/catch.hpp>

#include "base/errors.h"
#include "data/cifar_binary.h"
#include "data/imbalance.h"
#include "unit/data/cifar_test_data.h"

namespace {

using wei::InputError;
using wei::data::CifarKind;
using wei::testing::cifar_record;
using wei::testing::fresh_temp_dir;
using wei::testing::write_bytes;
using Catch::Matchers::Contains;

}  // namespace

TEST_CASE("CIFAR-10 binary records decode into labels and RGB planes", "[imbalanced_cifar][data]") {
  auto dir = fresh_temp_dir("c10_decode");
  write_bytes(dir / "test_batch.bin", cifar_record({3}, 0) + cifar_record({9}, 1) + cifar_record({0}, 2));
  auto split = wei::data::read_cifar_file((dir / "test_batch.bin").string(), CifarKind::kCifar10);
  REQUIRE(split.images.sizes() == torch::IntArrayRef({3, 3, 32, 32}));
  REQUIRE(split.images.dtype() == torch::kUInt8);
  CHECK(split.labels.equal(torch::tensor({3, 9, 0}, torch::kInt64)));
  CHECK_FALSE(split.coarse_labels.defined());
  // Pixel k of record r is (7r + k) % 256; k = c * 1024 + y * 32 + x (planes R, G, B, row-major).
  CHECK(split.images[1][0][0][0].item<int>() == 7);
  CHECK(split.images[1][0][0][5].item<int>() == 12);
  CHECK(split.images[2][2][1][3].item<int>() == (14 + 2048 + 32 + 3) % 256);
}

TEST_CASE("CIFAR-100 records carry coarse and fine labels", "[imbalanced_cifar][data]") {
  auto dir = fresh_temp_dir("c100_decode");
  write_bytes(dir / "cifar-100-binary" / "train.bin", cifar_record({19, 99}, 0) + cifar_record({4, 30}, 1));
  write_bytes(dir / "cifar-100-binary" / "test.bin", cifar_record({0, 1}, 0));
  const wei::data::CifarLayout layout{2, 1};
  auto train = wei::data::load_cifar(dir.string(), CifarKind::kCifar100, true, layout);
  CHECK(train.labels.equal(torch::tensor({99, 30}, torch::kInt64)));
  CHECK(train.coarse_labels.equal(torch::tensor({19, 4}, torch::kInt64)));
  CHECK(train.images[1][0][0][1].item<int>() == 8);
  auto test = wei::data::load_cifar(dir.string(), CifarKind::kCifar100, false, layout);
  CHECK(test.labels.size(0) == 1);
}

TEST_CASE("CIFAR-10 training split concatenates the five batches in order", "[imbalanced_cifar][data]") {
  auto dir = fresh_temp_dir("c10_split");
  for (int b = 1; b <= 5; ++b) {
    write_bytes(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                cifar_record({static_cast<uint8_t>(b)}, b) + cifar_record({static_cast<uint8_t>(b + 4)}, b));
  }
  write_bytes(dir / "test_batch.bin", cifar_record({1}, 0));
  auto train = wei::data::load_cifar(dir.string(), CifarKind::kCifar10, true, wei::data::CifarLayout{2, 1});
  CHECK(train.labels.equal(torch::tensor({1, 5, 2, 6, 3, 7, 4, 8, 5, 9}, torch::kInt64)));
  CHECK(wei::data::resolve_cifar_dir(dir.string(), CifarKind::kCifar10) == dir.string());
}

TEST_CASE("CIFAR file errors name the file and byte offset", "[imbalanced_cifar][data]") {
  auto dir = fresh_temp_dir("c10_errors");
  const auto path = (dir / "data_batch_1.bin").string();

  SECTION("missing file") {
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10),
                      Contains(path) && Contains("no such file"));
  }
  SECTION("missing folder") {
    CHECK_THROWS_AS(wei::data::load_cifar((dir / "nope").string(), CifarKind::kCifar10, true), InputError);
  }
  SECTION("missing later batch") {
    write_bytes(dir / "test_batch.bin", cifar_record({1}, 0));
    write_bytes(path, cifar_record({1}, 0));
    CHECK_THROWS_WITH(wei::data::load_cifar(dir.string(), CifarKind::kCifar10, true, wei::data::CifarLayout{1, 1}),
                      Contains("data_batch_2.bin") && Contains("no such file"));
  }
  SECTION("a published file of another size: truncated, or padded with trailing bytes") {
    write_bytes(path, cifar_record({1}, 0) + cifar_record({2}, 1));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10, 3),
                      Contains(path) && Contains("truncated at byte offset 6146") &&
                          Contains("holds 3 records of 3073 bytes: 9219 bytes"));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10, 1),
                      Contains(path) && Contains("3073 trailing bytes from byte offset 3073 (padded or appended)"));
    write_bytes(path, cifar_record({1}, 0) + std::string(10, '\0'));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10, 1),
                      Contains("10 trailing bytes from byte offset 3073"));
  }
  SECTION("empty file") {
    write_bytes(path, "");
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10), Contains(path) && Contains("empty"));
  }
  SECTION("truncated file") {
    write_bytes(path, cifar_record({1}, 0) + cifar_record({2}, 1).substr(0, 100));
    CHECK_THROWS_AS(wei::data::read_cifar_file(path, CifarKind::kCifar10), InputError);
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10),
                      Contains(path) && Contains("truncated at byte offset 3173") &&
                          Contains("record at byte offset 3073 has 100 of its 3073 bytes"));
  }
  SECTION("label byte out of range") {
    write_bytes(path, cifar_record({1}, 0) + cifar_record({2}, 1) + cifar_record({10}, 2));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar10),
                      Contains(path) && Contains("record 2 at byte offset 6146") && Contains("label byte 10"));
  }
  SECTION("CIFAR-100 fine and coarse labels out of range") {
    write_bytes(path, cifar_record({1, 2}, 0) + cifar_record({2, 100}, 1));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar100),
                      Contains("record 1 at byte offset 3075") && Contains("fine label byte 100"));
    write_bytes(path, cifar_record({20, 2}, 0));
    CHECK_THROWS_WITH(wei::data::read_cifar_file(path, CifarKind::kCifar100),
                      Contains("byte offset 0") && Contains("coarse label byte 20"));
  }
}

TEST_CASE("real CIFAR-10 reads as 50,000 + 10,000 balanced images", "[imbalanced_cifar][data][real]") {
  std::string why;
  auto root = wei::testing::real_cifar10_root(why);
  if (!root) {
    WARN("skipped: " << why);
    return;
  }
  auto train = wei::data::load_cifar(*root, CifarKind::kCifar10, true);
  auto test = wei::data::load_cifar(*root, CifarKind::kCifar10, false);
  CHECK(train.images.size(0) == 50000);
  CHECK(test.images.size(0) == 10000);
  CHECK(wei::data::class_counts(train.labels, 10) == std::vector<int64_t>(10, 5000));
  CHECK(wei::data::class_counts(test.labels, 10) == std::vector<int64_t>(10, 1000));
  // Per-channel means close to the normalisation constants of the reference recipe (JPEG copy).
  auto mean = train.images.to(torch::kFloat).mean({0, 2, 3}) / 255.0;
  CHECK(mean[0].item<double>() == Approx(0.4914).margin(0.01));
  CHECK(mean[2].item<double>() == Approx(0.4465).margin(0.01));
}
