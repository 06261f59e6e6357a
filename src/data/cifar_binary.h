#pragma once
// Readers for the CIFAR binary formats (https://www.cs.toronto.edu/~kriz/cifar.html):
//   CIFAR-10:  data_batch_1..5.bin, test_batch.bin; records of <1 label byte><3072 pixel bytes>
//   CIFAR-100: train.bin, test.bin; records of <1 coarse byte><1 fine byte><3072 pixel bytes>
// Pixels are stored as three 32x32 planes (R, G, B), row-major. Any problem with a file (missing,
// empty, truncated, a label byte out of range) is an InputError naming the file and byte offset.
#include <optional>
#include <string>

#include <torch/types.h>

#include "base/named_values.h"

namespace wei::data {

enum class CifarKind { kCifar10, kCifar100 };

struct CifarSplit {
  torch::Tensor images;         // uint8 [N, 3, 32, 32]
  torch::Tensor labels;         // int64 [N]; CIFAR-100: the fine label
  torch::Tensor coarse_labels;  // int64 [N]; CIFAR-100 only, undefined for CIFAR-10
};

constexpr int64_t kCifarImageBytes = 3 * 32 * 32;

int64_t cifar_num_classes(CifarKind kind);
// "cifar10" / "cifar100".
const NamedValues<CifarKind>& cifar_kind_names();
std::string cifar_name(CifarKind kind);

// Reads every record of one binary file. With `expected_records`, the file must hold exactly that
// many: a shorter one is "truncated", a longer one has "trailing bytes" (a padded or appended file).
CifarSplit read_cifar_file(const std::string& path, CifarKind kind, std::optional<int64_t> expected_records = std::nullopt);

// Records per file of a split: the published files' (10,000 per CIFAR-10 batch; 50,000 and 10,000
// in CIFAR-100's train.bin and test.bin). Tests pass smaller layouts to load_cifar.
struct CifarLayout {
  int64_t train_records_per_file;
  int64_t test_records;
};
CifarLayout published_layout(CifarKind kind);

// The folder holding the split files: `root` itself when it holds them, else the standard
// sub-folder (cifar-10-batches-bin / cifar-100-binary). InputError when neither exists.
std::string resolve_cifar_dir(const std::string& root, CifarKind kind);

// All files of the training or test split, concatenated in the standard order, each checked to hold
// exactly the records of `layout`.
CifarSplit load_cifar(const std::string& root, CifarKind kind, bool train);
CifarSplit load_cifar(const std::string& root, CifarKind kind, bool train, const CifarLayout& layout);

}  // namespace wei::data
