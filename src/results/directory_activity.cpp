#include "results/directory_activity.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/directory_lock.h"

namespace wei {

bool directory_in_use(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat((dir / DirectoryLock::kFileName).c_str(), &st) != 0) return false;  // released: the file is removed
  // Lines of /proc/locks: "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; the device is
  // major:minor in hex, the inode in decimal.
  std::ifstream locks("/proc/locks");
  for (std::string line; std::getline(locks, line);) {
    std::istringstream in(line);
    std::string ordinal, kind, advisory, mode, pid, device;
    in >> ordinal >> kind;
    if (kind == "->") in >> kind;  // a waiter: "1: -> FLOCK ..."
    in >> advisory >> mode >> pid >> device;
    if (kind != "FLOCK") continue;
    const size_t second = device.rfind(':');
    const size_t first = device.find(':');
    if (first == std::string::npos || second == first) continue;
    try {
      const unsigned long major_number = std::stoul(device.substr(0, first), nullptr, 16);
      const unsigned long minor_number = std::stoul(device.substr(first + 1, second - first - 1), nullptr, 16);
      const unsigned long long inode = std::stoull(device.substr(second + 1));
      if (major_number == major(st.st_dev) && minor_number == minor(st.st_dev) && inode == st.st_ino) return true;
    } catch (const std::exception&) {
      continue;
    }
  }
  return false;
}

}  // namespace wei
