#pragma once
// Text the binary wrote (an HTML page, an sbatch script, a log), read whole, and counts in it.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace wei::testing {

// The whole file; empty when it cannot be read (the checks on its content then fail).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// How often `what` occurs in `text`, overlaps included.
inline size_t count_occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace wei::testing
