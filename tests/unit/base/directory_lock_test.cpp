#include "base/directory_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "base/errors.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

// Exit code of a forked child that tries to lock `dir`: 0 locked, 4 busy, 2 other error.
int lock_in_child(const fs::path& dir, wei::DirectoryLock::Mode mode) {
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      wei::DirectoryLock lock(dir, mode, "child");
      _exit(0);
    } catch (const wei::BusyError&) {
      _exit(4);
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("an exclusive lock keeps every other process out and names its holder", "[base]") {
  wei::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "run";
  {
    wei::DirectoryLock lock(dir, wei::DirectoryLock::Mode::kExclusive, "wei-run run spec.yaml");
    CHECK(lock.created());
    CHECK(lock_in_child(dir, wei::DirectoryLock::Mode::kExclusive) == 4);
    CHECK(lock_in_child(dir, wei::DirectoryLock::Mode::kShared) == 4);
    std::ifstream in(dir / wei::DirectoryLock::kFileName);
    std::string holder;
    std::getline(in, holder);
    CHECK(holder == "pid " + std::to_string(getpid()) + ": wei-run run spec.yaml");
  }
  // Released (and its file removed): the next command gets it.
  CHECK_FALSE(fs::exists(dir / wei::DirectoryLock::kFileName));
  CHECK(lock_in_child(dir, wei::DirectoryLock::Mode::kExclusive) == 0);
}

TEST_CASE("shared locks coexist and keep an exclusive one out", "[base]") {
  wei::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "root";
  wei::DirectoryLock lock(dir, wei::DirectoryLock::Mode::kShared, "sweep task");
  CHECK(lock_in_child(dir, wei::DirectoryLock::Mode::kShared) == 0);
  CHECK(lock_in_child(dir, wei::DirectoryLock::Mode::kExclusive) == 4);
}

TEST_CASE("a failed start removes the directories its lock created, and only those", "[base]") {
  wei::testing::TempDir tmp;
  {
    wei::DirectoryLock lock(tmp.path() / "results" / "name" / "run", wei::DirectoryLock::Mode::kExclusive, "x");
    lock.discard_if_created();
  }
  CHECK_FALSE(fs::exists(tmp.path() / "results"));
  fs::create_directories(tmp.path() / "kept");
  {
    wei::DirectoryLock lock(tmp.path() / "kept", wei::DirectoryLock::Mode::kExclusive, "x");
    CHECK_FALSE(lock.created());
    lock.discard_if_created();
  }
  CHECK(fs::exists(tmp.path() / "kept"));
  CHECK(fs::is_empty(tmp.path() / "kept"));
}

TEST_CASE("an output path that is a file or cannot be made is bad input", "[base]") {
  wei::testing::TempDir tmp;
  tmp.write("file", "x");
  CHECK_THROWS_AS(wei::DirectoryLock(tmp.path() / "file", wei::DirectoryLock::Mode::kExclusive, "x"), wei::InputError);
  CHECK_THROWS_AS(wei::DirectoryLock(tmp.path() / "file" / "sub", wei::DirectoryLock::Mode::kExclusive, "x"),
                  wei::InputError);
}
