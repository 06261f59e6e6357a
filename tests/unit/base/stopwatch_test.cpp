#include <catch2/catch.hpp>

#include <thread>

#include "base/stopwatch.h"

TEST_CASE("a stopwatch counts wall seconds from its construction and keeps counting", "[base]") {
  const wei::Stopwatch watch;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const double first = watch.seconds();
  CHECK(first >= 0.03);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(watch.seconds() >= first + 0.01);
}
