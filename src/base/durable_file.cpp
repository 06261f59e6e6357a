#include "base/durable_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>

#include "base/fault_injection.h"

namespace wei {

namespace fs = std::filesystem;

namespace {

const char* errno_name(int e) {
  switch (e) {
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EROFS: return "EROFS";
    case EIO: return "EIO";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    default: return nullptr;
  }
}

// write(2) all of `data`; returns 0 or the errno of the failure.
int write_all(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    const size_t chunk = std::min<size_t>(data.size() - done, size_t{1} << 24);
    if (inject_enospc(chunk)) return ENOSPC;
    const ssize_t n = ::write(fd, data.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

fs::path temp_path_for(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);  // some filesystems refuse fsync on directories; the rename is then as durable as it gets
  ::close(fd);
}

}  // namespace

std::string byte_size_text(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

std::string free_space_text(const fs::path& path) {
  struct statvfs st {};
  fs::path probe = path;
  while (!probe.empty() && ::statvfs(probe.c_str(), &st) != 0) probe = probe.parent_path();
  if (probe.empty() && ::statvfs(".", &st) != 0) return "free space unknown";
  return byte_size_text(static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize)) + " free there";
}

WriteError::WriteError(const fs::path& path, int error_number, const std::string& doing)
    : RunError("cannot write " + path.string() + " (" + doing + "): " + std::strerror(error_number) +
               (errno_name(error_number) ? std::string(" (") + errno_name(error_number) + ")" : std::string()) + "; " +
               free_space_text(path.parent_path())),
      error_number_(error_number) {}

fs::path write_temp_durably(const fs::path& path, std::string_view content) {
  const fs::path tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw WriteError(path, errno, "creating its temporary file");
  const auto fail = [&](int error, const char* doing) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw WriteError(path, error, doing);
  };
  const size_t half = content.size() / 2;
  if (const int error = write_all(fd, content.substr(0, half))) fail(error, "writing");
  inject_sigkill_in_write(WritePoint::kPartial);
  if (const int error = write_all(fd, content.substr(half))) fail(error, "writing");
  if (::fsync(fd) != 0) fail(errno, "flushing to disk");
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(errno, "checking its size");
  if (static_cast<size_t>(st.st_size) != content.size()) fail(EIO, "checking its size");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw WriteError(path, error, "closing");
  }
  return tmp;
}

void commit_temp(const fs::path& tmp, const fs::path& path) {
  inject_sigkill_in_write(WritePoint::kBeforeRename);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw WriteError(path, error, "renaming into place");
  }
  fsync_directory(path.parent_path());
  inject_sigkill_in_write(WritePoint::kAfterRename);
}

void write_file_durably(const fs::path& path, std::string_view content) {
  commit_temp(write_temp_durably(path, content), path);
}

void append_line_durably(const fs::path& path, std::string_view line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw WriteError(path, errno, "opening to append");
  struct stat st {};
  const off_t before = ::fstat(fd, &st) == 0 ? st.st_size : -1;
  std::string text(line);
  text += '\n';
  const std::string_view all(text);
  int error = write_all(fd, all.substr(0, all.size() / 2));
  inject_sigkill_in_write(WritePoint::kPartial);
  if (!error) error = write_all(fd, all.substr(all.size() / 2));
  const char* doing = "appending";
  if (!error && ::fsync(fd) != 0) {
    error = errno;
    doing = "flushing to disk";
  }
  if (error) {
    if (before >= 0) (void)::ftruncate(fd, before);  // no torn line of ours stays behind
    ::close(fd);
    throw WriteError(path, error, doing);
  }
  ::close(fd);
}

int remove_stale_temp_files(const fs::path& dir) {
  static const std::regex kTemp(R"(\..+\.tmp\.([0-9]+))");
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, match, kTemp)) continue;
    const pid_t writer = static_cast<pid_t>(std::stoll(match[1].str()));
    if (writer != ::getpid() && (::kill(writer, 0) == 0 || errno == EPERM)) continue;  // its writer still runs
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace wei
