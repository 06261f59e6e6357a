#include <catch2/catch.hpp>

#include <zlib.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "base/errors.h"
#include "data/file_io.h"
#include "data/mnist_idx.h"
#include "support/input_error.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

using ScratchDir = wei::testing::TempDir;
using wei::testing::input_error_of;

std::string write_gz(const ScratchDir& dir, const std::string& name, const std::string& bytes) {
  const std::string file = (dir.path() / name).string();
  gzFile gz = gzopen(file.c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  return file;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// Two 2x3 images with pixels 0..11 and the matching label file.
std::string images_file() {
  std::string bytes = be32(0x803) + be32(2) + be32(2) + be32(3);
  for (char p = 0; p < 12; ++p) bytes += p;
  return bytes;
}
std::string labels_file() { return be32(0x801) + be32(2) + std::string{7, 3}; }

}  // namespace

TEST_CASE("idx reader: plain and gzipped files give the same tensors", "[spurious_selftrain]") {
  const ScratchDir dir;
  for (const bool gz : {false, true}) {
    const std::string images = gz ? write_gz(dir, "i.gz", images_file()) : dir.write("i", images_file());
    const std::string labels = gz ? write_gz(dir, "l.gz", labels_file()) : dir.write("l", labels_file());
    const torch::Tensor x = wei::read_idx_images(images);
    REQUIRE(x.sizes() == torch::IntArrayRef({2, 2, 3}));
    CHECK(x[1][1][2].item<uint8_t>() == 11);
    CHECK(x[0][1][0].item<uint8_t>() == 3);
    const torch::Tensor y = wei::read_idx_labels(labels);
    REQUIRE(y.size(0) == 2);
    CHECK(y[0].item<int64_t>() == 7);
    CHECK(y[1].item<int64_t>() == 3);
  }
}

TEST_CASE("idx reader: bad files are input errors naming the file and the byte", "[spurious_selftrain]") {
  const ScratchDir dir;
  using Catch::Matchers::Contains;
  const std::string wrong_magic = dir.write("magic", be32(0x801) + images_file().substr(4));
  CHECK_THAT(input_error_of([&] { wei::read_idx_images(wrong_magic); }),
             Contains(wrong_magic) && Contains("byte 0") && Contains("0x00000801") && Contains("0x00000803"));
  const std::string short_header = dir.write("header", images_file().substr(0, 10));
  CHECK_THAT(input_error_of([&] { wei::read_idx_images(short_header); }),
             Contains(short_header) && Contains("ends at byte 10") && Contains("row count"));
  const std::string truncated = dir.write("truncated", images_file().substr(0, 25));
  CHECK_THAT(input_error_of([&] { wei::read_idx_images(truncated); }),
             Contains(truncated) && Contains("truncated") && Contains("2 images of 2x3") && Contains("byte 25"));
  const std::string trailing = dir.write("trailing", labels_file() + "x");
  CHECK_THAT(input_error_of([&] { wei::read_idx_labels(trailing); }), Contains(trailing) && Contains("from byte 10"));
  const std::string bad_label = dir.write("label", be32(0x801) + be32(2) + std::string{1, 10});
  CHECK_THAT(input_error_of([&] { wei::read_idx_labels(bad_label); }), Contains("byte 9") && Contains("label 10"));
  CHECK_THAT(input_error_of([&] { wei::read_idx_labels((dir.path() / "absent").string()); }), Contains("cannot open"));
}

TEST_CASE("idx reader: truncated and corrupt gzip streams", "[spurious_selftrain]") {
  const ScratchDir dir;
  using Catch::Matchers::Contains;
  std::string big = images_file();
  big.resize(4096, '\x05');  // compressible, several deflate bytes
  std::ifstream in(write_gz(dir, "whole.gz", big), std::ios::binary);
  const std::string gz{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string cut = dir.write("cut.gz", gz.substr(0, gz.size() / 2));
  CHECK_THAT(input_error_of([&] { wei::read_possibly_gzipped(cut); }), Contains(cut) && Contains("truncated gzip"));
  std::string garbled = gz;
  for (size_t i = 10; i < garbled.size() - 8; ++i) garbled[i] = static_cast<char>(0xff);
  const std::string bad = dir.write("bad.gz", garbled);
  CHECK_THAT(input_error_of([&] { wei::read_possibly_gzipped(bad); }), Contains(bad) && Contains("corrupt gzip"));
  // Bytes after the last member are refused; a second member is read on.
  const std::string trailing = dir.write("trailing.gz", gz + "garbage");
  CHECK_THAT(input_error_of([&] { wei::read_possibly_gzipped(trailing); }),
             Contains(trailing) && Contains("7 trailing bytes after the gzip stream, from compressed byte " +
                                            std::to_string(gz.size())));
  const std::string twice = dir.write("twice.gz", gz + gz);
  CHECK(wei::read_possibly_gzipped(twice) == big + big);
}

TEST_CASE("load_mnist_split: counts must agree, files may be .gz", "[spurious_selftrain]") {
  const ScratchDir dir;
  write_gz(dir, "t10k-images-idx3-ubyte.gz", images_file());
  dir.write("t10k-labels-idx1-ubyte", labels_file());
  CHECK(wei::load_mnist_split(dir.path().string(), false).labels.size(0) == 2);
  dir.write("t10k-labels-idx1-ubyte", be32(0x801) + be32(1) + std::string{4});
  CHECK_THAT(input_error_of([&] { wei::load_mnist_split(dir.path().string(), false); }),
             Catch::Matchers::Contains("2 images") && Catch::Matchers::Contains("1 labels"));
  CHECK_THAT(input_error_of([&] { wei::load_mnist_split(dir.path().string(), true); }),
             Catch::Matchers::Contains("train-images-idx3-ubyte: no such file"));
}

TEST_CASE("load_mnist_split on the real MNIST files", "[spurious_selftrain]") {
  const std::string root = std::string(WEI_SHARED_DATA_DIR) + "/mnist";
  if (!fs::exists(root + "/t10k-images-idx3-ubyte.gz")) {
    WARN("skipped: " << root << " is absent");
    return;
  }
  const wei::MnistSplit test = wei::load_mnist_split(root, false);
  REQUIRE(test.images.sizes() == torch::IntArrayRef({10000, 28, 28}));
  CHECK(test.labels[0].item<int64_t>() == 7);  // the first test digit is a 7
  CHECK(test.labels.bincount().size(0) == 10);
  CHECK(test.images.max().item<uint8_t>() == 255);
  const wei::MnistSplit train = wei::load_mnist_split(root, true);
  CHECK(train.images.size(0) == 60000);
  CHECK(train.labels[0].item<int64_t>() == 5);  // the first training digit is a 5
}
