#pragma once
// Reading data files as published: plain or gzipped (MNIST idx, CelebA label files).
#include <string>

namespace wei {

// The file's bytes, gunzipped when it starts with the gzip magic 1f 8b. An unreadable file, a corrupt
// or truncated gzip stream, or bytes after the last gzip member are an InputError naming the file
// (and the compressed byte offset).
std::string read_possibly_gzipped(const std::string& path);

}  // namespace wei
