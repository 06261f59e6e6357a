#include "data/mnist_idx.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/errors.h"
#include "data/file_io.h"

namespace wei {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

uint32_t read_be32(const std::string& bytes, size_t offset, const std::string& path, const char* field) {
  if (bytes.size() < offset + 4)
    throw InputError(path + ": file ends at byte " + std::to_string(bytes.size()) + " inside the idx header (" +
                     field + " at byte " + std::to_string(offset) + ")");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string hex(uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof(text), "0x%08X", v);
  return text;
}

void check_magic(uint32_t magic, uint32_t expected, const std::string& path, const char* what) {
  if (magic != expected)
    throw InputError(path + ": byte 0: magic " + hex(magic) + " is not an idx " + what + " file (expected " +
                     hex(expected) + ")");
}

void check_size(const std::string& bytes, size_t header, size_t payload, const std::string& path,
                const std::string& what) {
  if (bytes.size() < header + payload)
    throw InputError(path + ": truncated: the header announces " + what + " (" + std::to_string(header + payload) +
                     " bytes) but the data ends at byte " + std::to_string(bytes.size()));
  if (bytes.size() > header + payload)
    throw InputError(path + ": " + std::to_string(bytes.size() - header - payload) +
                     " unexpected bytes after the data, from byte " + std::to_string(header + payload));
}

std::string existing(const std::string& root, const std::string& name) {
  const std::filesystem::path plain = std::filesystem::path(root) / name;
  if (std::filesystem::exists(plain)) return plain.string();
  const std::string gz = plain.string() + ".gz";
  if (std::filesystem::exists(gz)) return gz;
  throw InputError(plain.string() + ": no such file (nor " + gz + ")");
}

}  // namespace

torch::Tensor read_idx_images(const std::string& path) {
  const std::string bytes = read_possibly_gzipped(path);
  check_magic(read_be32(bytes, 0, path, "magic"), kImagesMagic, path, "images (idx3)");
  const int64_t count = read_be32(bytes, 4, path, "image count");
  const int64_t rows = read_be32(bytes, 8, path, "row count");
  const int64_t cols = read_be32(bytes, 12, path, "column count");
  constexpr size_t kHeader = 16;
  check_size(bytes, kHeader, static_cast<size_t>(count * rows * cols), path,
             std::to_string(count) + " images of " + std::to_string(rows) + "x" + std::to_string(cols));
  torch::Tensor images = torch::empty({count, rows, cols}, torch::kUInt8);
  std::memcpy(images.data_ptr<uint8_t>(), bytes.data() + kHeader, static_cast<size_t>(images.numel()));
  return images;
}

torch::Tensor read_idx_labels(const std::string& path) {
  const std::string bytes = read_possibly_gzipped(path);
  check_magic(read_be32(bytes, 0, path, "magic"), kLabelsMagic, path, "labels (idx1)");
  const int64_t count = read_be32(bytes, 4, path, "label count");
  constexpr size_t kHeader = 8;
  check_size(bytes, kHeader, static_cast<size_t>(count), path, std::to_string(count) + " labels");
  torch::Tensor labels = torch::empty({count}, torch::kInt64);
  auto* out = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    const auto label = static_cast<unsigned char>(bytes[kHeader + i]);
    if (label > 9)
      throw InputError(path + ": byte " + std::to_string(kHeader + i) + ": label " + std::to_string(label) +
                       " is not a digit 0..9");
    out[i] = label;
  }
  return labels;
}

MnistSplit load_mnist_split(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = existing(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = existing(root, prefix + "-labels-idx1-ubyte");
  MnistSplit split{read_idx_images(images_path), read_idx_labels(labels_path)};
  if (split.images.size(0) != split.labels.size(0))
    throw InputError(images_path + " holds " + std::to_string(split.images.size(0)) + " images but " + labels_path +
                     " holds " + std::to_string(split.labels.size(0)) + " labels");
  return split;
}

}  // namespace wei
