#include "data/file_io.h"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "base/errors.h"

namespace wei {

namespace {

std::string read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool gzip_magic_at(const std::string& bytes, size_t at) {
  return bytes.size() >= at + 2 && static_cast<unsigned char>(bytes[at]) == 0x1f &&
         static_cast<unsigned char>(bytes[at + 1]) == 0x8b;
}

// Inflates the gzip member starting at compressed byte `start` onto `out`; returns where it ends.
size_t gunzip_member(const std::string& compressed, size_t start, const std::string& path, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + start));
  zs.avail_in = static_cast<uInt>(compressed.size() - start);
  char buffer[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      const auto at = start + zs.total_in;
      inflateEnd(&zs);
      throw InputError(path + ": truncated gzip stream (ends at compressed byte " + std::to_string(at) +
                       " after " + std::to_string(out.size()) + " uncompressed bytes)");
    }
    if (rc != Z_OK) {
      const std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      const auto at = start + zs.total_in;
      inflateEnd(&zs);
      throw InputError(path + ": corrupt gzip stream at compressed byte " + std::to_string(at) + ": " + msg);
    }
  }
  const size_t end = start + zs.total_in;
  inflateEnd(&zs);
  return end;
}

// Every gzip member of the file, one after the other (concatenated members are valid gzip); bytes
// after the last member that do not start another one are an error, not ignored.
std::string gunzip(const std::string& compressed, const std::string& path) {
  std::string out;
  size_t at = 0;
  do {
    at = gunzip_member(compressed, at, path, out);
  } while (gzip_magic_at(compressed, at));
  if (at != compressed.size()) {
    throw InputError(path + ": " + std::to_string(compressed.size() - at) +
                     " trailing bytes after the gzip stream, from compressed byte " + std::to_string(at));
  }
  return out;
}

}  // namespace

std::string read_possibly_gzipped(const std::string& path) {
  std::string bytes = read_raw(path);
  if (gzip_magic_at(bytes, 0)) return gunzip(bytes, path);
  return bytes;
}

}  // namespace wei
