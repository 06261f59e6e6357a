#pragma once
// Every file wei-run writes goes through here, so that a crash, a kill -9 or a full disk never
// leaves a half-written result in place of a good one:
//   write_file_durably: the content goes to a temporary file in the same directory, is flushed and
//     fsync'ed, checked to be complete on disk, renamed over the destination, and the directory is
//     fsync'ed. On any failure the previous file is untouched and the temporary file removed.
//   append_line_durably: one line appended and fsync'ed; on failure the file is cut back to its
//     previous length, so it never ends in a torn line written by us.
// Failures throw WriteError, naming the path, the error and the free space of its filesystem.
// Temporary files are named ".<name>.tmp.<pid>"; remove_stale_temp_files() clears those a killed
// process left behind.
#include <filesystem>
#include <string>
#include <string_view>

#include "base/errors.h"

namespace wei {

// A file could not be written: disk full (ENOSPC), quota (EDQUOT), read-only (EROFS), I/O error
// (EIO), ... The run that meets it stops with its last checkpoint intact.
class WriteError : public RunError {
 public:
  WriteError(const std::filesystem::path& path, int error_number, const std::string& doing);
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

void write_file_durably(const std::filesystem::path& path, std::string_view content);
// The two halves of write_file_durably, for a writer that does something in between (the
// checkpoint keeps the previous one): the complete, fsync'ed temporary file beside `path` ...
std::filesystem::path write_temp_durably(const std::filesystem::path& path, std::string_view content);
// ... and its rename over `path` (the temporary file is removed when that fails).
void commit_temp(const std::filesystem::path& tmp, const std::filesystem::path& path);
void append_line_durably(const std::filesystem::path& path, std::string_view line);

// Removes the temporary files (".<name>.tmp.<pid>") in `dir` whose writer is no longer running.
// Returns how many it removed.
int remove_stale_temp_files(const std::filesystem::path& dir);

// "12.3 GB free" for the filesystem holding `path` ("free space unknown" when it cannot be read).
std::string free_space_text(const std::filesystem::path& path);
// "1.5 KB", "12.3 GB".
std::string byte_size_text(double bytes);

}  // namespace wei
