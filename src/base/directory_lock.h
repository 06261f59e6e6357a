#pragma once
// One command per run directory (or sweep root) at a time: an flock(2) on a lock file inside the
// directory, taken before the command reads or writes anything there and held until it ends. The
// kernel drops the lock when its holder dies, kill -9 included, so a rerun after a crash needs no
// cleanup; the lock file names its holder (pid and command) for the message a second command gets.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace wei {

// Another process holds the directory: "DIR is in use by pid N (wei-run run ...)". Exit code 4.
class BusyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DirectoryLock {
 public:
  // kShared holders coexist (Slurm array tasks of one sweep root); kExclusive excludes everyone.
  enum class Mode { kExclusive, kShared };

  // Locks `dir`, creating it (and its parents) when absent. BusyError when another process holds
  // it; InputError when it cannot be created or is not a directory. `holder` describes this command.
  DirectoryLock(const std::filesystem::path& dir, Mode mode, const std::string& holder);
  // Unlocks; an exclusive holder removes the lock file first.
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  // For a command that failed before writing anything: removes the directory if this lock created
  // it and nothing but the lock file is in it (then unlocks).
  void discard_if_created();
  bool created() const { return created_; }

  static constexpr const char* kFileName = ".wei-run.lock";

 private:
  void release();
  std::filesystem::path dir_;
  Mode mode_;
  int fd_ = -1;
  bool created_ = false;
  std::filesystem::path top_created_;  // the topmost directory the constructor created
};

}  // namespace wei
