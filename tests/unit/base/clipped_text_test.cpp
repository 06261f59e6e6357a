#include <catch2/catch.hpp>

#include <string>

#include "base/clipped_text.h"

TEST_CASE("clipped keeps short text and cuts long text to its beginning and its length", "[base]") {
  CHECK(wei::clipped("optim.lr") == "optim.lr");
  CHECK(wei::clipped(std::string(200, 'x')) == std::string(200, 'x'));
  CHECK(wei::clipped(std::string(200000, 'x')) == std::string(200, 'x') + "... (200000 characters)");
  CHECK(wei::clipped("abcdef", 3) == "abc... (6 characters)");
  // A cut never splits a UTF-8 character: "é" is two bytes, the second at index 3.
  CHECK(wei::clipped("abcé and more", 4) == "abc... (14 characters)");
}

TEST_CASE("clipped_lines keeps the beginning and end of every over-long line", "[base]") {
  CHECK(wei::clipped_lines("short\nlines\n") == "short\nlines\n");
  const std::string line = "--mode: " + std::string(200000, 'a') + " not in {grid,zip}";
  const std::string cut = wei::clipped_lines(line + "\nRun with --help for more information.");
  CHECK(cut.size() < 1100);
  CHECK_THAT(cut, Catch::StartsWith("--mode: aaa") && Catch::Contains(" characters cut) ...aaa") &&
                      Catch::EndsWith("aaa not in {grid,zip}\nRun with --help for more information."));
}
