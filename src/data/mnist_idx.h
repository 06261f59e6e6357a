#pragma once
// MNIST in the idx format (http://yann.lecun.com/exdb/mnist/), plain or gzipped.
// Images: magic 0x00000803, count, rows, cols (big-endian uint32), then count*rows*cols bytes.
// Labels: magic 0x00000801, count, then count bytes in 0..9. Any deviation is an InputError that
// names the file and the byte offset.
#include <string>

#include <torch/types.h>

namespace wei {

// uint8 [count, rows, cols].
torch::Tensor read_idx_images(const std::string& path);
// int64 [count], each in 0..9.
torch::Tensor read_idx_labels(const std::string& path);

struct MnistSplit {
  torch::Tensor images;  // uint8 [N, 28, 28]
  torch::Tensor labels;  // int64 [N]
};

// Loads "<root>/{train,t10k}-{images-idx3,labels-idx1}-ubyte", taking the ".gz" name when the
// plain one is absent. Image and label counts must agree.
MnistSplit load_mnist_split(const std::string& root, bool train);

}  // namespace wei
