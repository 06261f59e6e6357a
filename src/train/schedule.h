#pragma once
// Learning-rate schedules (and any other value that follows one, such as an activation-noise level),
// as a function of a unit count: epochs or optimizer steps, whichever the trainer steps its
// schedule by (train/epoch_driver.h sets it per epoch or per step).
//
// One milestone convention for every trainer, PyTorch's MultiStepLR's: a milestone m is the number
// of units completed before the decay, so the value is multiplied by gamma from unit m (0-based) on,
// i.e. from the (m+1)-th epoch. Milestones [160, 180] with 200 epochs: epochs 161-180 run at
// base * gamma, epochs 181-200 at base * gamma * gamma (repeated multiplication, as MultiStepLR).
#include <cstdint>
#include <vector>

namespace wei {

enum class ScheduleKind {
  kFixed,           // base throughout
  kMultistep,       // base * gamma per milestone passed
  kCosine,          // base * (1 + cos(pi * u / total)) / 2: cosine annealing to 0 over `total` units
  kFixmatchCosine,  // base * cos(7 pi u / (16 total)): FixMatch's decay, ending at about 0.2 base
  kLinear,          // base * (total - u) / (total - warmup) after the warm-up: linear decay to 0 (BERT's)
};

struct Schedule {
  ScheduleKind kind = ScheduleKind::kFixed;
  double base = 0.1;
  std::vector<int64_t> milestones;  // kMultistep: units completed before each decay
  double gamma = 0.1;               // kMultistep: factor per milestone
  int64_t total = 0;                // the cosines: the run's length in units (> 0)
  // Linear warm-up over the first `warmup` units, for any kind: base * (u + 1) / warmup (the first
  // unit already trains at base / warmup, as the LDAM-DRW reference code does).
  int64_t warmup = 0;
};

// The value at 0-based unit `unit`.
double schedule_value(const Schedule& schedule, int64_t unit);

}  // namespace wei
