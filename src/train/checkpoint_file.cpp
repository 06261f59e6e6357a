#include "train/checkpoint_file.h"

#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include <xxhash.h>

#include "base/durable_file.h"

namespace wei {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'W', 'E', 'I', 'C', 'K', 'P', 'T', '1'};
constexpr size_t kHeaderBytes = 8 + 8 + 16;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(const std::string& in, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  return v;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path.string() + ": cannot read the checkpoint (" +
                                 (fs::exists(path) ? "not readable" : "no such file") + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A read-only, seekable stream over bytes held elsewhere (a checkpoint can be gigabytes: no copy).
class ByteView : public std::streambuf {
 public:
  ByteView(const char* data, size_t size) {
    char* begin = const_cast<char*>(data);
    setg(begin, begin, begin + size);
  }

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    char* target = (dir == std::ios_base::beg ? eback() : dir == std::ios_base::cur ? gptr() : egptr()) + off;
    if (target < eback() || target > egptr()) return pos_type(off_type(-1));
    setg(eback(), target, egptr());
    return pos_type(target - eback());
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode mode) override {
    return seekoff(off_type(pos), std::ios_base::beg, mode);
  }
};

// Checks a checkpoint file's bytes; throws CheckpointError naming the problem. The payload starts
// at kHeaderBytes.
void verify(const fs::path& path, const std::string& bytes) {
  const std::string name = path.string();
  if (bytes.size() < kHeaderBytes) {
    if (bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) != 0)
      throw CheckpointError(name + ": not a wei-run checkpoint (no WEICKPT1 header)");
    throw CheckpointError(name + ": truncated checkpoint (" + std::to_string(bytes.size()) + " bytes, shorter than its header)");
  }
  if (std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw CheckpointError(name + ": not a wei-run checkpoint (no WEICKPT1 header)");
  const uint64_t length = get_u64(bytes, 8);
  const uint64_t actual = bytes.size() - kHeaderBytes;
  if (actual < length)
    throw CheckpointError(name + ": truncated checkpoint (" + std::to_string(actual) + " of " + std::to_string(length) +
                          " payload bytes)");
  if (actual > length)
    throw CheckpointError(name + ": " + std::to_string(actual - length) + " trailing bytes after the checkpoint");
  XXH128_hash_t expected;
  expected.low64 = get_u64(bytes, 16);
  expected.high64 = get_u64(bytes, 24);
  const XXH128_hash_t hash = XXH3_128bits(bytes.data() + kHeaderBytes, length);
  if (!XXH128_isEqual(hash, expected))
    throw CheckpointError(name + ": checksum mismatch: the checkpoint is corrupt");
}

}  // namespace

void write_checkpoint(const fs::path& path, const fs::path& previous, torch::serialize::OutputArchive& archive) {
  std::ostringstream payload_stream;
  archive.save_to(payload_stream);
  const std::string payload = payload_stream.str();
  const XXH128_hash_t hash = XXH3_128bits(payload.data(), payload.size());
  std::string bytes(kMagic, 8);
  put_u64(bytes, payload.size());
  put_u64(bytes, hash.low64);
  put_u64(bytes, hash.high64);
  bytes += payload;

  // The new checkpoint is complete on disk before anything is renamed: a full disk leaves last.pt
  // and prev.pt as they were.
  const fs::path tmp = write_temp_durably(path, bytes);
  if (fs::exists(path)) {
    // prev.pt becomes the current last.pt through a temporary hard link renamed into place, so
    // last.pt exists at every moment.
    const fs::path link = previous.parent_path() / ("." + previous.filename().string() + ".tmp." + std::to_string(::getpid()));
    ::unlink(link.c_str());
    if (::link(path.c_str(), link.c_str()) != 0 || ::rename(link.c_str(), previous.c_str()) != 0) {
      const int error = errno;
      ::unlink(link.c_str());
      ::unlink(tmp.c_str());
      throw WriteError(previous, error, "keeping the previous checkpoint");
    }
    ::unlink(link.c_str());  // still there when prev.pt already was this file (rename of two links to one file)
  }
  commit_temp(tmp, path);
}

void read_checkpoint(const fs::path& path, torch::serialize::InputArchive& archive) {
  const std::string bytes = read_all(path);
  verify(path, bytes);
  ByteView view(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes);
  std::istream in(&view);
  try {
    archive.load_from(in);
  } catch (const c10::Error& e) {
    throw CheckpointError(path.string() + ": the checkpoint does not parse: " + e.what_without_backtrace());
  }
}

std::string checkpoint_problem(const fs::path& path) {
  try {
    verify(path, read_all(path));
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

}  // namespace wei
