// ctest learns the test cases from their names (catch_discover_tests, a CMake list), and a name
// holding ';' or an unbalanced '[' or ']' breaks that list: every later test would silently run
// as part of one.
#include <catch2/catch.hpp>
#include <string>

TEST_CASE("no test name holds a character that breaks ctest's discovery", "[meta]") {
  const auto& tests = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
  REQUIRE(tests.size() > 100);
  for (const auto& test : tests) {
    INFO(test.name);
    CHECK(test.name.find(';') == std::string::npos);
    int depth = 0;
    bool balanced = true;
    for (const char c : test.name) {
      depth += c == '[' ? 1 : c == ']' ? -1 : 0;
      balanced = balanced && depth >= 0;
    }
    CHECK((balanced && depth == 0));
    CHECK(test.name.rfind('-', 0) == std::string::npos);  // a leading '-' reads as an option
  }
}
