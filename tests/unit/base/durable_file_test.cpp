#include "base/durable_file.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace {

std::string durable_test_read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a durable write replaces the file whole and leaves no temporary file", "[base]") {
  wei::testing::TempDir tmp;
  const auto path = tmp.path() / "metrics.json";
  wei::write_file_durably(path, "first");
  wei::write_file_durably(path, "second, longer");
  CHECK(durable_test_read(path) == "second, longer");
  CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()), {}) == 1);

  // Its halves: the temporary file is complete before it is committed.
  const auto temp = wei::write_temp_durably(path, "third");
  CHECK(durable_test_read(temp) == "third");
  CHECK(durable_test_read(path) == "second, longer");
  wei::commit_temp(temp, path);
  CHECK(durable_test_read(path) == "third");
  CHECK_FALSE(std::filesystem::exists(temp));
}

TEST_CASE("a write that cannot happen names the path and the error and changes nothing", "[base]") {
  wei::testing::TempDir tmp;
  const auto missing_dir = tmp.path() / "nope" / "metrics.json";
  try {
    wei::write_file_durably(missing_dir, "x");
    FAIL("expected a WriteError");
  } catch (const wei::WriteError& e) {
    CHECK(e.error_number() == ENOENT);
    CHECK_THAT(e.what(), Catch::Contains(missing_dir.string()) && Catch::Contains("(ENOENT)") &&
                             Catch::Contains("free there"));
  }
  CHECK_THROWS_AS(wei::append_line_durably(missing_dir, "row"), wei::WriteError);
}

TEST_CASE("appended lines end with a newline each", "[base]") {
  wei::testing::TempDir tmp;
  const auto path = tmp.path() / "history.jsonl";
  wei::append_line_durably(path, "{\"epoch\": 1}");
  wei::append_line_durably(path, "{\"epoch\": 2}");
  CHECK(durable_test_read(path) == "{\"epoch\": 1}\n{\"epoch\": 2}\n");
}

TEST_CASE("temporary files of writers that are gone are removed, live writers' are kept", "[base]") {
  wei::testing::TempDir tmp;
  // pid 1 is always running; a pid above the kernel's maximum never is.
  tmp.write(".last.pt.tmp.1", "live");
  tmp.write(".last.pt.tmp.99999999", "dead");
  tmp.write(".metrics.json.tmp." + std::to_string(::getpid()), "ours");
  tmp.write("last.pt", "kept");
  tmp.write("notes.tmp.txt", "kept");
  CHECK(wei::remove_stale_temp_files(tmp.path()) == 2);
  CHECK(std::filesystem::exists(tmp.path() / ".last.pt.tmp.1"));
  CHECK_FALSE(std::filesystem::exists(tmp.path() / ".last.pt.tmp.99999999"));
  CHECK(std::filesystem::exists(tmp.path() / "last.pt"));
  CHECK(std::filesystem::exists(tmp.path() / "notes.tmp.txt"));
}

TEST_CASE("byte sizes read as people write them", "[base]") {
  CHECK(wei::byte_size_text(512) == "512 B");
  CHECK(wei::byte_size_text(1536) == "1.5 KB");
  CHECK(wei::byte_size_text(3.5 * 1024 * 1024 * 1024) == "3.5 GB");
}
