#include "train/checkpoint_file.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

void save_value(const fs::path& dir, int64_t value) {
  torch::serialize::OutputArchive archive;
  archive.write("value", torch::tensor({value}));
  wei::write_checkpoint(dir / "last.pt", dir / "prev.pt", archive);
}

int64_t load_value(const fs::path& path) {
  torch::serialize::InputArchive archive;
  wei::read_checkpoint(path, archive);
  torch::Tensor value;
  archive.read("value", value);
  return value.item<int64_t>();
}

std::string checkpoint_test_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("checkpoints round-trip and keep the one before as prev.pt", "[run]") {
  wei::testing::TempDir tmp;
  save_value(tmp.path(), 1);
  CHECK_FALSE(fs::exists(tmp.path() / "prev.pt"));
  save_value(tmp.path(), 2);
  save_value(tmp.path(), 3);
  CHECK(load_value(tmp.path() / "last.pt") == 3);
  CHECK(load_value(tmp.path() / "prev.pt") == 2);
  CHECK(wei::checkpoint_problem(tmp.path() / "last.pt").empty());
  CHECK(checkpoint_test_bytes(tmp.path() / "last.pt").substr(0, 8) == "WEICKPT1");
}

TEST_CASE("any change to a checkpoint's bytes is caught before it is read", "[run]") {
  wei::testing::TempDir tmp;
  save_value(tmp.path(), 7);
  const auto path = tmp.path() / "last.pt";
  const std::string good = checkpoint_test_bytes(path);
  const auto damaged = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return wei::checkpoint_problem(path);
  };
  for (size_t at = 32; at < good.size(); at += good.size() / 13) {
    std::string flipped = good;
    flipped[at] ^= 1;
    CHECK_THAT(damaged(flipped), Catch::Contains("checksum mismatch"));
  }
  CHECK_THAT(damaged(good.substr(0, good.size() - 1)), Catch::Contains("truncated checkpoint"));
  CHECK_THAT(damaged(good.substr(0, 20)), Catch::Contains("truncated checkpoint"));
  CHECK_THAT(damaged(good + "x"), Catch::Contains("1 trailing bytes"));
  CHECK_THAT(damaged("PK\x03\x04 a torch archive without our header"), Catch::Contains("not a wei-run checkpoint"));
  CHECK_THAT(wei::checkpoint_problem(tmp.path() / "missing.pt"), Catch::Contains("no such file"));
  damaged(good);
  CHECK(load_value(path) == 7);
  std::string flipped = good;
  flipped[good.size() / 2] ^= 1;
  damaged(flipped);
  CHECK_THROWS_AS(load_value(path), wei::CheckpointError);
}
