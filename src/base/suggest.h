#pragma once
// "did you mean" support for spec keys, choices, trainer names and subcommands.
#include <optional>
#include <string>
#include <vector>

namespace wei {

// Edits (insert, delete, substitute, swap neighbours) turning a into b.
size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a distance proportional to the word's length, if any.
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);
// ", " joined.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

}  // namespace wei
