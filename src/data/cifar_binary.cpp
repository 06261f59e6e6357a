#include "data/cifar_binary.h"

#include <filesystem>
#include <fstream>

#include "base/errors.h"

namespace wei::data {
namespace {

namespace fs = std::filesystem;

int64_t label_bytes(CifarKind kind) { return kind == CifarKind::kCifar10 ? 1 : 2; }

const char* subfolder(CifarKind kind) {
  return kind == CifarKind::kCifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";
}

std::vector<std::string> split_files(CifarKind kind, bool train) {
  if (kind == CifarKind::kCifar100) return {train ? "train.bin" : "test.bin"};
  if (!train) return {"test_batch.bin"};
  return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
          "data_batch_5.bin"};
}

// Throws when any label byte in column `column` of the records is >= `limit`.
void check_labels(const torch::Tensor& column, int64_t limit, int64_t column_offset,
                  int64_t record_bytes, const std::string& path, const char* what) {
  auto bad = (column >= limit).nonzero();
  if (bad.numel() == 0) return;
  int64_t record = bad[0][0].item<int64_t>();
  int64_t value = column[record].item<int64_t>();
  throw InputError(path + ": corrupt record " + std::to_string(record) + " at byte offset " +
                   std::to_string(record * record_bytes + column_offset) + ": " + what + " " +
                   std::to_string(value) + " is not in 0.." + std::to_string(limit - 1));
}

}  // namespace

int64_t cifar_num_classes(CifarKind kind) { return kind == CifarKind::kCifar10 ? 10 : 100; }

const NamedValues<CifarKind>& cifar_kind_names() {
  static const NamedValues<CifarKind> names = {{"cifar10", CifarKind::kCifar10}, {"cifar100", CifarKind::kCifar100}};
  return names;
}

std::string cifar_name(CifarKind kind) { return name_of(cifar_kind_names(), kind); }

CifarLayout published_layout(CifarKind kind) {
  return kind == CifarKind::kCifar10 ? CifarLayout{10000, 10000} : CifarLayout{50000, 10000};
}

CifarSplit read_cifar_file(const std::string& path, CifarKind kind, std::optional<int64_t> expected_records) {
  const int64_t head = label_bytes(kind);
  const int64_t record_bytes = head + kCifarImageBytes;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw InputError(path + ": cannot open " + cifar_name(kind) + " file (" +
                     (fs::exists(path, ec) ? "not a regular file" : "no such file") + ")");
  }
  const int64_t size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) throw InputError(path + ": cannot read file size: " + ec.message());
  if (size == 0) throw InputError(path + ": empty file (byte offset 0)");
  if (expected_records) {
    const int64_t expected = *expected_records * record_bytes;
    const std::string records = std::to_string(*expected_records) + " records of " + std::to_string(record_bytes) +
                                " bytes: " + std::to_string(expected) + " bytes";
    if (size < expected) {
      throw InputError(path + ": truncated at byte offset " + std::to_string(size) + ": the " + cifar_name(kind) +
                       " file holds " + records);
    }
    if (size > expected) {
      throw InputError(path + ": " + std::to_string(size - expected) + " trailing bytes from byte offset " +
                       std::to_string(expected) + " (padded or appended): the " + cifar_name(kind) + " file holds " +
                       records);
    }
  }
  if (size % record_bytes != 0) {
    const int64_t last = size / record_bytes * record_bytes;
    throw InputError(path + ": truncated at byte offset " + std::to_string(size) + ": the record at byte offset " +
                     std::to_string(last) + " has " + std::to_string(size - last) + " of its " +
                     std::to_string(record_bytes) + " bytes");
  }
  const int64_t n = size / record_bytes;
  auto raw = torch::empty({n, record_bytes}, torch::kUInt8);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open for reading");
  in.read(reinterpret_cast<char*>(raw.data_ptr<uint8_t>()), size);
  if (in.gcount() != size) {
    throw InputError(path + ": read failed at byte offset " + std::to_string(in.gcount()));
  }

  CifarSplit split;
  auto labels = raw.select(1, head - 1).to(torch::kInt64);
  check_labels(labels, cifar_num_classes(kind), head - 1, record_bytes, path,
               kind == CifarKind::kCifar10 ? "label byte" : "fine label byte");
  split.labels = labels;
  if (kind == CifarKind::kCifar100) {
    auto coarse = raw.select(1, 0).to(torch::kInt64);
    check_labels(coarse, 20, 0, record_bytes, path, "coarse label byte");
    split.coarse_labels = coarse;
  }
  split.images = raw.narrow(1, head, kCifarImageBytes).contiguous().view({n, 3, 32, 32});
  return split;
}

std::string resolve_cifar_dir(const std::string& root, CifarKind kind) {
  const std::string probe = split_files(kind, false).front();
  std::error_code ec;
  if (fs::exists(fs::path(root) / probe, ec)) return root;
  const fs::path sub = fs::path(root) / subfolder(kind);
  if (fs::is_directory(sub, ec)) return sub.string();
  throw InputError(root + ": no " + cifar_name(kind) + " binary files here (expected " + probe +
                   " in it or in " + subfolder(kind) + "/)");
}

CifarSplit load_cifar(const std::string& root, CifarKind kind, bool train) {
  return load_cifar(root, kind, train, published_layout(kind));
}

CifarSplit load_cifar(const std::string& root, CifarKind kind, bool train, const CifarLayout& layout) {
  const fs::path dir = resolve_cifar_dir(root, kind);
  std::vector<torch::Tensor> images, labels, coarse;
  for (const auto& name : split_files(kind, train)) {
    auto part = read_cifar_file((dir / name).string(), kind,
                                train ? layout.train_records_per_file : layout.test_records);
    images.push_back(part.images);
    labels.push_back(part.labels);
    if (part.coarse_labels.defined()) coarse.push_back(part.coarse_labels);
  }
  CifarSplit split;
  split.images = images.size() == 1 ? images[0] : torch::cat(images);
  split.labels = labels.size() == 1 ? labels[0] : torch::cat(labels);
  if (!coarse.empty()) split.coarse_labels = torch::cat(coarse);
  return split;
}

}  // namespace wei::data
