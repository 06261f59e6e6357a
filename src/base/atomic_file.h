#pragma once
// Result files are never half-written: content goes to a temporary file in the same directory,
// is flushed to disk, then renamed over the destination (atomic on POSIX filesystems).
#include <filesystem>
#include <functional>
#include <string>

namespace wei {

void write_file_atomic(const std::filesystem::path& path, const std::string& content);
// For writers that need a path (torch archives): `write(tmp_path)` then rename into place.
void write_via_temp(const std::filesystem::path& path, const std::function<void(const std::string&)>& write);

}  // namespace wei
