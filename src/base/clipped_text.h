#pragma once
// Text from the user that a message echoes is cut, so that a 200 KB value or key does not come
// back whole: a spec's values and keys, command-line arguments, paths.
#include <cstddef>
#include <string>

namespace wei {

inline constexpr size_t kMaxEchoChars = 200;

// `text` itself when it has at most `max_chars` characters, else its first `max_chars` and
// "... (N characters)" (N its whole length).
std::string clipped(const std::string& text, size_t max_chars = kMaxEchoChars);

// A message for the terminal whose every line over `max_line_chars` characters keeps its
// beginning and its end, around "... (N characters cut) ...": what a message says of a long value
// usually follows it ("--mode: VALUE not in {grid,zip}").
std::string clipped_lines(const std::string& message, size_t max_line_chars = 1000);

}  // namespace wei
