#include <catch2/catch.hpp>

#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "base/errors.h"
#include "data/celeba.h"
#include "support/input_error.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

using ScratchDir = wei::testing::TempDir;
using wei::testing::input_error_of;

const char* kAttrHeader = "3\nBlond_Hair Male Smiling \n";

}  // namespace

TEST_CASE("celeba attribute file: runs of spaces, count and header lines", "[spurious_selftrain]") {
  const ScratchDir dir;
  const std::string path = dir.write("attr.txt", std::string(kAttrHeader) +
                                                     "000001.jpg -1  1  1\n"
                                                     "000002.jpg  1 -1 -1\r\n"
                                                     "000003.jpg -1 -1  1\n");
  const wei::CelebaAttributes attrs = wei::read_celeba_attributes(path);
  REQUIRE(attrs.names.size() == 3);
  REQUIRE(attrs.files.size() == 3);
  CHECK(attrs.files[1] == "000002.jpg");
  CHECK(attrs.column("Male") == 1);
  CHECK(attrs.values[0][1].item<int8_t>() == 1);
  CHECK(attrs.values[1][0].item<int8_t>() == 1);
  CHECK(attrs.values[2][0].item<int8_t>() == -1);
  CHECK_THAT(input_error_of([&] { attrs.column("Bald"); }), Contains(path) && Contains("'Bald'"));
}

TEST_CASE("celeba attribute file: malformed lines name file:line", "[spurious_selftrain]") {
  const ScratchDir dir;
  const std::string bad_value = dir.write("v.txt", std::string(kAttrHeader) + "a.jpg 1 1 1\nb.jpg 1 0 1\nc.jpg 1 1 1\n");
  CHECK_THAT(input_error_of([&] { wei::read_celeba_attributes(bad_value); }),
             Contains(bad_value + ":4:") && Contains("Male") && Contains("'0'"));
  const std::string short_row = dir.write("s.txt", std::string(kAttrHeader) + "a.jpg 1 1\n");
  CHECK_THAT(input_error_of([&] { wei::read_celeba_attributes(short_row); }),
             Contains(short_row + ":3:") && Contains("got 3 fields"));
  const std::string count = dir.write("c.txt", std::string(kAttrHeader) + "a.jpg 1 1 1\n");
  CHECK_THAT(input_error_of([&] { wei::read_celeba_attributes(count); }),
             Contains(count + ":1:") && Contains("says 3 images") && Contains("1 rows"));
  const std::string no_count = dir.write("n.txt", "Blond_Hair Male\na.jpg 1 1\n");
  CHECK_THAT(input_error_of([&] { wei::read_celeba_attributes(no_count); }), Contains(no_count + ":1:"));
  CHECK_THAT(input_error_of([&] { wei::read_celeba_attributes((dir.path() / "absent").string()); }), Contains("absent"));
}

TEST_CASE("celeba partition file", "[spurious_selftrain]") {
  const ScratchDir dir;
  const auto parts = wei::read_celeba_partition(dir.write("p.txt", "a.jpg 0\nb.jpg 2\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].first == "b.jpg");
  CHECK(parts[1].second == 2);
  const std::string bad = dir.write("q.txt", "a.jpg 0\nb.jpg 3\n");
  CHECK_THAT(input_error_of([&] { wei::read_celeba_partition(bad); }), Contains(bad + ":2:"));
}

TEST_CASE("celeba images: missing and corrupt files are input errors", "[spurious_selftrain]") {
  const ScratchDir dir;
  const std::string missing = (dir.path() / "000001.jpg").string();
  CHECK_THAT(input_error_of([&] { wei::load_celeba_image(missing, 32); }), Contains(missing) && Contains("no such image"));
  const std::string corrupt = dir.write("000002.jpg", "\xff\xd8\xff\xe0 not a jpeg");
  CHECK_THAT(input_error_of([&] { wei::load_celeba_image(corrupt, 32); }), Contains(corrupt) && Contains("cannot decode"));
  CHECK_THAT(input_error_of([&] { wei::celeba_file(dir.path().string(), "list_attr_celeba.txt"); }),
             Contains("list_attr_celeba.txt: no such file"));
}

TEST_CASE("celeba readers on the real label files and images", "[spurious_selftrain]") {
  const std::string shared = std::string(WEI_SHARED_DATA_DIR) + "/celeba";
  if (!fs::exists(shared + "/list_attr_celeba.txt.gz")) {
    WARN("skipped: " << shared << " is absent");
    return;
  }
  const wei::CelebaAttributes attrs = wei::read_celeba_attributes(wei::celeba_file(shared, "list_attr_celeba.txt"));
  REQUIRE(attrs.files.size() == 202599);
  REQUIRE(attrs.names.size() == 40);
  CHECK(attrs.column("Male") == 20);
  CHECK(attrs.column("Blond_Hair") == 9);
  CHECK(attrs.files[0] == "000001.jpg");
  CHECK(attrs.values[0][20].item<int8_t>() == -1);
  const auto parts = wei::read_celeba_partition(wei::celeba_file(shared, "list_eval_partition.txt"));
  REQUIRE(parts.size() == 202599);
  CHECK(parts.back().second == 2);

  // One image straight from the tar, into the git-ignored .cache.
  const fs::path cache = fs::path(WEI_SOURCE_DIR) / ".cache" / "celeba_test";
  fs::create_directories(cache);
  const std::string command = "tar -xf '" + shared + "/img_align_celeba_subset.tar' -C '" + cache.string() +
                              "' img_align_celeba/000001.jpg";
  REQUIRE(std::system(command.c_str()) == 0);
  const torch::Tensor image = wei::load_celeba_image((cache / "img_align_celeba" / "000001.jpg").string(), 32);
  REQUIRE(image.sizes() == torch::IntArrayRef({3, 32, 32}));
  CHECK(image.min().item<float>() >= -1.0f);
  CHECK(image.max().item<float>() <= 1.0f);
  CHECK(image.std().item<float>() > 0.1f);  // a face, not a flat image
}
