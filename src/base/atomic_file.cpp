#include "base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.h"

namespace wei {

namespace {

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
}

void fsync_path(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void rename_into_place(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  fsync_path(tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw RunError("cannot write " + path.string() + ": " + ec.message());
  }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw RunError("cannot write " + path.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw RunError("cannot write " + path.string() + ": " + reason);
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  rename_into_place(tmp, path);
}

void write_via_temp(const std::filesystem::path& path, const std::function<void(const std::string&)>& write) {
  const std::filesystem::path tmp = temp_path_for(path);
  try {
    write(tmp.string());
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  rename_into_place(tmp, path);
}

}  // namespace wei
