#include "base/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace wei {

namespace fs = std::filesystem;

namespace {

// What the holder wrote into the lock file: "pid N: command".
std::string holder_of(const fs::path& lock_file) {
  std::ifstream in(lock_file);
  std::string line;
  std::getline(in, line);
  return line.empty() ? "another process" : line;
}

}  // namespace

DirectoryLock::DirectoryLock(const fs::path& dir, Mode mode, const std::string& holder) : dir_(dir), mode_(mode) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw InputError(dir.string() + ": exists and is not a directory; choose another output directory");
  }
  if (!fs::exists(dir, ec)) {
    // The topmost directory this command creates, so a failed start can remove all it made.
    fs::path top = fs::absolute(dir, ec).lexically_normal();
    while (top.has_parent_path() && top.parent_path() != top && !fs::exists(top.parent_path(), ec)) top = top.parent_path();
    created_ = fs::create_directories(dir, ec);
    if (ec) throw InputError(dir.string() + ": cannot create the directory: " + ec.message());
    if (created_) top_created_ = top;
  }
  const fs::path file = dir / kFileName;
  for (int attempt = 0;; ++attempt) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      const int error = errno;
      discard_if_created();
      throw InputError(dir.string() + ": cannot lock the directory: " + std::strerror(error));
    }
    if (::flock(fd_, (mode == Mode::kExclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      if (error == EWOULDBLOCK) throw BusyError(dir.string() + " is in use by " + holder_of(file));
      throw InputError(dir.string() + ": cannot lock the directory: " + std::strerror(error));
    }
    // A holder that was just releasing may have removed the file we opened: lock the one in place.
    struct stat held {}, named {};
    if (::fstat(fd_, &held) == 0 && ::stat(file.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      break;
    }
    ::close(fd_);
    fd_ = -1;
    if (attempt > 100) throw BusyError(dir.string() + " is in use (its lock file keeps changing)");
  }
  if (mode == Mode::kExclusive) {
    const std::string text = "pid " + std::to_string(::getpid()) + ": " + holder + "\n";
    // Best effort: a full disk must not stop the run from locking what it already owns.
    if (::ftruncate(fd_, 0) == 0) (void)::pwrite(fd_, text.data(), text.size(), 0);
  }
}

DirectoryLock::~DirectoryLock() { release(); }

void DirectoryLock::release() {
  if (fd_ < 0) return;
  if (mode_ == Mode::kExclusive) ::unlink((dir_ / kFileName).c_str());
  ::close(fd_);
  fd_ = -1;
}

void DirectoryLock::discard_if_created() {
  const bool remove_dir = created_;
  release();
  if (!remove_dir) return;
  std::error_code ec;
  ::unlink((dir_ / kFileName).c_str());
  // Each directory this command created, leaf first; fs::remove only removes an empty one.
  for (fs::path d = fs::absolute(dir_, ec).lexically_normal(); !d.empty(); d = d.parent_path()) {
    if (d.filename().empty()) d = d.parent_path();  // a trailing '/'
    if (!fs::remove(d, ec) || d == top_created_ || d == d.parent_path()) break;
  }
  created_ = false;
}

}  // namespace wei
