#include "data/celeba.h"

#include <filesystem>
#include <sstream>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#include <torch/nn/functional.h>

#include "base/errors.h"
#include "data/file_io.h"

namespace wei {

namespace {

// Splits on runs of spaces/tabs (the attribute file pads with two spaces before positive values).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string field;
  while (in >> field) out.push_back(field);
  return out;
}

// Lines of a text file without their "\n" / "\r\n"; a final empty line is dropped.
std::vector<std::string> lines_of(const std::string& path) {
  const std::string text = read_possibly_gzipped(path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string at_line(const std::string& path, size_t index) { return path + ":" + std::to_string(index + 1) + ": "; }

}  // namespace

int64_t CelebaAttributes::column(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int64_t>(i);
  throw InputError(source + ": no attribute '" + name + "' in the header line");
}

CelebaAttributes read_celeba_attributes(const std::string& path) {
  const std::vector<std::string> lines = lines_of(path);
  if (lines.size() < 2) throw InputError(path + ": expected a count line and a header line, the file has " +
                                         std::to_string(lines.size()) + " lines");
  int64_t count = -1;
  {
    const std::vector<std::string> f = fields(lines[0]);
    size_t used = 0;
    try {
      if (f.size() == 1) count = std::stoll(f[0], &used);
    } catch (const std::exception&) {
    }
    if (count < 0 || used != f[0].size())
      throw InputError(at_line(path, 0) + "expected the image count, got '" + lines[0] + "'");
  }
  CelebaAttributes attrs;
  attrs.source = path;
  attrs.names = fields(lines[1]);
  if (attrs.names.empty()) throw InputError(at_line(path, 1) + "expected the attribute names");
  const auto width = static_cast<int64_t>(attrs.names.size());
  std::vector<int8_t> values;
  values.reserve(static_cast<size_t>(count * width));
  for (size_t i = 2; i < lines.size(); ++i) {
    const std::vector<std::string> f = fields(lines[i]);
    if (f.empty()) {
      if (i + 1 == lines.size()) break;
      throw InputError(at_line(path, i) + "empty line");
    }
    if (static_cast<int64_t>(f.size()) != width + 1)
      throw InputError(at_line(path, i) + "expected a file name and " + std::to_string(width) + " values, got " +
                       std::to_string(f.size()) + " fields");
    attrs.files.push_back(f[0]);
    for (int64_t j = 1; j <= width; ++j) {
      if (f[j] == "1") {
        values.push_back(1);
      } else if (f[j] == "-1") {
        values.push_back(-1);
      } else {
        throw InputError(at_line(path, i) + attrs.names[j - 1] + ": value '" + f[j] + "' is not 1 or -1");
      }
    }
  }
  const auto rows = static_cast<int64_t>(attrs.files.size());
  if (rows != count)
    throw InputError(at_line(path, 0) + "the count line says " + std::to_string(count) + " images but the file has " +
                     std::to_string(rows) + " rows");
  attrs.values = torch::from_blob(values.data(), {rows, width}, torch::kInt8).clone();
  return attrs;
}

std::vector<std::pair<std::string, int>> read_celeba_partition(const std::string& path) {
  const std::vector<std::string> lines = lines_of(path);
  std::vector<std::pair<std::string, int>> out;
  out.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string> f = fields(lines[i]);
    if (f.empty() && i + 1 == lines.size()) break;
    if (f.size() != 2 || (f[1] != "0" && f[1] != "1" && f[1] != "2"))
      throw InputError(at_line(path, i) + "expected '<file> <0|1|2>', got '" + lines[i] + "'");
    out.emplace_back(f[0], f[1][0] - '0');
  }
  if (out.empty()) throw InputError(path + ": no entries");
  return out;
}

torch::Tensor load_celeba_image(const std::string& path, int64_t size) {
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &width, &height, &channels, 3);
  if (!pixels) {
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such image");
    throw InputError(path + ": cannot decode image: " + stbi_failure_reason());
  }
  const torch::Tensor hwc = torch::from_blob(pixels, {height, width, 3}, torch::kUInt8).clone();
  stbi_image_free(pixels);
  const torch::Tensor image = hwc.permute({2, 0, 1}).to(torch::kFloat).div(255).unsqueeze(0);
  // Shorter side to `size`, the other rounded down as torchvision does, then the centre crop.
  const int64_t out_h = height <= width ? size : size * height / width;
  const int64_t out_w = height <= width ? size * width / height : size;
  namespace F = torch::nn::functional;
  const torch::Tensor resized = F::interpolate(
      image, F::InterpolateFuncOptions().size(std::vector<int64_t>{out_h, out_w}).mode(torch::kBilinear)
                 .align_corners(false).antialias(true));
  const int64_t top = (out_h - size + 1) / 2;
  const int64_t left = (out_w - size + 1) / 2;
  const torch::Tensor cropped = resized[0].slice(1, top, top + size).slice(2, left, left + size);
  return ((cropped.clamp(0, 1) - 0.5) / 0.5).contiguous();
}

std::string celeba_file(const std::string& root, const std::string& name) {
  const std::filesystem::path plain = std::filesystem::path(root) / name;
  if (std::filesystem::exists(plain)) return plain.string();
  const std::string gz = plain.string() + ".gz";
  if (std::filesystem::exists(gz)) return gz;
  throw InputError(plain.string() + ": no such file (nor " + gz + ")");
}

}  // namespace wei
