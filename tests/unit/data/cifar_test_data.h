#pragma once
// Test helpers for CIFAR files: writing small files in the binary formats, and locating the real
// CIFAR-10 built from ../shared/data (built once into <source>/.cache/cifar10, which git ignores).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace wei::testing {

// One record: label byte(s) then 3072 pixel bytes, pixel k of record r = (r * 7 + k) % 256.
inline std::string cifar_record(const std::vector<uint8_t>& label_bytes, int record) {
  std::string bytes(label_bytes.begin(), label_bytes.end());
  for (int k = 0; k < 3072; ++k) bytes.push_back(static_cast<char>((record * 7 + k) % 256));
  return bytes;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A fresh empty folder under the system temp dir.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("wei_cifar_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Root of the real CIFAR-10 binary files, building them on first use; nullopt (with the reason in
// `why`) when ../shared/data/cifar10 is absent or the build fails.
inline std::optional<std::string> real_cifar10_root(std::string& why) {
  namespace fs = std::filesystem;
  const fs::path shared = fs::path(WEI_SHARED_DATA_DIR) / "cifar10";
  const fs::path root = fs::path(WEI_SOURCE_DIR) / ".cache" / "cifar10";
  const fs::path probe = root / "cifar-10-batches-bin" / "test_batch.bin";
  if (fs::exists(probe)) return root.string();
  if (!fs::exists(shared / "build_cifar10_bin.py")) {
    why = "no real CIFAR-10: " + shared.string() + " is absent";
    return std::nullopt;
  }
  const std::string cmd = "/usr/bin/python3 '" + (shared / "build_cifar10_bin.py").string() + "' '" +
                          root.string() + "' > /dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0 || !fs::exists(probe)) {
    why = "no real CIFAR-10: building it with build_cifar10_bin.py failed (needs python3-pil)";
    return std::nullopt;
  }
  return root.string();
}

}  // namespace wei::testing
