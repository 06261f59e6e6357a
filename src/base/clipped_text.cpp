#include "base/clipped_text.h"

namespace wei {

namespace {

// `at`, moved back to the start of the UTF-8 character it falls in, so that a cut splits none.
size_t character_start(const std::string& text, size_t at) {
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

std::string clipped_line(const std::string& line, size_t max_chars) {
  if (line.size() <= max_chars) return line;
  const size_t head = character_start(line, max_chars / 2);
  const size_t tail = character_start(line, line.size() - max_chars / 4);
  return line.substr(0, head) + "... (" + std::to_string(tail - head) + " characters cut) ..." + line.substr(tail);
}

}  // namespace

std::string clipped(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  return text.substr(0, character_start(text, max_chars)) + "... (" + std::to_string(text.size()) + " characters)";
}

std::string clipped_lines(const std::string& message, size_t max_line_chars) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t end = message.find('\n', start);
    out += clipped_line(message.substr(start, end == std::string::npos ? std::string::npos : end - start), max_line_chars);
    if (end == std::string::npos) return out;
    out += '\n';
    start = end + 1;
  }
}

}  // namespace wei
