#include "train/schedule.h"

#include <cmath>

#include <catch2/catch.hpp>

using wei::Schedule;
using wei::ScheduleKind;
using wei::schedule_value;

TEST_CASE("multistep with warm-up follows the LDAM-DRW reference (milestones count completed epochs)", "[schedule]") {
  Schedule s;
  s.kind = ScheduleKind::kMultistep;
  s.base = 0.1;
  s.milestones = {160, 180};
  s.gamma = 0.01;
  s.warmup = 5;
  CHECK(schedule_value(s, 0) == Approx(0.02));
  CHECK(schedule_value(s, 4) == Approx(0.1));
  CHECK(schedule_value(s, 5) == 0.1);
  CHECK(schedule_value(s, 159) == 0.1);
  CHECK(schedule_value(s, 160) == 0.1 * 0.01);         // the 161st epoch: 160 completed
  CHECK(schedule_value(s, 179) == 0.1 * 0.01);
  CHECK(schedule_value(s, 180) == 0.1 * 0.01 * 0.01);  // repeated multiplication, as MultiStepLR
  s.warmup = 0;
  CHECK(schedule_value(s, 0) == 0.1);
}

TEST_CASE("fixed ignores milestones, and warm-up applies to any kind", "[schedule]") {
  Schedule s;
  s.base = 0.5;
  s.milestones = {1};
  CHECK(schedule_value(s, 10) == 0.5);
  s.warmup = 2;
  CHECK(schedule_value(s, 0) == 0.25);
  CHECK(schedule_value(s, 2) == 0.5);
}

TEST_CASE("cosine annealing and FixMatch's cosine decay", "[schedule]") {
  Schedule s;
  s.kind = ScheduleKind::kCosine;
  s.base = 0.2;
  s.total = 100;
  CHECK(schedule_value(s, 0) == Approx(0.2));
  CHECK(schedule_value(s, 50) == Approx(0.1));
  CHECK(schedule_value(s, 100) == Approx(0.0).margin(1e-12));
  s.kind = ScheduleKind::kFixmatchCosine;
  s.base = 0.03;
  s.total = 1 << 20;
  CHECK(schedule_value(s, 0) == Approx(0.03));
  // lr * cos(7 pi k / (16 K)): at the last step about 0.2 of the base.
  CHECK(schedule_value(s, s.total) == Approx(0.03 * std::cos(7.0 * M_PI / 16.0)));
  CHECK(schedule_value(s, s.total / 2) == Approx(0.03 * std::cos(7.0 * M_PI / 32.0)));
}
