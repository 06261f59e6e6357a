#pragma once
// CelebA readers (http://mmlab.ie.cuhk.edu.hk/projects/CelebA.html): the attribute table
// list_attr_celeba.txt, the split file list_eval_partition.txt (both plain or gzipped) and the
// aligned JPEGs img_align_celeba/*.jpg. Malformed lines are InputErrors naming file:line.
#include <string>
#include <vector>

#include <torch/types.h>

namespace wei {

struct CelebaAttributes {
  std::vector<std::string> names;  // attribute names in column order ("5_o_Clock_Shadow", ...)
  std::vector<std::string> files;  // image file names in row order ("000001.jpg", ...)
  torch::Tensor values;            // int8 [files, names], each +1 or -1

  // Column of `name`; an unknown name is an InputError naming the file.
  int64_t column(const std::string& name) const;
  std::string source;  // the file it came from, for messages
};

// Line 1: the image count; line 2: the attribute names; then "<file> <+-1> x names" with runs of
// spaces. The count must match the rows.
CelebaAttributes read_celeba_attributes(const std::string& path);

// "<file> <0|1|2>" per line (0 train, 1 validation, 2 test), in file order.
std::vector<std::pair<std::string, int>> read_celeba_partition(const std::string& path);

// Decodes a JPEG (any stb_image format), resizes its shorter side to `size` (bilinear with
// antialiasing, like torchvision's Resize on a PIL image), centre-crops size x size and maps
// [0, 1] to [-1, 1] (normalise with mean 0.5, std 0.5). Returns float [3, size, size].
torch::Tensor load_celeba_image(const std::string& path, int64_t size);

// "<root>/<name>" or, when that is absent, "<root>/<name>.gz"; neither is an InputError.
std::string celeba_file(const std::string& root, const std::string& name);

}  // namespace wei
