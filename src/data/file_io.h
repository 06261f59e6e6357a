#pragma once
// Reading data files as published: plain or gzipped (MNIST idx, CelebA label files).
#include <string>

namespace wei {

// The file's bytes, gunzipped when it starts with the gzip magic 1f 8b. An unreadable file, or a
// corrupt or truncated gzip stream, is an InputError naming the file (and the compressed byte offset).
std::string read_possibly_gzipped(const std::string& path);

}  // namespace wei
